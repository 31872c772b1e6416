"""The moderation queue. Every status change goes through comments.services.

Moderators change a comment's status and nothing else: what a commenter wrote (and where
it was sent from) is read-only, and comments are never deleted in bulk (a comment's
replies go with it; rejected and spam comments are kept instead). Who may see and
moderate which comments is decided by roles.policy: Authors only those on their own posts,
so a hand-made request for another author's comment is refused like a missing button.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import csrf_protect_m
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from blog import markup
from comments import desk, editing, moderation, services
from comments.models import Comment, Redaction, WithdrawnComment
from comments.rendering import format_datetime
from roles import policy

AUTOMATIC_APPROVALS = {
    "returning": moderation.RETURNING_COMMENTER,
    "staff": moderation.STAFF_MEMBER,
}


class StatusFilter(admin.SimpleListFilter):
    """Opens on the moderation queue (held); "All" shows every status. With the "how
    approved" filter chosen, every status is in view (that filter picks approved ones)."""

    title = "status"
    parameter_name = "status__exact"
    ALL = "all"

    def __init__(self, request, params, model, model_admin):
        self.default = self.ALL if ApprovalFilter.parameter_name in params else Comment.Status.HELD
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(self.ALL, "All"), *Comment.Status.choices]

    def value(self):
        return super().value() or self.default

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


