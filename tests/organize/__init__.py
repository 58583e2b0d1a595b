"""Organizer pages and petition editing."""
