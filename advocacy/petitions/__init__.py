"""Petitions: petitions with goals, signatures, confirmation, the counter and milestones."""
