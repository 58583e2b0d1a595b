"""Mail: the outbox every domain sends through, its delivery, and the development outbox page."""
