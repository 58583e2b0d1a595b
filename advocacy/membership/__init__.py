"""Organisation members: people who apply to join an organisation and are approved.

Not to be confused with ``accounts.Membership``, which makes a user an *organizer* of an
organisation (the ``/organize/`` pages). An approved member application gives no organizer
access at all: it only says the person belongs to the organisation (docs/members.md).
"""
