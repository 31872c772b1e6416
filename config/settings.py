"""Trialpress settings: one module, every deploy value from the environment.

With DEBUG off (the default) the variables in REQUIRED_IN_PRODUCTION must be set,
or start-up stops with a message naming the missing ones.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL")


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_str(name, default=""):
    """The variable's value, or the default when it is unset or blank (``X=`` in a .env file)."""
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


VAR_DIR = Path(env_str("TRIALPRESS_VAR_DIR", BASE_DIR / "var"))
DEBUG = env_bool("DEBUG")

if not DEBUG:
    _missing = [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name)]
    if _missing:
        raise ImproperlyConfigured(
            "DEBUG is off, so these environment variables are required: "
            + ", ".join(_missing)
            + ". Set them (see README.md, 'Configuration') or set DEBUG=1 for local work."
        )

SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-only-key-never-used-with-debug-off"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Trialpress")
SITE_TAGLINE = env_str(
    "SITE_TAGLINE", "Clinical trials, read closely, with every conflict of interest declared."
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "pagecache",
    "blog",
    "comments",
    "trials",  # issue 12: trial records (depends on blog, never the reverse)
    "roles",
    "limits",
    "media_library",
    # == Search, authors, citing ==
    "search",
    "authors",
    "citations",
    # == Plain language (issue 14 part 2) ==
    "glossary",  # depends on blog (a post-body hook), never the reverse
]

MIDDLEWARE = [
    "config.middleware.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "config.middleware.UnreadableRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.AdminActionSelectionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it serves from the cache only after CSRF, auth and messages have run.
    "pagecache.middleware.PageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's default loaders (cached in every mode), reading the project's HTML
            # templates without their indentation and blank lines (config/template_loaders.py).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "config.template_loaders.FilesystemLoader",
                        "config.template_loaders.AppDirectoriesLoader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    }
]

# Database: SQLite file by default, anything dj-database-url understands otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if not os.environ.get("DATABASE_URL"):
    # The embedded database holds password hashes and commenters' addresses: its folder is
    # made readable by its owner only (a plain `migrate` deploy creates it here). An
    # existing folder is left as the operator set it.
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections persist (CONN_MAX_AGE) as for PostgreSQL: opening one and running the
    # pragmas below on every request would cost more than a cached page does.
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two writers
        # queue on the busy timeout instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set; otherwise the database, so that every worker
# process on the machine shares cached pages (never per-process locmem).
# `migrate` creates the database caches' tables (pagecache/tables.py).
REDIS_URL = env_str("REDIS_URL", "")
_CACHE_PREFIX = env_str("CACHE_KEY_PREFIX", "trialpress")
# Rate limits and sign-in throttling do not use a cache: their counters live in the
# database (limits.Counter), where no page traffic can evict them and windows keep their length.
# The cache holds pages and fails soft (pagecache/backends.py): down, full or missing, pages
# are served uncached and the failure is logged; short timeouts, so a hung Redis holds no request.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "pagecache.backends.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{_CACHE_PREFIX}-default",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "pagecache.backends.FailSoftDatabaseCache",
            "LOCATION": "trialpress_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"
# Where the client's IP comes from (rate limits, sign-in throttling): REMOTE_ADDR, or behind
# one trusted reverse proxy the header it sets, e.g. HTTP_X_FORWARDED_FOR (last entry used).
# Requests without a usable address share one bucket (config/client_ip.py): never exempt.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "REMOTE_ADDR")
# Admin sign-in throttling (limits/login_throttle.py), all counted per window below:
# failures for one username from one address (IPv6: one /64) before that pair is refused,
ADMIN_LOGIN_MAX_FAILURES = env_int("ADMIN_LOGIN_MAX_FAILURES", 5)
# failures from one address for any usernames before the address is refused,
ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("ADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
# failures for one username from all addresses before addresses it never signed in from are
# slowed to one attempt per ADMIN_LOGIN_SLOWDOWN_SECONDS (its known addresses are not),
ADMIN_LOGIN_USERNAME_SLOWDOWN_AFTER = env_int("ADMIN_LOGIN_USERNAME_SLOWDOWN_AFTER", 50)
ADMIN_LOGIN_SLOWDOWN_SECONDS = env_int("ADMIN_LOGIN_SLOWDOWN_SECONDS", 30)
ADMIN_LOGIN_LOCKOUT_SECONDS = env_int("ADMIN_LOGIN_LOCKOUT_SECONDS", 15 * 60)
# how long an address stays known for a username after a successful sign-in from it.
ADMIN_LOGIN_KNOWN_ADDRESS_DAYS = env_int("ADMIN_LOGIN_KNOWN_ADDRESS_DAYS", 90)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Where EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes each message.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Trialpress <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Page cache (the pagecache app): anonymous pages served from the "default" cache. What it
# watches, fills and varies on is registered by each app (pagecache/registry.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# At most this many pages, and this many bytes (a page over MAX_BYTES / MAX_ENTRIES is
# served uncached), in the shared cache, whatever the traffic.
PAGE_CACHE_MAX_ENTRIES = env_int("PAGE_CACHE_MAX_ENTRIES", 500)
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 256 * 1024 * 1024)
# Pages each worker also keeps in its own memory: up to entries x (MAX_BYTES / MAX_ENTRIES).
PAGE_CACHE_LOCAL_ENTRIES = env_int("PAGE_CACHE_LOCAL_ENTRIES", 128)
# X-Page-Cache: hit/miss tells anyone what is cached; always with DEBUG, otherwise on request.
PAGE_CACHE_HEADER = env_bool("PAGE_CACHE_HEADER")

