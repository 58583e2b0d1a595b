"""Accounts: login, logout and the users commands."""
