"""Make sure a local superuser exists and say how to log in.

`make run` calls this on every start. The first run creates "admin" (named "Alex
Morgan": the name a reply from the moderator's desk is signed with) with a random
password and keeps it in var/admin-password.txt (readable by the owner only), so the
printed line is the same on every later run. If the file is gone but the user exists,
the password is reset to a new random one and stored again; a password changed in the
admin since is left alone (with a warning), never overwritten, and so is its name (a
nameless "admin" that still has the stored password is given the name). The address printed is the
admin's on SITE_URL (by default http://127.0.0.1:8000, where `make run` serves).
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

USERNAME = "admin"
EMAIL = "admin@localhost"
# Shown to readers when the admin replies from the moderator's desk (never "admin").
# A person's name: the admin greets "Welcome, Alex." and a desk reply's citation reads
# "Morgan, A." ("Site Moderator" gave "Welcome, Site." and "Moderator, S.").
FIRST_NAME, LAST_NAME = "Alex", "Morgan"
OLD_DEFAULT = ("Site", "Moderator")  # renamed on the next start
PASSWORD_FILE_NAME = "admin-password.txt"


def password_file():
    return settings.VAR_DIR / PASSWORD_FILE_NAME


def read_stored_password(path):
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def store_password(path, password):
    """Write the password so that only the owner can read it, even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    os.chmod(path, 0o600)


class Command(BaseCommand):
    help = "Create the local superuser 'admin' if needed and print its login details."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        path = password_file()
        users = get_user_model().objects
        user = users.filter(username=USERNAME).first()
        password = read_stored_password(path)

        if user is None:
            # A fresh database: reuse the stored password if there is one.
            password = password or secrets.token_urlsafe(18)
            users.create_superuser(
                USERNAME, EMAIL, password, first_name=FIRST_NAME, last_name=LAST_NAME
            )
            store_password(path, password)
        elif password is None:
            password = secrets.token_urlsafe(18)
            user.set_password(password)
            user.save(update_fields=["password"])
            store_password(path, password)
            name_if_nameless(user)
        elif user.check_password(password):
            name_if_nameless(user)
        else:
            password = "(changed since it was stored; see the warning)"
            self.stderr.write(
                f"The password in {path} no longer works (it was changed since). "
                "Delete the file and run this again to set a new random one."
            )

        if not quiet:
            self.stdout.write(f"Admin: {admin_url()}  user: {USERNAME}  password: {password}")


def name_if_nameless(user):
    """The demo admin made before it had a name gets one; a name someone gave it is kept."""
    nameless = not (user.first_name.strip() or user.last_name.strip())
    if nameless or (user.first_name, user.last_name) == OLD_DEFAULT:
        user.first_name, user.last_name = FIRST_NAME, LAST_NAME
        user.save(update_fields=["first_name", "last_name"])


def admin_url():
    return settings.SITE_URL + reverse("admin:index")
