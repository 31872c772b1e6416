"""The comment form: what a commenter fills in, plus two anti-spam fields.

- ``homepage_url`` is a honeypot: hidden from people (CSS, ``aria-hidden``), filled in by
  bots. It is not an error to fill it in; the moderation policy marks the comment as spam
  silently, so a bot learns nothing.
- ``security_token`` is signed with ``django.core.signing`` and carries the post, the time
  the form was first rendered and a nonce. A missing, altered, foreign or stale token (older
  than ``COMMENT_FORM_MAX_AGE_SECONDS``, or from the future) is a form error asking to
  resubmit; a form sent too quickly is left to the policy (spam, silently).

A person has timing. A form shown again after an error keeps the first render time and the
nonce (the first POST stored nothing, so the token is still unused) and is marked as sent
once (``r``): the policy never files a resend as spam for its speed. A stale token gets a
fresh one, still marked. A missing, altered or foreign token proves no earlier sending: its
fresh token is unmarked, so a bot's bad first POST buys nothing. A token is spent when
a comment is stored with its nonce (``Comment.form_nonce``, unique): a double click or the
back button sends it again, and comments.services answers with the comment it made.
"""

import secrets
import time
import unicodedata
from functools import partial

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator, URLValidator

import pagecache
from comments.addresses import ascii_address
from comments.models import Comment
from comments.safety_note import SafetyNoteBoundField
from comments.services import InvalidParent
from comments.token_signing import dumps as signed_dumps
from comments.words import word_count

TOKEN_SALT = "comments.form.security_token"
CLOCK_SKEW_SECONDS = 60
RESUBMIT = "This form has expired or was altered. Please check your comment and send it again."
BAD_PARENT = InvalidParent.message  # one answer for every reply that cannot be taken


BAD_CHARACTERS = (
    "This address contains invisible or direction-changing characters (such as {}). "
    "Please type it again without them."
)
NONCE_BYTES = 12
TOO_MANY_WORDS = (
    "Your comment has {count:,} words; the limit is {limit:,}. Please shorten it: "
    "your text is kept below."
)


def make_token(post, *, now=None, nonce=None, resent=False):
    return _token_for_post_id(post.pk, now=now, nonce=nonce, resent=resent)


def _token_for_post_id(post_id, *, now=None, nonce=None, resent=False):
    payload = {
        "p": post_id,
        "t": now if now is not None else time.time(),
        "n": nonce or secrets.token_urlsafe(NONCE_BYTES),
    }
    if resent:
        payload["r"] = 1
    return signed_dumps(payload, salt=TOKEN_SALT)  # signing.dumps()'s token, cheaper


def token_for_punch(request, post_id):
    """Fills the page cache's ``comment_token`` placeholder: a token as fresh as the request."""
    return _token_for_post_id(int(post_id))


def _single_line(value):
    """Names and similar fields are one line: collapse CR, LF, tabs and runs of spaces."""
    return " ".join(value.split())


def _invisible_character(value):
    """The first control, format (bidi, zero-width) or line/paragraph separator character.
    NUL is left to Django's own validator and its message."""
    for char in value:
        if char != "\x00" and unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            return char
    return None


