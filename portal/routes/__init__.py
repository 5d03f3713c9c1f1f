"""Blueprints, one per area; the module name is the blueprint name."""
