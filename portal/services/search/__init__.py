"""The route search behind the pickers (the organisation search is reference data:
services/reference/organisation_search.py)."""