class WebURLField(forms.URLField):
    """A web address: http or https only (no ftp:, javascript:, data:). Its one validator
    replaces URLField's own, so a bad address gets one message, not one per validator.

    Invisible and direction-changing characters are refused with their own message (the
    validator lets them through in a host), and the address is kept in its ASCII form."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    # Said for the validator's refusal too (Field.run_validators uses the field's message
    # for the code): "a valid URL" does not tell a commenter what is wanted.
    default_error_messages = {
        "invalid": "Enter a full web address, such as https://example.org; "
        "only http and https addresses are accepted."
    }

    def to_python(self, value):
        char = _invisible_character(value or "")
        if char is not None:
            raise forms.ValidationError(
                BAD_CHARACTERS.format(f"U+{ord(char):04X}"), code="invisible"
            )
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            value = ascii_address(value)
        except (UnicodeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if self.max_length is not None and len(value) > self.max_length:
            raise forms.ValidationError(
                f"This address is {len(value)} characters long once written in ASCII; "
                f"the limit is {self.max_length}.",
                code="max_length",
            )
        return value


class CommentBodyField(forms.CharField):
    """Line breaks as one character each (``\n``), before the length is checked: browsers
    send CRLF but count a line break as one character against ``maxlength``, so a comment
    the textarea accepted was refused as too long."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class CommentTextMixin:
    """The commenter's own words, checked the same way on the comment form and the edit
    form (comments.editing): title, body and competing interests."""

    def setup_text_fields(self):
        body = self.fields["body"]
        body.max_length = settings.COMMENT_MAX_LENGTH
        body.validators.append(MaxLengthValidator(settings.COMMENT_MAX_LENGTH))
        body.widget.attrs["maxlength"] = settings.COMMENT_MAX_LENGTH
        # The live word count (static/js/comments.js) reads the limit here.
        body.widget.attrs["data-max-words"] = settings.COMMENT_MAX_WORDS
        body.error_messages["required"] = "Please write a comment."
        interests = self.fields["competing_interests"]
        interests.initial = "None declared"
        interests.required = False  # blank means "None declared"

    def clean_competing_interests(self):
        value = _single_line(self.cleaned_data.get("competing_interests") or "")
        return value or "None declared"

    def clean_title(self):
        """One line, like the name (the response page shows it inside ``<bdi>``)."""
        return _single_line(self.cleaned_data.get("title") or "")

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if not body.strip():
            raise forms.ValidationError("Please write a comment.")
        limit = settings.COMMENT_MAX_WORDS
        # A text has no more words than characters (comments.words): most comments are
        # shorter than the limit, and counting them is a Python loop over every character.
        count = word_count(body) if len(body) > limit else 0
        if count > limit:
            raise forms.ValidationError(
                TOO_MANY_WORDS.format(count=count, limit=limit), code="max_words"
            )
        return body


