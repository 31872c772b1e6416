from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "limits"
    verbose_name = "Rate limits and sign-in throttling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from limits import checks  # noqa: F401  (registers the system checks)
