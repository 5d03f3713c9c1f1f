"""Route outcomes: the guarantee, measured (issue 17)."""
