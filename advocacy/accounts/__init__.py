"""Accounts: users, organisations, membership, login and the ``flask users`` commands."""
