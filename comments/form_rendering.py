"""The comment form's fields as HTML, built in Python (issue 19).

Rendered through Django's form templates (``as_field_group``: ``field.html``, then
``label.html``, the widget's template and ``attrs.html`` for each of eight fields) the form
was a quarter of a post page's time. Here each field is one f-string with the standard
library's ``html.escape``, the trade ``comments.rendering`` makes for the thread; what goes
into it still comes from Django's ``BoundField`` (its value, errors, ``auto_id`` and the
widget's attributes from ``build_widget_attrs``, so ``SafetyNoteBoundField``'s
``aria-describedby`` holds), and the markup is what Django's templates wrote
(tests/test_comment_form_html.py compares the two).

The unbound form of an anonymous reader depends on nothing but the post, the settings and
two per-request values (the CSRF input and the security token): it is rendered once per
process and post (``_UnboundForms``), with the two values put in per request.
"""

from html import escape

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe

from comments import paging
from comments.forms import CommentForm
from pagecache.templatetags.page_cache_tags import csrf_input

# The fields the frame shows (not name and email to a signed-in user, who comments as
# themselves).
FIELDS = ("name", "email", "website", "title", "body", "competing_interests", "homepage_url")
SIGNED_IN_FIELDS = ("website", "title", "body", "competing_interests", "homepage_url")

TEMPLATE = "comments/_form.html"
# What Django's widgets render themselves; any other widget falls back to as_field_group.
_INPUTS = (forms.TextInput, forms.EmailInput, forms.URLInput, forms.Textarea)
# Marks where the per-request values go in a stored form: a NUL never reaches the HTML
# otherwise (no value is typed into the unbound form, and Django refuses NUL in a field).
_CSRF_MARK = "\x00csrf\x00"
_TOKEN_MARK = "\x00token\x00"
_UNBOUND_LIMIT = 512  # forms kept per process: one a post and heading level


def _attrs_html(attrs):
    """``django/forms/widgets/attrs.html``: ``True`` alone, ``False`` left out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        )
    return "".join(parts)


def _label_text(bound):
    """The label with Django's suffix (":") unless it ends in punctuation (``label_tag``)."""
    label = str(bound.label)
    suffix = (
        bound.field.label_suffix
        if bound.field.label_suffix is not None
        else bound.form.label_suffix
    )
    if suffix and label and label[-1] not in ":?.!":
        label += suffix
    return label


def errors_html(errors, *, extra_class=""):
    """Django's ``errors/list/ul.html``: nothing when there are none."""
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    id_attr = f' id="{escape(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{escape(str(error))}</li>" for error in errors)
    return f'<ul class="errorlist{extra_class}"{id_attr}>{items}</ul>'


def widget_html(bound):
    """The field's ``<input>`` or ``<textarea>`` as ``BoundField.as_widget`` renders it."""
    widget = bound.field.widget
    attrs = {**widget.attrs, **bound.build_widget_attrs({}, widget)}
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    value = widget.format_value(bound.value())
    name = escape(bound.html_name)
    if isinstance(widget, forms.Textarea):
        return f'<textarea name="{name}"{_attrs_html(attrs)}>\n{escape(value or "")}</textarea>'
    value_attr = "" if value is None else f' value="{escape(str(value))}"'
    return (
        f'<input type="{escape(widget.input_type)}" name="{name}"{value_attr}{_attrs_html(attrs)}>'
    )


def field_html(bound):
    """``{{ field.as_field_group }}`` for our fields: label, help text, errors, widget."""
    if bound.field.widget.is_hidden or not isinstance(bound.field.widget, _INPUTS):
        return bound.as_field_group()
    auto_id = bound.auto_id
    label = ""
    if bound.label:
        label_text = escape(_label_text(bound))
        for_attr = f' for="{escape(bound.id_for_label)}"' if bound.id_for_label else ""
        label = f"<label{for_attr}>{label_text}</label>" if auto_id else label_text
    help_text = ""
    if bound.help_text:
        id_attr = f' id="{escape(auto_id)}_helptext"' if auto_id else ""
        help_text = f'<div class="helptext"{id_attr}>{escape(str(bound.help_text))}</div>'
    return f"{label}\n{help_text}\n{errors_html(bound.errors)}\n{widget_html(bound)}"


