"""Accounts: users, passwords, login throttling."""