class ApprovalFilter(admin.SimpleListFilter):
    """Approved comments by who approved them: the policy at once (a returning commenter's
    name and email, a staff member signed in) or a moderator later."""

    title = "how approved"
    parameter_name = "approved"

    def lookups(self, request, model_admin):
        return [
            ("automatically", "Approved automatically"),
            ("returning", "… as a returning commenter"),
            ("staff", "… as a staff member"),
            ("moderator", "Approved by a moderator"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        approved = queryset.filter(status=Comment.Status.APPROVED)
        if value == "moderator":
            return approved.filter(moderated_at__isnull=False)
        automatic = approved.filter(moderated_at__isnull=True)
        if value == "automatically":
            return automatic
        if value in AUTOMATIC_APPROVALS:
            return automatic.filter(status_reason=AUTOMATIC_APPROVALS[value])
        return queryset if value is None else queryset.none()


class EditedFilter(admin.SimpleListFilter):
    """Comments their commenter edited (issue 15), and those edited after a moderator's
    approval: what readers see changed since someone checked it."""

    title = "edited by the commenter"
    parameter_name = "edited"

    def lookups(self, request, model_admin):
        return [
            ("yes", "Edited"),
            ("after-approval", "… after a moderator approved it"),
            ("no", "Never edited"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "yes":
            return queryset.filter(edited_at__isnull=False)
        if value == "after-approval":
            return queryset.filter(status=Comment.Status.APPROVED, edited_at__gt=F("moderated_at"))
        if value == "no":
            return queryset.filter(edited_at__isnull=True)
        return queryset if value is None else queryset.none()


# --- redaction (issue 16): the history inline and the form; CommentAdmin wires them ----


class RedactForm(forms.Form):
    text_to_remove = forms.CharField(
        label="Text to remove",
        strip=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Copy it exactly from the comment above; every copy is replaced with "
        f"\u201c{Redaction.REMOVED}\u201d.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Recorded with your name, e.g. \u201cpatient identifier: NHS number\u201d.",
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # The queue fits a 1,280 px screen: the commenter's name and email share a column, the
    # post's title is shortened, and the IP address is on the comment's own page.
    list_display = ("excerpt", "commenter", "post_title", "status", "received", "reason")
    list_display_links = ("excerpt",)
    # Only the posts whose comments the user may see: a title can name an unannounced trial.
    list_filter = (
        StatusFilter,
        ApprovalFilter,
        EditedFilter,
        ("post", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("post", "moderated_by")
    search_fields = ("name", "email", "title", "body")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["approve", "reject", "mark_spam", "hold"]
    fields = (
        "post",
        "parent_link",
        "status",
        "status_reason",
        "moderated_by",
        "moderated_at",
        "name",
        "email",
        "website",
        "title",
        "body",
        "formatting",
        "competing_interests",
        "is_post_author",
        "is_staff_reply",
        "public_link",
        "edit_history",
        "ip_address",
        "user_agent",
        "created_at",
    )
    # Everything: the commenter's words are theirs, and the status changes only through
    # the actions and the page's buttons (comments.services).
    readonly_fields = fields

    def get_ordering(self, request):
        # The queue reads oldest first; everything else newest first.
        status = request.GET.get(StatusFilter.parameter_name) or Comment.Status.HELD
        return ("created_at", "pk") if status == Comment.Status.HELD else ("-created_at", "-pk")

    def get_queryset(self, request):
        comments = super().get_queryset(request).select_related("post", "moderated_by")
        return policy.comments_visible_to(request.user, comments)

    def has_add_permission(self, request):
        return False  # comments come from readers, through the site's form

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or policy.can_view_comment(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or policy.can_moderate_comment(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        """Only a superuser, one comment at a time from its own page (its replies go too)."""
        return obj is not None and request.user.is_active and request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        post_id = obj.post_id
        super().delete_model(request, obj)
        services.post_recount_comments(post_id=post_id)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Nothing on the page is editable: the moderation buttons replace "Save".
        context.update(
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False
        )
        if obj is not None:
            context.update(self.redaction_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="comment")
    def excerpt(self, obj):
        """The commenter's title (issue 15), when they gave one, above the text's start."""
        text = obj.excerpt
        if obj.title:
            text = format_html('<span class="comment-title">{}</span><br>{}', obj.title, text)
        if obj.edited_at:
            text = format_html(
                '{}<br><span class="comment-edited">Edited by the commenter, {}</span>',
                text,
                format_datetime(obj.edited_at),
            )
        return text

    @admin.display(description="commenter", ordering="name")
    def commenter(self, obj):
        return format_html('{}<br><span class="comment-email">{}</span>', obj.name, obj.email)

    @admin.display(description="post", ordering="post__title")
    def post_title(self, obj):
        title = obj.post.title
        return title if len(title) <= 48 else title[:47] + "\u2026"

    @admin.display(description="received", ordering="created_at")
    def received(self, obj):
        return obj.created_at

    @admin.display(description="reason")
    def reason(self, obj):
        """Why the comment has its status: the policy's reason, or the moderator's action."""
        if obj.moderated_at is not None:
            who = obj.moderated_by.get_username() if obj.moderated_by else "a moderator"
            return f"{obj.get_status_display()} by {who}"
        return obj.status_reason or "-"

    @admin.display(description="formatting")
    def formatting(self, obj):
        """Tells the moderator when the comment is shown as plain text (its shape was too
        costly to format); reads the stored mark, renders nothing."""
        return markup.plain_text_note(obj.body_html) or "Formatted as written (Markdown)."

    @admin.display(description="in reply to")
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "-"
        return format_html(
            '<a href="{}">Comment {}</a>', Comment(pk=obj.parent_id).get_admin_url(), obj.parent_id
        )

    @admin.display(description="edits by the commenter")
    def edit_history(self, obj):
        """The text before each of the commenter's own edits (issue 15), read-only."""
        return format_html('<div id="edit-history">{}</div>', editing.history_html(obj))

    @admin.display(description="on the site")
    def public_link(self, obj):
        if obj.status != Comment.Status.APPROVED:
            return "Not shown (only approved comments are public)"
        url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    def _moderate(self, request, queryset, service, done):
        """Moderate the selected comments the user may moderate; refuse the rest by count
        (naming a comment on another author's post would show what they may not see)."""
        allowed = list(policy.comments_moderated_by(request.user, queryset))
        for comment in allowed:
            service(comment=comment, moderator=request.user)
        refused = self._refused_count(request, queryset, allowed)
        if refused:
            noun, them = ("comment was", "it") if refused == 1 else ("comments were", "them")
            self.message_user(
                request,
                f"{refused} selected {noun} not {done}: you may not moderate {them}.",
                messages.ERROR,
            )
        if allowed or not refused:
            count = len(allowed)
            self.message_user(
                request, f"{count} comment{'s' if count != 1 else ''} {done}.", messages.SUCCESS
            )

    @staticmethod
    def _refused_count(request, queryset, allowed):
        if request.POST.get("select_across") == "1":
            return queryset.count() - len(allowed)
        selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        return len(selected - {str(comment.pk) for comment in allowed})

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

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The change page's moderation buttons: the same services as the actions, and
        nothing else saved (there is nothing editable to save)."""
        if request.method == "POST" and object_id is not None and "_moderate" in request.POST:
            return self._moderate_one(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """A link (a moderation mail's, say) to a comment its author has since withdrawn:
        its withdrawal record, saying so, rather than "doesn't exist. Perhaps it was
        deleted?". Any other missing id: Django's answer."""
        record = None
        if str(object_id).isdigit() and len(str(object_id)) <= 18:
            record = WithdrawnComment.objects.filter(comment_pk=int(object_id)).first()
        withdrawn_admin = self.admin_site._registry.get(WithdrawnComment)
        if record is None or not (
            withdrawn_admin and withdrawn_admin.has_view_permission(request, record)
        ):
            return super()._get_obj_does_not_exist_redirect(request, opts, object_id)
        when = format_datetime(record.withdrawn_at)
        self.message_user(
            request,
            f"Comment {object_id} was withdrawn by its author on {when}: its record follows.",
            messages.WARNING,
        )
        return HttpResponseRedirect(
            reverse("admin:comments_withdrawncomment_change", args=[record.pk])
        )

    def _moderate_one(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        button = self.BUTTONS.get(request.POST["_moderate"])
        if button is not None:
            service, done = button
            service(comment=obj, moderator=request.user)
            self.message_user(request, f"1 comment {done}.", messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    # --- redaction (issue 16) ------------------------------------------------------------

    def get_urls(self):
        redact = self.admin_site.admin_view(require_http_methods(["GET", "POST"])(self.redact))
        return [
            *self.desk_urls(),
            path("<path:object_id>/redact/", redact, name="comments_comment_redact"),
            *super().get_urls(),
        ]

    def redaction_context(self, request, obj):
        """The Redact form (for those who may redact) and the history: who, when and why
        for the Moderators; the text before each redaction for superusers only, since it
        holds what was removed. A plain table, not an inline: the stock inline's script
        sets inline styles (refused by our CSP) and adds nothing to a read-only list."""
        context = {}
        if self.can_redact(request, obj):
            context["redact_form"] = RedactForm()
            context["redact_url"] = reverse("admin:comments_comment_redact", args=[obj.pk])
        if request.user.has_perm("comments.view_redaction"):
            context["redactions"] = list(obj.redactions.select_related("moderator"))
            context["show_original"] = request.user.is_active and request.user.is_superuser
        return context

    def can_redact(self, request, obj):
        return request.user.has_perm("comments.add_redaction") and self.has_change_permission(
            request, obj
        )

    def redact(self, request, object_id):
        """Replace text in one comment (comments.services.comment_redact). The form is on
        the comment's page; this page answers its errors, keeping what was typed."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.can_redact(request, obj):
            raise PermissionDenied
        # Opened from the desk: back there, at this comment's row (only the desk's address).
        back_to_desk = desk.safe_desk_next(request.GET.get("next"))
        form = RedactForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                services.comment_redact(
                    comment=obj,
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                    text_to_remove=form.cleaned_data["text_to_remove"],
                )
            except services.RedactionError as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                done = "The text was removed from the comment."
                if back_to_desk:
                    done += " Approve it below when it can be published."
                self.message_user(request, done)
                if back_to_desk:
                    desk.remember_status(request, done, f"desk-{obj.pk}")
                return HttpResponseRedirect(back_to_desk or obj.get_admin_url())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "form": form,
            "title": f"Redact comment {obj.pk}",
            "change_url": obj.get_admin_url(),
            "back_to_desk": back_to_desk,
            "next_query": urlencode({"next": back_to_desk}) if back_to_desk else "",
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(
            request, "admin/comments/comment/redact.html", context, status=status
        )

    # --- the moderator's desk (issue 16): comments.desk -----------------------------------

    def desk_urls(self):
        """/admin/comments/comment/desk/ and its two forms; before the stock patterns,
        whose ``<path:object_id>/`` would read "desk" as a comment id."""
        view = self.admin_site.admin_view

        def bound(function, methods):
            return view(require_http_methods(methods)(lambda request: function(self, request)))

        return [
            path("desk/", bound(desk.desk_view, ["GET"]), name="comments_comment_desk"),
            path("desk/act/", bound(desk.desk_act, ["POST"]), name="comments_comment_desk_act"),
            path(
                "desk/reply/", bound(desk.desk_reply, ["POST"]), name="comments_comment_desk_reply"
            ),
        ]


# --- withdrawn comments (issue 15): the moderators' record, read-only --------------------


@admin.register(WithdrawnComment)
class WithdrawnCommentAdmin(admin.ModelAdmin):
    """What commenters withdrew (comments.services.comment_withdraw). Nobody adds or
    changes a record; a superuser may delete one (a request to erase it). The address is
    kept as a hash only: searching for an address finds its records all the same."""

    list_display = ("withdrawn_at", "name", "text", "post_title", "status", "sent_at")
    list_display_links = ("withdrawn_at",)
    list_filter = ("status",)
    list_select_related = ("post",)
    search_fields = ("name", "title", "body")
    date_hierarchy = "withdrawn_at"
    list_per_page = 50
    fields = (
        "post",
        "comment_pk",
        "parent_pk",
        "status",
        "name",
        "email_hash",
        "title",
        "body",
        "edits_before",
        "sent_at",
        "withdrawn_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        records = super().get_queryset(request).select_related("post")
        if policy.sees_every_comment(request.user):
            return records
        return records.filter(post__author_id=request.user.pk)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        address = search_term.strip()
        if "@" in address:
            results |= queryset.filter(email_hash=WithdrawnComment.hash_email(address))
        return results, may_have_duplicates

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and request.user.is_active and request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="text")
    def text(self, obj):
        body = " ".join(obj.body.split())
        body = body if len(body) <= 80 else body[:79] + "\u2026"
        if obj.title:
            return format_html('<span class="comment-title">{}</span><br>{}', obj.title, body)
        return body

    @admin.display(description="post", ordering="post__title")
    def post_title(self, obj):
        title = obj.post.title
        return title if len(title) <= 48 else title[:47] + "\u2026"

    @admin.display(description="texts before the commenter's edits")
    def edits_before(self, obj):
        texts = [str(text) for text in obj.earlier_texts or []]
        if not texts:
            return "Not edited."
        return format_html(
            '<ol class="comment-edit-history">{}</ol>',
            format_html_join(
                "",
                '<li><blockquote class="comment-edit-before">{}</blockquote></li>',
                ((t,) for t in texts),
            ),
        )
