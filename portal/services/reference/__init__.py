"""Reference data: CBS regions and gemeenten, DUO schools, vocabularies."""
