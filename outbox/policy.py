"""Who may be mailed at all: the one hook every message passes, at queueing and at sending.

An app registers a veto from its ``AppConfig.ready()`` (``register_veto(veto)``;
``veto(address)`` returns True to refuse the address): subscriptions (issue 15) vetoes an
address that asked for no mail from the site. With no veto every address may be mailed.
"""

_vetoes = []


def register_veto(veto):
    """Idempotent: registering the same callable twice keeps one."""
    if veto not in _vetoes:
        _vetoes.append(veto)


def address_may_be_mailed(address):
    """False vetoes ``address`` for any message, however it was queued."""
    return not any(veto(address) for veto in _vetoes)
