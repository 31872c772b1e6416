"""Template filters for the public record: the paper's status banner and the change page."""

from django import template

from blog import public_record, revisions
from blog.models import PaperNotice, Post

register = template.Library()

HEADLINES = {
    PaperNotice.Kind.RETRACTION: "The paper discussed in this post has been retracted",
    PaperNotice.Kind.EXPRESSION_OF_CONCERN: (
        "The journal has published an expression of concern about the paper discussed here"
    ),
    PaperNotice.Kind.CORRECTION: "The paper discussed in this post has been corrected",
    PaperNotice.Kind.REINSTATEMENT: (
        "The paper discussed in this post was retracted and has been reinstated"
    ),
}

FIELD_LABELS = {
    "disclosures": "Conflicts of interest",
    **{f.name: str(f.verbose_name).capitalize() for f in Post._meta.concrete_fields},
}


@register.filter
def lead_notice(notices):
    return public_record.lead_notice(notices)


@register.filter
def paper_status_headline(notice):
    return HEADLINES.get(notice.kind, "The paper discussed in this post has a notice")


@register.filter
def change_field_label(name):
    return FIELD_LABELS.get(name) or revisions.part_labels.get(name, name)
