"""Mail and other background work, through Django's Tasks API (django-tasks).

``services.mail_enqueue`` is the only way the site sends mail: the message goes out from a
worker after the request's transaction commits, and is tried again with growing waits when
the mail server fails. See README.md, "Background work and mail".
"""
