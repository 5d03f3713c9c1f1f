"""Reference and demo data loaders. Every loader is safe to rerun."""
