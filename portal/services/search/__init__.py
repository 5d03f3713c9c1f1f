"""Searches behind the pickers (the combobox of every organisation, school and route choice)."""
