"""Who wrote the imported posts: existing users where the email or username matches, else
new inactive users (no usable password) an admin can activate later."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from imports.invisible import has_invisible, strip_invisible
from imports.records import AuthorRecord

FALLBACK_LOGIN = "imported-author"


def _base_username(record, model):
    """The username an import gives this author: their login with only the characters a
    username may hold, the same every run (so a second import finds the user again)."""
    field = model._meta.get_field(model.USERNAME_FIELD)
    base = strip_invisible(record.login).strip()
    base = base or slugify(strip_invisible(record.display_name)) or FALLBACK_LOGIN
    base = "".join(ch for ch in base if ch.isalnum() or ch in "@.+-_")[: field.max_length - 4]
    return base or FALLBACK_LOGIN


def _username_for(record, model):
    base = _base_username(record, model)
    candidate, n = base, 2
    while model.objects.filter(**{f"{model.USERNAME_FIELD}__iexact": candidate}).exists():
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _existing(record, model):
    """The user this author already is, and how they were matched."""
    if record.email:
        found = model.objects.filter(email__iexact=record.email).order_by("pk").first()
        if found is not None:
            return found, "email address"
    if has_invisible(record.login):
        return None, ""  # "ad\u200bmin" is a look-alike of "admin", never "admin"
    for name in (record.login, _base_username(record, model)):
        if name:
            found = (
                model.objects.filter(**{f"{model.USERNAME_FIELD}__iexact": name})
                .order_by("pk")
                .first()
            )
            if found is not None:
                return found, "username"
    return None, ""


def author_for(record: AuthorRecord, report):
    """The user for ``record``: matched, or created inactive (reported)."""
    model = get_user_model()
    found, how = _existing(record, model)
    if found is not None:
        report.count("author", "unchanged")
        report.note(
            f"author {record.display_name or record.login!r} is this site's existing user "
            f"{found.get_username()!r} (same {how}; --author {record.login}=USERNAME "
            "chooses another)",
            group="Authors",
        )
        return found
    first, last = strip_invisible(record.first_name), strip_invisible(record.last_name)
    display = strip_invisible(record.display_name)
    if not (first or last) and display:
        first, _space, last = display.strip().partition(" ")
    user = model(
        **{model.USERNAME_FIELD: _username_for(record, model)},
        email=record.email[:254] if "@" in record.email else "",
        first_name=first.strip()[:150],
        last_name=last.strip()[:150],
        is_active=False,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password", "email"])
    user.save()
    report.count("author", "created")
    if has_invisible(record.login):
        report.note(
            f"author login {record.login!r} holds invisible characters (bidi or zero-width): "
            f"not matched to a user by its look-alike {_base_username(record, model)!r}; "
            f"created {user.get_username()!r} instead",
            group="Authors",
        )
    report.note(
        f"author {record.display_name or record.login!r} created as the inactive user "
        f"{user.get_username()!r} (to let them sign in and write: in the admin tick Active "
        "and Staff status, add them to the Authors group and set a password)",
        group="Authors",
    )
    return user


def resolve_author_map(pairs, model=None):
    """``["old=alice", ...]`` (``--author``) -> {old login casefolded: user}; ValueError
    naming the first pair that is malformed or names no user here."""
    model = model or get_user_model()
    mapping = {}
    for pair in pairs or ():
        old, sign, username = pair.partition("=")
        old, username = old.strip(), username.strip()
        if not (sign and old and username):
            raise ValueError(f"--author {pair!r}: write it as OLD=USERNAME.")
        user = model.objects.filter(**{f"{model.USERNAME_FIELD}__iexact": username}).first()
        if user is None:
            raise ValueError(f"--author {pair!r}: there is no user {username!r} here.")
        mapping[old.casefold()] = user
    return mapping


class Authors:
    """The file's authors by login, resolved once each; ``mapping`` (``--author``) first."""

    def __init__(self, records, report, mapping=None):
        self.records = {r.login: r for r in records if r.login}
        self.report = report
        self.users = {}
        self.mapping = dict(mapping or {})
        known = {login.casefold() for login in self.records}
        for old in self.mapping:
            if old not in known:
                report.note(f"--author {old}: no author of that name in the file", group="Authors")

    def get(self, login):
        key = login or ""
        if key not in self.users and key.casefold() in self.mapping:
            user = self.users[key] = self.mapping[key.casefold()]
            self.report.count("author", "unchanged")
            self.report.note(
                f"author {key!r} is the user {user.get_username()!r} (--author)", group="Authors"
            )
        if key not in self.users:
            record = self.records.get(key) or AuthorRecord(
                login=key or FALLBACK_LOGIN, display_name=key or "Imported author"
            )
            self.users[key] = author_for(record, self.report)
        return self.users[key]
