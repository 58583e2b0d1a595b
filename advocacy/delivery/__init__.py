"""Delivery packets: per office, the constituents who signed (PDF + CSV), and one archive."""
