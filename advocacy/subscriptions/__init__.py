"""Newsletters per organisation (double opt-in) and the preference centre every
non-transactional email links to (docs/subscriptions.md)."""