# Labels (django-taggit): "MS" and "ms" are one label; the admin field reads and writes
# comma-separated labels, WordPress style (blog.models.labels_from_string).
TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "blog.models.labels_from_string"
TAGGIT_STRING_FROM_TAGS = "blog.models.labels_to_string"

# Security
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# CPU seconds one Markdown render (a post or a comment) may take; past it the text is stored
# and shown as escaped plain text, and the author or moderator is told. 0 switches it off.
MARKUP_RENDER_CPU_SECONDS = float(env_str("MARKUP_RENDER_CPU_SECONDS", "0.3"))
_STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY", _STRICT_CSP)
# The admin's own policy, as strict (Django's admin needs no inline script or style);
# setting one of the two never changes the other.
ADMIN_CONTENT_SECURITY_POLICY = env_str("ADMIN_CONTENT_SECURITY_POLICY", _STRICT_CSP)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "config.csrf.csrf_failure"
# HTTPS-only behaviour with DEBUG off; SECURE_SSL_REDIRECT=0 behind a TLS-terminating proxy
# that does not forward X-Forwarded-Proto, or for a local `make serve`.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Blog
BLOG_POSTS_PER_PAGE = env_int("BLOG_POSTS_PER_PAGE", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Comments ------------------------------------------------------------------------------
# The moderation policy's knobs (comments/moderation.py; documented in comments/README.md).
# Each one can be set from the environment variable of the same name.
COMMENT_MAX_LINKS = env_int("COMMENT_MAX_LINKS", 2)  # more links than this: held
COMMENT_MODERATION_WORDS = env_list("COMMENT_MODERATION_WORDS")  # comma-separated: held
COMMENT_DISALLOWED_WORDS = env_list("COMMENT_DISALLOWED_WORDS")  # comma-separated: spam
COMMENT_MIN_SUBMIT_SECONDS = env_int("COMMENT_MIN_SUBMIT_SECONDS", 3)  # sooner: spam
COMMENT_FORM_MAX_AGE_SECONDS = env_int("COMMENT_FORM_MAX_AGE_SECONDS", 86400)  # older: resubmit
COMMENT_RATE_LIMIT = env_str("COMMENT_RATE_LIMIT", "5/m")  # N/s|m|h|d per IP, or "off"
COMMENT_CLOSE_AFTER_DAYS = env_int("COMMENT_CLOSE_AFTER_DAYS", 0)  # 0: never close by age
COMMENT_MAX_DEPTH = env_int("COMMENT_MAX_DEPTH", 3)  # levels in a thread, 1 = no replies
COMMENT_APPROVE_RETURNING = env_bool("COMMENT_APPROVE_RETURNING", True)
COMMENT_MODERATORS = env_list("COMMENT_MODERATORS")  # comma-separated emails to notify
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 10000)  # characters in a comment
COMMENT_NAME_MAX_LENGTH = env_int("COMMENT_NAME_MAX_LENGTH", 100)  # at most 100 (the column)
COMMENT_DUPLICATE_SECONDS = env_int("COMMENT_DUPLICATE_SECONDS", 600)  # same text refused
# A longer comment is refused with its count (comments/words.py: CJK and Thai count one word
# per two characters). BMJ rapid responses allow 600.
COMMENT_MAX_WORDS = env_int("COMMENT_MAX_WORDS", 1000)
# A commenter may edit or withdraw their comment for this many minutes after sending it,
# from the same browser (a signed cookie), and never once it has a reply (comments/editing.py).
COMMENT_EDIT_MINUTES = env_int("COMMENT_EDIT_MINUTES", 15)
# A post's thread is shown in pages of this many top-level conversations, each with all its
# replies (?cpage=N; 0: the whole thread on one page), and in this order of conversations:
# "oldest" or "newest" first (replies inside a conversation stay oldest first).
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
COMMENTS_ORDER = env_str("COMMENTS_ORDER", "oldest")
if COMMENTS_PER_PAGE < 0:
    raise ImproperlyConfigured(f"COMMENTS_PER_PAGE is 0 or more, not {COMMENTS_PER_PAGE}")
if COMMENTS_ORDER not in ("oldest", "newest"):
    raise ImproperlyConfigured(f'COMMENTS_ORDER is "oldest" or "newest", not {COMMENTS_ORDER!r}')
# End of comments -----------------------------------------------------------------------

# Images and uploads (media_library) ----------------------------------------------------
# Uploaded images and their resized variants. MEDIA_URL must be a path on this site: pages
# make no third-party request, and the sanitiser keeps only same-site image addresses.
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
if not (MEDIA_URL.startswith("/") and MEDIA_URL.endswith("/") and not MEDIA_URL.startswith("//")):
    raise ImproperlyConfigured(
        f"MEDIA_URL must be a path on this site such as /media/, not {MEDIA_URL!r}"
    )
