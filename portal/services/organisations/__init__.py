"""Organisations: pages, adding partners, merging."""
