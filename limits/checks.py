"""System checks for the sign-in throttling and client-address settings."""

from django.conf import settings
from django.core.checks import Error, Warning, register

WHOLE_NUMBER_SETTINGS = (
    "ADMIN_LOGIN_MAX_FAILURES",
    "ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS",
    "ADMIN_LOGIN_USERNAME_SLOWDOWN_AFTER",
    "ADMIN_LOGIN_SLOWDOWN_SECONDS",
    "ADMIN_LOGIN_LOCKOUT_SECONDS",
    "ADMIN_LOGIN_KNOWN_ADDRESS_DAYS",
)


@register()
def throttle_settings(app_configs, **kwargs):
    problems = [
        Error(f"{name} must be a whole number of at least 1.", id="limits.E001")
        for name in WHOLE_NUMBER_SETTINGS
        if not isinstance(getattr(settings, name, None), int) or getattr(settings, name) < 1
    ]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and (
        settings.CLIENT_IP_HEADER == "REMOTE_ADDR"
    ):
        problems.append(
            Warning(
                "BEHIND_PROXY is set but CLIENT_IP_HEADER is REMOTE_ADDR: every visitor has the "
                "proxy's address, so all share one rate limit and one sign-in throttle.",
                hint="Set CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR (or the header your proxy sets).",
                id="limits.W001",
            )
        )
    return problems
