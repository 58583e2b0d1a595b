"""Privacy: how long personal data is kept (``flask privacy purge``) and the /privacy page."""
