"""The comment as it will appear, before it is sent: nothing stored, no moderation run.

The body goes through ``blog.markup.render_comment``, the renderer ``Comment.render_body``
uses when the comment is saved, so the preview is exactly the stored HTML. A preview is not
counted by the rate limit: it stores nothing and mails nobody, and the form's length and
word limits cap the work it costs.
"""

from django.template.loader import render_to_string

from blog import markup


def preview_html(form, *, heading_level=3):
    """The preview section for a valid ``form`` (templates/comments/_preview.html)."""
    data = form.cleaned_data
    return render_to_string(
        "comments/_preview.html",
        {
            "title": data.get("title", ""),
            "body_html": markup.render_comment(data["body"]),
            "competing_interests": data.get("competing_interests", ""),
            "heading_level": heading_level,
        },
    )


def errors_html(form, *, heading_level=3):
    """What the in-place preview shows instead when the form has errors."""
    return render_to_string(
        "comments/_preview.html",
        {"errors": form.errors.values(), "heading_level": heading_level},
    )
