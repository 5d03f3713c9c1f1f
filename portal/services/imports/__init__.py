"""Import runs: the record of each run of an import, and which ended with errors."""
