"""The comment form: what a commenter fills in, plus two anti-spam fields.

- ``homepage_url`` is a honeypot: hidden from people (CSS, ``aria-hidden``), filled in by
  bots. It is not an error to fill it in; the moderation policy marks the comment as spam
  silently, so a bot learns nothing.
- ``security_token`` is signed with ``django.core.signing`` and carries the post and the
  time the form was rendered. A missing, altered, foreign or stale token (older than
  ``COMMENT_FORM_MAX_AGE_SECONDS``, or from the future) is a form error asking to resubmit;
  a form sent too quickly is left to the policy (spam, silently).
"""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator, URLValidator

import pagecache
from comments.models import Comment

TOKEN_SALT = "comments.form.security_token"
CLOCK_SKEW_SECONDS = 60
RESUBMIT = "This form has expired or was altered. Please check your comment and send it again."
BAD_PARENT = "You can only reply to a published comment on this post."


def make_token(post, *, now=None):
    return _token_for_post_id(post.pk, now=now)


def _token_for_post_id(post_id, *, now=None):
    return signing.dumps(
        {"p": post_id, "t": now if now is not None else time.time()}, salt=TOKEN_SALT
    )


def token_for_punch(request, post_id):
    """Fills the page cache's ``comment_token`` placeholder: a token as fresh as the request."""
    return _token_for_post_id(int(post_id))


def _single_line(value):
    """Names and similar fields are one line: collapse CR, LF, tabs and runs of spaces."""
    return " ".join(value.split())


class WebURLField(forms.URLField):
    """A web address: http or https only (no ftp:, javascript:, data:). Its one validator
    replaces URLField's own, so a bad address gets one message, not one per validator."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class CommentForm(forms.ModelForm):
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

    class Meta:
        model = Comment
        fields = ["name", "email", "website", "body", "competing_interests"]
        labels = {
            "email": "Email",
            "body": "Comment",
            "competing_interests": "Competing interests",
        }
        help_texts = {
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
        initial.setdefault("security_token", make_token(post))
        super().__init__(*args, **kwargs)
        self.fields["name"].max_length = settings.COMMENT_NAME_MAX_LENGTH
        self.fields["name"].widget.attrs.update(
            {"autocomplete": "name", "maxlength": settings.COMMENT_NAME_MAX_LENGTH}
        )
        self.fields["name"].validators.append(MaxLengthValidator(settings.COMMENT_NAME_MAX_LENGTH))
        self.fields["body"].max_length = settings.COMMENT_MAX_LENGTH
        self.fields["body"].validators.append(MaxLengthValidator(settings.COMMENT_MAX_LENGTH))
        self.fields["body"].widget.attrs["maxlength"] = settings.COMMENT_MAX_LENGTH
        self.fields["competing_interests"].initial = "None declared"
        self.fields["competing_interests"].required = False  # blank means "None declared"
        if self.user is not None:
            # Staff comment as themselves: the service fills these from the account.
            for name in ("name", "email"):
                self.fields[name].required = False
                self.fields[name].widget = forms.HiddenInput()
        self.elapsed_seconds = None

    def fresh_token(self, request=None):
        """A new token for the rendered form, so a re-shown form never carries a stale one.

        A page bound for the shared cache gets a placeholder instead, filled per request.
        """
        if request is not None and getattr(request, "page_cache_candidate", False):
            return pagecache.punch("comment_token", self.post.pk)
        return make_token(self.post)

    def clean_name(self):
        return _single_line(self.cleaned_data.get("name") or "")

    def clean_competing_interests(self):
        value = _single_line(self.cleaned_data.get("competing_interests") or "")
        return value or "None declared"

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if not body.strip():
            raise forms.ValidationError("Please write a comment.")
        return body

    def clean_security_token(self):
        token = self.cleaned_data.get("security_token") or ""
        try:
            payload = signing.loads(token, salt=TOKEN_SALT)
            post_id, rendered_at = int(payload["p"]), float(payload["t"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError(RESUBMIT, code="resubmit") from None
        elapsed = time.time() - rendered_at
        if (
            post_id != self.post.pk
            or elapsed < -CLOCK_SKEW_SECONDS
            or elapsed > settings.COMMENT_FORM_MAX_AGE_SECONDS
        ):
            raise forms.ValidationError(RESUBMIT, code="resubmit")
        self.elapsed_seconds = max(elapsed, 0.0)
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
            for name in ("name", "email", "website", "body", "competing_interests")
        }
        data["parent"] = self.cleaned_data.get("parent")
        data["honeypot"] = self.cleaned_data.get("homepage_url", "")
        data["elapsed_seconds"] = self.elapsed_seconds
        return data
