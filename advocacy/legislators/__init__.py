"""The legislator directory: who represents a ZIP code, built from public-domain tables.

``importer`` loads a folder of CSV files (``files``) as one snapshot and swaps it in
atomically; ``upstream`` fetches and converts the official publications into that folder
(``flask legislators sync``); ``lookup.find_legislators`` answers pages, letters and the API.
"""
