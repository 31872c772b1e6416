"""Notices about papers in the admin: editors record one by hand for a paper outside the
Retraction Watch data, and see the imported ones (read-only: the next import would undo an
edit).

Who may: Editors and superusers (roles.policy.is_editor), asked directly rather than through
model permissions, so the roles' groups need no new permission rows.
"""

from django import forms
from django.contrib import admin
from django.db import models

from blog.models import PaperNotice
from blog.paper_status import notify_authors_after_commit
from roles import policy


class PaperNoticeAdmin(admin.ModelAdmin):
    list_display = ("paper_doi", "kind", "date", "source", "notice_doi")
    list_filter = ("kind", "source")
    search_fields = ("paper_doi", "notice_doi", "record_id")
    fields = ("paper_doi", "kind", "date", "notice_doi", "notice_url", "reason", "source")
    readonly_fields = ("source",)
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.source == PaperNotice.Source.RETRACTION_WATCH:
            return self.fields
        return self.readonly_fields

    def get_actions(self, request):
        # Django's bulk "Delete selected" would refuse imported notices with a message about
        # permissions on related objects; notices recorded by hand are deleted one at a
        # time from their own page, which says what is deleted and asks first.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_module_permission(self, request):
        return policy.is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.is_editor(request.user)

    def has_add_permission(self, request):
        return policy.is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        # An imported notice is shown read-only, without Save buttons: the next import
        # would undo an edit.
        allowed = policy.is_editor(request.user)
        return allowed and (obj is None or obj.source == PaperNotice.Source.EDITOR)

    def has_delete_permission(self, request, obj=None):
        allowed = policy.is_editor(request.user)
        return allowed and (obj is None or obj.source == PaperNotice.Source.EDITOR)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = PaperNotice.Source.EDITOR
        super().save_model(request, obj, form, change)
        notify_authors_after_commit([obj.paper_doi])


def register(site=admin.site):
    site.register(PaperNotice, PaperNoticeAdmin)
