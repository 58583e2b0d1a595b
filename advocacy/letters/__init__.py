"""Letters from supporters to their own legislators and to organisation targets.

See docs/letters.md: campaigns and their sandboxed templates, titles and addressing per
state and chamber, writing, and delivery per office (email, web form, print, optional CWC).
"""