# Largest image file accepted (bytes); the admin's upload form may be this much larger than
# MAX_REQUEST_BODY_BYTES, only at the media library's admin addresses.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Largest image in pixels (width x height) decoded: a PNG of a few KB can claim 100,000 x
# 100,000 pixels and need 40 GB to decode (a decompression bomb).
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 50_000_000)
# Object storage: MEDIA_STORAGE_URL=s3://bucket/optional/prefix stores uploads through
# django-storages (pip install "django-storages[s3]"; not installed by default). Credentials
# and endpoint come from the usual AWS_* variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME), read by django-storages and boto3 themselves.
MEDIA_STORAGE_URL = env_str("MEDIA_STORAGE_URL", "")
if MEDIA_STORAGE_URL:
    from media_library.storage_settings import storage_from_url

    STORAGES["default"] = storage_from_url(MEDIA_STORAGE_URL)
else:
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# End of images and uploads -------------------------------------------------------------

# == Plain language (issue 14 part 2) ==
# A post never reviewed, or reviewed without a next date, is due this many days after it
# was published or last reviewed; past it, the page says so (blog.review_dates).
POST_REVIEW_AFTER_DAYS = env_int("POST_REVIEW_AFTER_DAYS", 3 * 365)

# == Background work and mail (django-tasks; README "Background work and mail") ==
# Mail and other work that need not happen inside a request go through the Tasks API
# (django-tasks, the backport of Django 6's django.tasks). "outbox" comes before
# django_tasks_db: its db_worker command wraps that app's, adding the recovery step.
INSTALLED_APPS += ["outbox", "django_tasks", "django_tasks_db"]
# "database" (default): tasks are rows in this site's database, run by `manage.py db_worker`.
# "rq": tasks go to Redis (TASKS_REDIS_URL, by default REDIS_URL), run by
# `manage.py rqworker --with-scheduler <TASKS_QUEUE>`. Chosen explicitly, never because
# REDIS_URL is set: a Redis kept as a page cache may evict keys or keep no copy on disk,
# which is fine for pages and loses mail.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
# The queue our tasks use; give each site that shares one Redis its own name.
TASKS_QUEUE = env_str("TASKS_QUEUE", "default")
if len(TASKS_QUEUE) > 32:  # django-tasks-db's column
    raise ImproperlyConfigured(f"TASKS_QUEUE is at most 32 characters, not {TASKS_QUEUE!r}")
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL", REDIS_URL)
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [TASKS_QUEUE]}}
elif TASKS_BACKEND == "rq":
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL (or TASKS_REDIS_URL)")
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [TASKS_QUEUE]}}
    RQ_QUEUES = {TASKS_QUEUE: {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}  # rqworker runs django-tasks' tasks
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database or rq, not {TASKS_BACKEND!r}")
# A task RUNNING this long is taken for one whose worker died (killed, machine lost): the
# next db_worker to start puts it back in the queue. Tasks a worker of the same
# --worker-id left RUNNING go back at once. Longer than any task takes (mail: seconds).
TASKS_STALE_AFTER_SECONDS = env_int("TASKS_STALE_AFTER_SECONDS", 30 * 60)
# Mail (outbox.services.mail_enqueue): tries per message, and the wait before the second
# try; each later wait is four times longer (1, 4, 16, 64 minutes by default).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
# == End of background work and mail ==
# The sentence after the "not reviewed since" notice, telling a reader where current advice
# is (a site about one illness may name its team: "For current advice, ask your MS team.").
POST_REVIEW_ADVICE = env_str(
    "POST_REVIEW_ADVICE", "For current advice, ask your doctor or care team."
)

# == Imports (issue 17) ==
# Blogger and WordPress imports (imports/, manage.py import_blogger / import_wxr).
INSTALLED_APPS += ["imports"]
# Old addresses of imported posts answer with a 301 where nothing else answers (a 404);
# placed before the page cache so that a cached 404 is redirected too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("pagecache.middleware.PageCacheMiddleware"),
    "imports.middleware.LegacyAddressMiddleware",
)
# Largest export file an import reads (bytes); checked before reading a byte.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 100 * 1024 * 1024)

# == Notify me (issue 15): commenters' confirmed email notifications (subscriptions/) ==
INSTALLED_APPS += ["subscriptions"]
# A confirmation link works this many days. An address is asked once, ever, so the one
# link stays good long enough to be found again in a mailbox.
SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS = env_int("SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS", 90)
# An unsubscribe link works this many days (every mail carries a fresh one).
SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE_DAYS = env_int("SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE_DAYS", 365)
# == End of notify me ==

# == Right of reply (issue 16): a post's author is emailed about each approved response ==
# The "stop these emails" link in that email works this many days (once).
AUTHORS_RIGHT_OF_REPLY_LINK_MAX_AGE_DAYS = env_int("AUTHORS_RIGHT_OF_REPLY_LINK_MAX_AGE_DAYS", 365)
# == End of right of reply ==
