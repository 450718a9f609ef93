"""Oracle settings, configured entirely by environment variables: production unless told otherwise.

With DJANGO_DEBUG off (the default) the site refuses to start without a real secret key and turns
on the secure defaults `check --deploy` asks for. gunicorn (oracle.wsgi) and `make check` use this
module. A developer's `manage.py` uses oracle.settings_dev, which turns DEBUG on: the `.env` that
`make run` writes names it, and only manage.py reads `.env` (see manage.py).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (these are the production settings)."
        )
    # Development only: a fixed, obviously insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
elif not DEBUG and SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is a development key; set a long random one in production.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # django.contrib.admin, autodiscovering every app's admin module but django_tasks_db's
    # (core/admin_site.py): every model is registered once, in oracle/admin.py.
    "core.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "reversion",
    "nested_admin",
    "django_tasks",
    "django_tasks_db",
    "core",
    "references",
    "articles",
    "reviews",
    "ninja",
    "api",
    # Last: the site itself, which registers every model with the admin (oracle/admin.py).
    "oracle",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes' backend comes first: it refuses a locked-out username + address before any
# password is checked. It needs `request`, which the admin's login form always passes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "oracle.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oracle.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "oracle.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The site and its worker write to one SQLite file at once. Take the write lock when a
    # transaction begins (IMMEDIATE), so a writer waits its turn (up to `timeout` seconds) instead
    # of failing with "database is locked" when a read turns into a write; WAL lets readers go on
    # while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Published answer pages (articles/published_files.py). The default writes atomically under
    # ORACLE_PUBLISH_DIR, which deploy/nginx.conf serves; ORACLE_PUBLISH_STORAGE names any other
    # Django storage (e.g. "storages.backends.s3.S3Storage" from django-storages, configured by
    # its own settings) for several application servers or a CDN.
    "published": {"BACKEND": os.environ.get("ORACLE_PUBLISH_STORAGE", "core.storage.AtomicPublishStorage")},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

# Error pages in the site's design (oracle/errors.py; handlers in oracle/urls.py).
CSRF_FAILURE_VIEW = "oracle.errors.csrf_failure"

# Admin login throttling (django-axes): after ORACLE_LOGIN_FAILURE_LIMIT failed sign-ins for one
# username from one client address, that pair is refused, even with the right password, until
# ORACLE_LOGIN_LOCKOUT_MINUTES pass without another attempt. Keyed on the pair, so guessing from
# one address cannot lock a colleague out elsewhere; a changed User-Agent does not reset the count.
# A successful sign-in clears the count. Attempts are stored in the database (shared by every
# process); lift a lock early with `manage.py axes_reset_username NAME` (or axes_reset_ip).
AXES_FAILURE_LIMIT = int(os.environ.get("ORACLE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ORACLE_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "oracle.errors.login_locked_out"
# The address is REMOTE_ADDR unless the request comes from a trusted proxy (see
# ORACLE_CLIENT_IP_HEADER and ORACLE_TRUSTED_PROXIES below, and deploy/nginx.conf).
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip_address"
# Attempts are listed and reset with axes' commands (axes_list_attempts, axes_reset_*), not admin
# pages: every admin URL is classified in tests/security/test_url_matrix.py.
AXES_ENABLE_ADMIN = False

# Content Security Policy: everything is served from our own origin; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Nothing of ours reads the CSRF cookie from JavaScript (forms carry the token), admin included.
CSRF_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
# SMTP, like every secret, only from the environment.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
# A mail server that does not answer fails the worker's attempt (retried later), not a request.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))

# Durable effects (core/tasks.py): enqueued in the decision's transaction, run by `manage.py worker`.
# "database" (default): the ORM backend, whose task rows are part of that transaction.
# "rq": RQ on Redis (ORACLE_TASKS_REDIS_URL, else REDIS_URL) for many workers; each effect is still
# recorded in the transaction and sent to Redis once it commits (the worker's sweep re-sends a lost one).
ORACLE_TASKS_BACKEND = os.environ.get("ORACLE_TASKS_BACKEND", "database")
if ORACLE_TASKS_BACKEND == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("core"), "django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ.get("ORACLE_TASKS_REDIS_URL") or os.environ.get("REDIS_URL", "")}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Retries: ORACLE_EFFECT_RETRY_SECONDS after the first failure, doubling, at most
# ORACLE_EFFECT_RETRY_MAX_SECONDS apart; "failed" after ORACLE_EFFECT_MAX_ATTEMPTS attempts.
ORACLE_EFFECT_RETRY_SECONDS = float(os.environ.get("ORACLE_EFFECT_RETRY_SECONDS", "5"))
ORACLE_EFFECT_RETRY_MAX_SECONDS = float(os.environ.get("ORACLE_EFFECT_RETRY_MAX_SECONDS", "900"))
ORACLE_EFFECT_MAX_ATTEMPTS = int(os.environ.get("ORACLE_EFFECT_MAX_ATTEMPTS", "10"))
# A running effect whose worker died is taken again after this many seconds.
ORACLE_EFFECT_LEASE_SECONDS = float(os.environ.get("ORACLE_EFFECT_LEASE_SECONDS", "120"))
# The worker's sweep re-sends an effect that is due but was sent this long ago and not run.
ORACLE_EFFECT_RESEND_SECONDS = float(os.environ.get("ORACLE_EFFECT_RESEND_SECONDS", "30"))
# Done effects (each email's sent-once marker) and task rows are kept this long.
ORACLE_EFFECT_KEEP_DAYS = int(os.environ.get("ORACLE_EFFECT_KEEP_DAYS", "30"))
# Also try each effect once in the committing process, right after commit (the worker still
# retries what fails). Off: requests never wait for a mail server or the publish storage.
ORACLE_EFFECTS_TRY_AFTER_COMMIT = env_bool("ORACLE_EFFECTS_TRY_AFTER_COMMIT", default=False)
# The worker's periodic jobs (every N seconds, one worker per slot).
ORACLE_PERIODIC_JOBS = {
    "reconcile_published": {
        "effect": "articles.published_files.reconcile_effect",
        "every": int(os.environ.get("ORACLE_RECONCILE_SECONDS", "300")),
    },
    # every page present or absent as it should be; contents of the answers changed in the last hour
    # (a full comparison of every page daily)
    "reconcile_published_full": {"effect": "articles.published_files.reconcile_full_effect", "every": 86400},
    "overdue_notices": {"effect": "articles.cadence.refresh_overdue_notices_effect", "every": 86400},
    "prune_effects": {"effect": "core.tasks.prune", "every": 86400},
    # scheduled publications and withdrawals, at their minute (reviews/schedules.py)
    "run_schedules": {"effect": "reviews.schedules.schedules_run_due", "every": 60},
    # assignees of overdue review stages, reminded once a day (reviews/stages.py)
    "overdue_stages": {"effect": "reviews.stages.remind_overdue_effect", "every": 86400},
    # readers' error reports that waited out ORACLE_ERROR_REPORT_EMAIL_MINUTES, in one email
    "error_report_emails": {"effect": "reviews.notifications.send_error_report_emails", "every": 60},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Oracle -------------------------------------------------------------------------------
ORACLE_SITE_NAME = os.environ.get("ORACLE_SITE_NAME", "Oracle")
# Seconds a reader's browser or a shared cache may keep an answer page before revalidating.
ORACLE_PAGE_MAX_AGE = int(os.environ.get("ORACLE_PAGE_MAX_AGE", "300"))
# Largest page file `import_article` accepts; larger ones are refused before they are read.
ORACLE_IMPORT_MAX_BYTES = int(os.environ.get("ORACLE_IMPORT_MAX_BYTES", str(1024 * 1024)))
# Where the site is served, for links printed by commands and written into emails.
ORACLE_BASE_URL = os.environ.get("ORACLE_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
# Board approvals needed before an answer is published (different members).
ORACLE_REQUIRED_APPROVALS = int(os.environ.get("ORACLE_REQUIRED_APPROVALS", "1"))
# Unresolved comment threads refuse an approval (off: the review page only warns).
ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL = env_bool("ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL", default=True)
# Show never-approved answers whose first review is open, with a "pending human review" caution.
ORACLE_SHOW_PENDING = env_bool("ORACLE_SHOW_PENDING", default=False)
# API: requests per token per minute, and the largest request body (413 above it, before reading).
ORACLE_API_RATE_LIMIT = int(os.environ.get("ORACLE_API_RATE_LIMIT", "120"))
ORACLE_API_MAX_BYTES = int(os.environ.get("ORACLE_API_MAX_BYTES", str(512 * 1024)))
# Claims must each cite a source before an answer can be submitted for review.
ORACLE_REQUIRE_CITED_CLAIMS = env_bool("ORACLE_REQUIRE_CITED_CLAIMS", default=True)
# Evidence grades per claim: "grade" (GRADE: high … very low) or "strength_quality" (1A … 2C).
ORACLE_EVIDENCE_SCHEME = os.environ.get("ORACLE_EVIDENCE_SCHEME", "grade")
# Re-review cadence: months between reviews (overridable per topic and per answer); readers see
# "due for review" once an answer is this many days past its due date.
ORACLE_REVIEW_INTERVAL_MONTHS = int(os.environ.get("ORACLE_REVIEW_INTERVAL_MONTHS", "12"))
ORACLE_REVIEW_GRACE_DAYS = int(os.environ.get("ORACLE_REVIEW_GRACE_DAYS", "30"))
# `review_due` tells the board about answers due within this many days (and overdue ones).
ORACLE_REVIEW_DUE_NOTICE_DAYS = int(os.environ.get("ORACLE_REVIEW_DUE_NOTICE_DAYS", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Oracle <editorial@localhost>")

# Cache (rate limits, page caching): Redis when REDIS_URL is set, else per-process memory. Every
# Redis call is bounded (seconds): a Redis that hangs makes pages uncached, never a request stuck.
REDIS_TIMEOUT_SECONDS = float(os.environ.get("ORACLE_REDIS_TIMEOUT_SECONDS", "0.5"))
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Follow-up questions accepted per client address per hour.
ORACLE_FOLLOW_UP_RATE_LIMIT = int(os.environ.get("ORACLE_FOLLOW_UP_RATE_LIMIT", "5"))
# Readers' error reports on claims (articles/error_reports.py): accepted per client address per
# hour, and the service level: each report is due for a decision this many days after it arrives.
ORACLE_ERROR_REPORT_RATE_LIMIT = int(os.environ.get("ORACLE_ERROR_REPORT_RATE_LIMIT", "5"))
ORACLE_ERROR_REPORT_SLA_DAYS = int(os.environ.get("ORACLE_ERROR_REPORT_SLA_DAYS", "7"))
# The board gets at most one email about readers' error reports in this many minutes: the first
# report after a quiet spell is emailed at once, those that follow within it in one later email.
ORACLE_ERROR_REPORT_EMAIL_MINUTES = int(os.environ.get("ORACLE_ERROR_REPORT_EMAIL_MINUTES", "60"))
# Behind a proxy, the request header that carries the client's address (e.g. HTTP_X_REAL_IP);
# empty to use REMOTE_ADDR.
ORACLE_CLIENT_IP_HEADER = os.environ.get("ORACLE_CLIENT_IP_HEADER", "")
# The login throttle believes that header only from these addresses (the proxy in front of
# gunicorn); from anyone else it would be a client's claim, and a way round the lockout.
ORACLE_TRUSTED_PROXIES = env_list("ORACLE_TRUSTED_PROXIES", "127.0.0.1,::1")
# Whole-page cache of public pages (answers, home, topics, feed); invalidated on every publication.
# On by default only where every process shares one cache (Redis). A per-process memory cache is
# invalidated in the process that publishes alone: under several gunicorn workers the others would
# serve the old page, and in development the server would never hear of a publication made by a
# command (`import_article --publish`, `import_source_events`, `manage.py shell`). Without the
# cache an answer page is still one query, so development loses nothing it would notice.
ORACLE_PAGE_CACHE = env_bool("ORACLE_PAGE_CACHE", default=bool(os.environ.get("REDIS_URL")))
ORACLE_PAGE_CACHE_SECONDS = int(os.environ.get("ORACLE_PAGE_CACHE_SECONDS", "86400"))
# Static publishing: public answer pages are also written here for nginx (deploy/nginx.conf); "" turns it off.
ORACLE_PUBLISH_DIR = os.environ.get("ORACLE_PUBLISH_DIR", str(BASE_DIR / "publish"))
# Addresses per sitemap file; past it /sitemap.xml becomes an index of parts (the protocol allows 50,000).
ORACLE_SITEMAP_PAGE_SIZE = min(int(os.environ.get("ORACLE_SITEMAP_PAGE_SIZE", "50000")), 50000)
