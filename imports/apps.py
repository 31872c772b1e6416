from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from blog import extensions
        from imports.admin import ImportedFromInline

        extensions.register_post_inline(ImportedFromInline)
