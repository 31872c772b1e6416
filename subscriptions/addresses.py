"""An email address as the subscriptions store it: a keyed hash, never the address.

HMAC-SHA256 with SECRET_KEY (``salted_hmac``), so the table alone tells nobody which
addresses asked for mail. Case and surrounding spaces do not matter. Changing SECRET_KEY
makes stored hashes unknown: addresses then confirm again on their next request.
"""

from django.utils.crypto import salted_hmac

KEY_SALT = "subscriptions.email_hash"


def email_hash(address):
    return salted_hmac(KEY_SALT, str(address).strip().lower(), algorithm="sha256").hexdigest()
