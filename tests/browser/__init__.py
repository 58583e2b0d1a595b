"""Real-browser journeys: Chromium through Playwright against a live server."""
