"""Agreements (samenwerkingsovereenkomsten): writes, lifecycle, funding and guarantee rows, reads, snapshots."""
