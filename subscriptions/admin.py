"""Subscriptions for moderators: read-only; the address (from the comment) is shown to
superusers and Moderators only."""

from django.contrib import admin

from roles.policy import is_moderator
from subscriptions.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["comment", "post", "on_approval", "on_replies", "confirmed", "created_at"]
    list_filter = ["on_approval", "on_replies", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["comment__post", "subscriber"]
    fields = ["comment", "on_approval", "on_replies", "created_at", "ended_at"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def get_list_display(self, request):
        shown = [*self.list_display, "ended_at"]
        return [*shown, "email"] if is_moderator(request.user) else shown

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        return [*fields, "email"] if is_moderator(request.user) else fields

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    @admin.display(description="post", ordering="comment__post__title")
    def post(self, subscription):
        return subscription.comment.post.title

    @admin.display(description="address confirmed", boolean=True)
    def confirmed(self, subscription):
        return subscription.subscriber.confirmed_at is not None

    @admin.display(description="email")
    def email(self, subscription):
        return subscription.comment.email

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
