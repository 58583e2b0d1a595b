"""Volunteers: people who could serve sign up with an organisation, which matches them to states."""
