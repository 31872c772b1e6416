"""The comment box is described by the safety note above it (templates/comments/_form.html,
``id="comment-safety-note"``): "not a place for personal medical advice; personal details
are removed". Django builds ``aria-describedby`` from the help text and the errors only
when none is set, so this bound field adds the note's id to what Django built."""

from django.forms import BoundField

SAFETY_NOTE_ID = "comment-safety-note"


class SafetyNoteBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        described = attrs.get("aria-describedby", "").split()
        attrs["aria-describedby"] = " ".join([SAFETY_NOTE_ID, *described])
        return attrs
