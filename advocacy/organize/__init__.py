"""The organizer's pages: their organisation's petitions, editing, preview, publish and close."""
