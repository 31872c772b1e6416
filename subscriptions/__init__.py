"""Commenters' "notify me": confirmed addresses, subscriptions to one comment's approval and
replies, and one-click unsubscribing. Depends on comments and outbox; neither imports it.
See README.md, "Notify me"."""
