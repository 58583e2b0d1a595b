"""Shared plumbing: the declarative base, time helpers, errors and text safety."""
