"""Who may be mailed at all: the one hook every message passes, at queueing and at sending.

Issue 15 (commenters' notifications) fills this in: unconfirmed or unsubscribed addresses,
and an address used to mail a stranger. Until then every address may be mailed.
"""


def address_may_be_mailed(address):
    """False vetoes ``address`` for any message, however it was queued."""
    return True
