"""Editors keep the glossary; Authors may read it (permissions: the glossary migrations).

Saving and deleting go through glossary.services, which re-render the posts that use
the words."""

from django.contrib import admin

from glossary.models import Term
from glossary.services import term_delete, term_save


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("term", "abbreviation", "explanation")
    search_fields = ("term", "abbreviation", "explanation")
    fields = ("term", "abbreviation", "explanation", "slug")
    prepopulated_fields = {"slug": ("term",)}

    def save_model(self, request, obj, form, change):
        term_save(term=obj)

    def delete_model(self, request, obj):
        term_delete(term=obj)

    def delete_queryset(self, request, queryset):
        for term in queryset:
            term_delete(term=term)
