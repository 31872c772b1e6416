"""Mail backends for the worker subprocesses of tests/test_outbox_durability.py.

``HangOnceFileBackend`` writes messages as files (Django's file-based backend) into
EMAIL_FILE_PATH, except that a message whose subject starts with "hang-before" or
"hang-after" hangs the first time it is sent, before or after writing it, leaving a marker
file (holding the sending process's id: RQ sends from a forked "work horse" in a process
group of its own) so the test knows the worker is mid-send and can kill it there.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend

HANG_SECONDS = 120


class HangOnceFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        for message in email_messages:
            when = message.subject.split("-")[1] if message.subject.startswith("hang-") else ""
            marker = folder / f"{message.subject}.started"
            first_time = when and not marker.exists()
            if first_time:
                marker.write_text(str(os.getpid()))
            if first_time and when == "before":
                time.sleep(HANG_SECONDS)
            super().send_messages([message])
            if first_time and when == "after":
                time.sleep(HANG_SECONDS)
        return len(email_messages)
