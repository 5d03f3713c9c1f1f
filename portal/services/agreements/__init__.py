"""Agreements (samenwerkingsovereenkomsten): writes (operations), the steps every
write shares (changes), lifecycle, funding and guarantee rows, reads (queries),
snapshots. Callers import the module that defines a name."""
