"""The moderation queue. Every status change goes through comments.services."""

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from comments import services
from comments.models import Comment


class StatusFilter(admin.SimpleListFilter):
    """Opens on the moderation queue (held); "All" shows every status."""

    title = "status"
    parameter_name = "status__exact"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.ALL, "All"), *Comment.Status.choices]

    def value(self):
        return super().value() or Comment.Status.HELD

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if value in Comment.Status.values:
            return queryset.filter(status=value)
        return queryset.none()

    def choices(self, changelist):
        value = self.value()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "name", "email", "post", "status", "created_at", "ip_address")
    list_display_links = ("excerpt",)
    list_filter = (StatusFilter, "post")
    list_select_related = ("post",)
    search_fields = ("name", "email", "body")
    date_hierarchy = "created_at"
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["approve", "reject", "mark_spam", "hold"]
    fields = (
        "post", "parent_link", "status", "status_reason", "moderated_by", "moderated_at",
        "name", "email", "website", "body", "competing_interests", "is_post_author",
        "public_link", "ip_address", "user_agent", "created_at",
    )
    readonly_fields = (
        "post", "parent_link", "status", "status_reason", "moderated_by", "moderated_at",
        "is_post_author", "public_link", "ip_address", "user_agent", "created_at",
    )

    def get_ordering(self, request):
        # The queue reads oldest first; everything else newest first.
        status = request.GET.get(StatusFilter.parameter_name) or Comment.Status.HELD
        return ("created_at", "pk") if status == Comment.Status.HELD else ("-created_at", "-pk")

    def has_add_permission(self, request):
        return False  # comments come from readers, through the site's form

    @admin.display(description="comment")
    def excerpt(self, obj):
        return obj.excerpt

    @admin.display(description="in reply to")
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "-"
        return format_html(
            '<a href="{}">Comment {}</a>', Comment(pk=obj.parent_id).get_admin_url(), obj.parent_id
        )

    @admin.display(description="on the site")
    def public_link(self, obj):
        if obj.status != Comment.Status.APPROVED:
            return "Not shown (only approved comments are public)"
        url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    def _moderate(self, request, comments, service, done):
        count = 0
        for comment in comments:
            service(comment=comment, moderator=request.user)
            count += 1
        self.message_user(
            request, f"{count} comment{'s' if count != 1 else ''} {done}.", messages.SUCCESS
        )

    @admin.action(description="Approve the selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, services.comment_approve, "approved")

    @admin.action(description="Reject the selected comments", permissions=["change"])
    def reject(self, request, queryset):
        self._moderate(request, queryset, services.comment_reject, "rejected")

    @admin.action(description="Mark the selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, services.comment_mark_spam, "marked as spam")

    @admin.action(
        description="Put the selected comments back in the queue (held)", permissions=["change"]
    )
    def hold(self, request, queryset):
        self._moderate(request, queryset, services.comment_hold, "put back in the queue")

    BUTTONS = {
        "Approve": (services.comment_approve, "approved"),
        "Reject": (services.comment_reject, "rejected"),
        "Mark as spam": (services.comment_mark_spam, "marked as spam"),
        "Back to held": (services.comment_hold, "put back in the queue"),
    }

    def response_change(self, request, obj):
        """The change page's moderation buttons: the same services as the actions."""
        button = self.BUTTONS.get(request.POST.get("_moderate", ""))
        if button is None:
            return super().response_change(request, obj)
        service, done = button
        self._moderate(request, [obj], service, done)
        return HttpResponseRedirect(request.path)