class CommentForm(CommentTextMixin, forms.ModelForm):
    preview_html = ""  # set by comments.views for a previewed form: shown above it
    previewed = False  # a preview is not a sending: the token keeps its own resent mark
    website = WebURLField(
        label="Website (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    security_token = forms.CharField(required=False, widget=forms.HiddenInput)
    homepage_url = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "class": "comment-hp-input"}
        ),
    )

    # == Notify me (issue 15): the subscriptions app acts on these, unticked by default ==
    notify_approved = forms.BooleanField(
        required=False, label="Notify me by email when my comment is approved"
    )
    notify_replies = forms.BooleanField(
        required=False, label="Notify me by email about replies to it"
    )
    # == End of notify me ==

    class Meta:
        model = Comment
        fields = ["name", "email", "website", "title", "body", "competing_interests"]
        field_classes = {"body": CommentBodyField}
        labels = {
            "email": "Email",
            "title": "Title (optional)",
            "body": "Comment",
            "competing_interests": "Competing interests",
        }
        help_texts = {
            "title": "Heads your comment's own, citable page. Without one: \u201cRe:\u201d "
            "and the post's title.",
            "email": "Never shown in public; only the moderators see it.",
            "body": "Markdown: paragraphs, *emphasis*, **strong**, [links](https://example.org), "
            "lists, > quotes and `code`. Nothing else. Comments are moderated.",
            "competing_interests": "As medical journals ask of every correspondent: "
            "say \u201cNone declared\u201d if you have none.",
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, post, user=None, **kwargs):
        self.post = post
        self.user = user if user is not None and user.is_authenticated else None
        initial = kwargs.setdefault("initial", {})
        # Signed only if asked for (a callable initial): the page shows fresh_token()'s,
        # a placeholder on a page bound for the shared cache.
        initial.setdefault("security_token", partial(make_token, post))
        super().__init__(*args, **kwargs)
        self.fields["name"].max_length = settings.COMMENT_NAME_MAX_LENGTH
        self.fields["name"].widget.attrs.update(
            {"autocomplete": "name", "maxlength": settings.COMMENT_NAME_MAX_LENGTH}
        )
        self.fields["name"].validators.append(MaxLengthValidator(settings.COMMENT_NAME_MAX_LENGTH))
        self.setup_text_fields()
        self.fields["body"].bound_field_class = SafetyNoteBoundField  # issue 16 fix 10
        self.fields["name"].error_messages["required"] = "Please give your name."
        self.fields["email"].error_messages["required"] = (
            "Please give your email address (it is never shown in public)."
        )
        if self.user is not None:
            # Staff comment as themselves: the service fills these from the account.
            for name in ("name", "email"):
                self.fields[name].required = False
                self.fields[name].widget = forms.HiddenInput()
        self.elapsed_seconds = None
        self.token_payload = None  # the valid token's post, time, nonce and resent flag
        self.token_spent = False  # set when the token has sent a comment already
        self.token_genuine = False  # signed by us, for this post (even if stale)

    def fresh_token(self, request=None):
        """The token for the rendered form.

        A form sent back (bound) keeps its first render time and, unless it was spent,
        its nonce, and is marked as sent once; a new form gets a new token. A page bound
        for the shared cache gets a placeholder instead, filled per request.
        """
        if self.is_bound:
            return self.resend_token(spent=self.token_spent)
        if request is not None and getattr(request, "page_cache_candidate", False):
            return pagecache.punch("comment_token", self.post.pk)
        return make_token(self.post)

    def resend_token(self, *, spent=False):
        """A token for sending this form again.

        Only a genuine token (ours, for this post) shows the form was rendered and sent
        once: that earns the resent mark. A stale one starts afresh, still marked; a
        missing, altered or foreign one starts afresh unmarked, or one bad POST would let
        a bot past the speed rule.
        """
        payload = self.token_payload
        if payload is None:
            return make_token(self.post, resent=self.token_genuine)
        return make_token(
            self.post,
            now=payload["t"],
            nonce=None if spent else payload["n"],
            resent=payload["r"] if self.previewed else True,
        )

    def clean_name(self):
        return _single_line(self.cleaned_data.get("name") or "")

    def clean_security_token(self):
        token = self.cleaned_data.get("security_token") or ""
        try:
            payload = signing.loads(token, salt=TOKEN_SALT)
            post_id, rendered_at = int(payload["p"]), float(payload["t"])
            nonce, resent = payload["n"], bool(payload.get("r"))
        except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
            raise forms.ValidationError(RESUBMIT, code="resubmit") from None
        if post_id != self.post.pk or not isinstance(nonce, str) or not 0 < len(nonce) <= 32:
            raise forms.ValidationError(RESUBMIT, code="resubmit")
        self.token_genuine = True
        elapsed = time.time() - rendered_at
        if elapsed < -CLOCK_SKEW_SECONDS or elapsed > settings.COMMENT_FORM_MAX_AGE_SECONDS:
            raise forms.ValidationError(RESUBMIT, code="resubmit")
        self.elapsed_seconds = max(elapsed, 0.0)
        self.token_payload = {"t": rendered_at, "n": nonce, "r": resent}
        return token

    def clean(self):
        cleaned = super().clean()
        if "security_token" in self.errors:
            # Shown at the top as well, since the field itself is hidden.
            self.add_error(None, forms.ValidationError(RESUBMIT, code="resubmit"))
        if "parent" in self.errors:
            # A hidden field's own error is never shown beside it: say it at the top.
            self.add_error(None, forms.ValidationError(BAD_PARENT, code="bad_parent"))
        return cleaned

    def _post_clean(self):
        # The instance is built by comments.services; model validation happens there.
        pass

    def submission_data(self):
        """What comments.services.comment_submit needs, from a valid form."""
        data = {
            name: self.cleaned_data.get(name, "")
            for name in ("name", "email", "website", "title", "body", "competing_interests")
        }
        data["parent"] = self.cleaned_data.get("parent")
        data["honeypot"] = self.cleaned_data.get("homepage_url", "")
        data["elapsed_seconds"] = self.elapsed_seconds
        data["form_nonce"] = self.token_payload["n"] if self.token_payload else ""
        data["resent"] = bool(self.token_payload and self.token_payload["r"])
        data["notify_approved"] = bool(self.cleaned_data.get("notify_approved"))  # issue 15
        data["notify_replies"] = bool(self.cleaned_data.get("notify_replies"))
        return data