def _fields(form, names):
    return {
        name: mark_safe(field_html(form[name]))  # noqa: S308 - every value escaped
        for name in names
    }


def form_html(
    request,
    post,
    form,
    *,
    reply_target=None,
    heading_level=3,
    commenting_as="",
    summary_fields=(),
    page_number=1,
):
    """The comment form: the frame (``templates/comments/_form.html``) around the fields
    built here. The unbound form of an anonymous reader (every page the shared cache may
    keep) is the stored one, with this request's CSRF input and token put in.
    ``page_number``: the page of the thread a reply form sits on; "Cancel reply" stays there."""
    if _is_plain(form, reply_target, commenting_as):
        html = _UnboundForms.get(
            _unbound_key(post, heading_level),
            lambda: _render(
                post,
                form,
                csrf=_CSRF_MARK,
                token=_TOKEN_MARK,
                reply_target=None,
                heading_level=heading_level,
                commenting_as="",
                summary_fields=(),
            ),
        )
        return mark_safe(  # noqa: S308 - stored escaped; the CSRF input is format_html's
            html.replace(_CSRF_MARK, csrf_input({"request": request})).replace(
                _TOKEN_MARK, escape(form.fresh_token(request))
            )
        )
    return _render(
        post,
        form,
        csrf=csrf_input({"request": request}),
        token=form.fresh_token(request),
        reply_target=reply_target,
        heading_level=heading_level,
        commenting_as=commenting_as,
        summary_fields=summary_fields,
        page_number=page_number,
    )


def _is_plain(form, reply_target, commenting_as):
    """The form every anonymous reader of the post gets alike."""
    return (
        not form.is_bound
        and form.user is None
        and not commenting_as
        and reply_target is None
        and not form.preview_html
        and form.prefix is None
        and form.auto_id == "id_%s"
        and form.label_suffix == ":"
        and set(form.initial) <= {"security_token"}
        and type(form) is CommentForm
    )


def _render(
    post,
    form,
    *,
    csrf,
    token,
    reply_target,
    heading_level,
    commenting_as,
    summary_fields,
    page_number=1,
):
    cancel_url = paging.page_url(post.get_absolute_url(), page_number, "#respond")
    return render_to_string(
        TEMPLATE,
        {
            "post": post,
            "form": form,
            "fields": _fields(form, SIGNED_IN_FIELDS if commenting_as else FIELDS),
            "non_field_errors": mark_safe(  # noqa: S308 - escaped in errors_html
                errors_html(form.non_field_errors(), extra_class=" nonfield")
            ),
            "csrf_input": csrf,
            "token": token,
            "parent_id": reply_target.pk if reply_target is not None else "",
            "reply_target": reply_target,
            "cancel_url": cancel_url,
            "heading_level": heading_level,
            "commenting_as": commenting_as,
            "summary_fields": summary_fields,
        },
    )


class _UnboundForms:
    """The anonymous reader's unbound form, per ``_unbound_key``, in this process."""

    forms = {}

    @classmethod
    def get(cls, key, build):
        html = cls.forms.get(key)
        if html is None:
            if len(cls.forms) >= _UNBOUND_LIMIT:
                cls.forms.clear()
            html = cls.forms[key] = str(build())
        return html


def _unbound_key(post, heading_level):
    """What the unbound form depends on besides the two per-request values: the post (its
    addresses), the heading level, the URLs' prefix and the settings in its attributes."""
    return (
        post.pk,
        heading_level,
        get_script_prefix(),
        get_urlconf(),
        settings.COMMENT_NAME_MAX_LENGTH,
        settings.COMMENT_MAX_LENGTH,
        settings.COMMENT_MAX_WORDS,
    )


def clear():
    """Forget the stored forms (tests that change what the form depends on)."""
    _UnboundForms.forms.clear()
