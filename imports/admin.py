"""What the imports remember, shown to Editors read-only: the old addresses that redirect
and which source item became which post, comment or image; and, on a post's admin page,
where it was imported from."""

from django.contrib import admin
from django.utils.html import format_html

from imports.models import ImportedItem, LegacyAddress
from roles.policy import is_editor


class EditorsReadOnly:
    """Editors (and superusers) see the rows; nobody adds or changes them here: they are
    the import's memory, and a second import relies on them."""

    def has_module_permission(self, request):
        return request.user.is_staff and is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegacyAddress)
class LegacyAddressAdmin(EditorsReadOnly, admin.ModelAdmin):
    list_display = ("path", "post", "created_at")
    search_fields = ("path", "post__title")
    list_select_related = ("post",)
    ordering = ("path",)


@admin.register(ImportedItem)
class ImportedItemAdmin(EditorsReadOnly, admin.ModelAdmin):
    list_display = ("kind", "format", "source_id", "source_site", "post", "imported_at")
    list_filter = ("kind", "format")
    search_fields = ("source_id", "source_url", "post__title")
    list_select_related = ("post",)
    ordering = ("-imported_at", "-pk")


class ImportedFromInline(admin.TabularInline):
    """On the post's page: "Imported from <original address>", when it was imported."""

    model = ImportedItem
    fk_name = "post"
    fields = ("original", "format", "imported_at")
    readonly_fields = ("original", "format", "imported_at")
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = "Imported from"
    verbose_name_plural = "Imported from"

    def get_queryset(self, request):
        # Not super(): it asks has_view_permission without the post and would empty this.
        return ImportedItem.objects.filter(kind=ImportedItem.Kind.POST)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        """Shown only on an imported post's page (one query), never as an empty box."""
        if obj is None or not request.user.is_staff:  # not on the add page
            return False
        return ImportedItem.objects.filter(post=obj, kind=ImportedItem.Kind.POST).exists()

    @admin.display(description="original address")
    def original(self, item):
        url = item.source_url
        if url.lower().startswith(("http://", "https://")):
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, url)
        return url or "(not recorded)"
