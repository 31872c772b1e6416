"""The media library in the admin: upload, list with thumbnails, describe, copy Markdown.

Everyone in a role sees every image (to insert it); its uploader and Editors describe or
delete it (roles.policy). Every write goes through media_library.services.
"""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from media_library import services
from media_library.forms import ImageDescriptionForm, ImageUploadForm
from media_library.models import Image, media_url
from roles import policy

THUMBNAIL_WIDTH = 120


def _thumbnail(image, width=THUMBNAIL_WIDTH):
    entry = image.thumbnail
    if not entry:
        return "\u2014"
    height = max(1, round(width * image.height / max(image.width, 1)))
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="media-thumb" loading="lazy">',
        media_url(entry["name"]),
        width,
        height,
        image.alt_text,
    )


def _markdown_box(image):
    """The snippet to paste into a post, in a read-only field anyone can select; the
    script (media-admin.js) adds a Copy button."""
    return format_html(
        '<span class="media-markdown"><input type="text" readonly value="{}" size="{}" '
        'aria-label="Markdown for \u201c{}\u201d" class="media-markdown-text"></span>',
        image.markdown,
        min(max(len(image.markdown), 20), 60),
        image,
    )


def _posts_showing(image):
    """Published posts by title, linked (readers see them anyway); others only counted, so an
    author learns no other author's draft title. "" when no post shows it."""
    from blog.models import Post

    showing = Post.objects.filter(pk__in=services.posts_showing(image))
    published = list(showing.published().only("pk", "title", "slug", "published_at"))
    others = showing.count() - len(published)
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((post.get_absolute_url(), post.title) for post in published),
    )
    if others:
        links = format_html("{}{}{} unpublished post(s)", links, "; " if published else "", others)
    return links


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("preview", "title", "alt_text", "dimensions", "markdown_snippet", "uploaded")
    list_display_links = ("preview", "title")
    search_fields = ("title", "alt_text", "caption")
    list_per_page = 40
    list_select_related = ("uploaded_by",)
    date_hierarchy = None

    class Media:
        css = {"all": ("css/media-admin.css",)}
        js = ("js/media-admin.js",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ImageDescriptionForm if obj is not None else ImageUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("upload", "alt_text", "caption", "title")
        return (
            "large_preview",
            "markdown_snippet",
            "alt_text",
            "caption",
            "title",
            "dimensions",
            "stored_files",
            "shown_in",
            "uploaded",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "large_preview",
            "markdown_snippet",
            "dimensions",
            "stored_files",
            "shown_in",
            "uploaded",
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or policy.can_change_image(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or policy.can_delete_image(request.user, obj))

    def save_model(self, request, obj, form, change):
        if change:
            services.image_describe(
                image=obj, alt_text=obj.alt_text, caption=obj.caption, title=obj.title
            )
            return
        obj.uploaded_by = request.user
        services.image_store(
            image=obj, processed=form.processed, filename=form.cleaned_data["upload"].name
        )
        for note in form.processed.notes:
            self.message_user(request, f"\u201c{obj}\u201d: {note}", messages.WARNING)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            f"To show it in a post, paste {obj.markdown} where it belongs.",
            messages.INFO,
        )
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        services.image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            if policy.can_delete_image(request.user, image):
                services.image_delete(image=image)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting several at once would skip the per-image rule silently: one at a time.
        if not policy.is_editor(request.user):
            actions.pop("delete_selected", None)
        return actions

    @admin.display(description="image")
    def preview(self, obj):
        return _thumbnail(obj)

    @admin.display(description="preview")
    def large_preview(self, obj):
        return _thumbnail(obj, width=min(480, obj.width))

    @admin.display(description="Markdown")
    def markdown_snippet(self, obj):
        return _markdown_box(obj)

    @admin.display(description="size")
    def dimensions(self, obj):
        return f"{obj.width} \u00d7 {obj.height} px, {obj.format.upper()}"

    @admin.display(description="stored sizes")
    def stored_files(self, obj):
        return format_html_join(
            ", ",
            '<a href="{}">{} px</a> ({} KB)',
            (
                (media_url(entry["name"]), entry["width"], max(1, entry.get("bytes", 0) // 1024))
                for entry in obj.files
            ),
        )

    @admin.display(description="shown in")
    def shown_in(self, obj):
        return _posts_showing(obj) or "No post uses it yet."

    def delete_view(self, request, object_id, extra_context=None):
        image = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "shown_in": image and _posts_showing(image)}
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description="uploaded", ordering="uploaded_at")
    def uploaded(self, obj):
        who = obj.uploaded_by.get_username() if obj.uploaded_by else "someone since deleted"
        return f"{obj.uploaded_at:%Y-%m-%d %H:%M} by {who}"
