"""Bringing a blog in (Blogger, WordPress WXR) and taking it out again (WXR export)."""
