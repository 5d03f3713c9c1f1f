"""WTForms per area. Messages are Dutch."""
