"""Django settings for Gathering, read from the environment with safe embedded defaults.

Development (the default) runs on an SQLite file in var/, sends email to the console and runs background
jobs in-process. Production (GATHERING_ENV=production) refuses to start without a real SECRET_KEY and
ALLOWED_HOSTS, and turns on every transport-security setting `gathering check --deploy` looks for.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SRC_DIR.parent
VAR_DIR = Path(environ.Env().str("GATHERING_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

GATHERING_ENV = env.str("GATHERING_ENV", default="development")
if GATHERING_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured("GATHERING_ENV must be 'development' or 'production'.")
PRODUCTION = GATHERING_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    # No fallback: a production instance with a guessable key would be a security hole.
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-never-used-in-production-0123456789")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "gathering.core",
    "gathering.accounts",
    "gathering.privacy",
    "gathering.events",
    "gathering.programme",
    "gathering.circles",
    "gathering.learning",
    "gathering.support",
    "gathering.directory",
    "gathering.impact",
    "gathering.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "drf_spectacular",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gathering.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "gathering.core.middleware.TimezoneMiddleware",
    "gathering.accounts.middleware.StaffMFAMiddleware",
    "gathering.core.middleware.PrivateCacheMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "gathering.core.faults.DatabaseLostMiddleware",
]

ROOT_URLCONF = "gathering.urls"
WSGI_APPLICATION = "gathering.wsgi.application"
ASGI_APPLICATION = "gathering.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gathering.core.context_processors.site",
                "gathering.core.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite in var/ unless DATABASE_URL says otherwise.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gathering.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a background job writes; IMMEDIATE makes writers queue rather
    # than fail with "database is locked" when two requests write at once. Reads go through a memory map
    # (up to 256 MiB of the file) and a 32 MiB page cache per connection instead of SQLite's 2 MiB, so a
    # search over a big directory does not read the same pages from the file again and again.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA mmap_size=268435456; PRAGMA cache_size=-32768;",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured (shared by all web hosts, needed for rate limits to hold across them).
REDIS_URL = env.str("REDIS_URL", default="")
if PRODUCTION and not REDIS_URL:
    # Sign-in limits and used second-factor codes live in the cache: in memory, each gunicorn worker would
    # keep its own, so limits would multiply and a code could be used once per worker.
    raise environ.ImproperlyConfigured(
        "Set REDIS_URL: rate limits and used sign-in codes must be shared by every process."
    )
if REDIS_URL:
    # While Redis is down each process counts in its own memory and pages keep serving: limits still hold,
    # per process, and Redis is used again once it answers (gathering/core/cache.py).
    CACHES = {"default": {"BACKEND": "gathering.core.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: Celery tasks (gathering/celery.py), Redis as the broker. Without a broker (embedded mode)
# the same tasks run in this process straight after the commit (gathering/core/background.py).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
if PRODUCTION and not CELERY_BROKER_URL:
    # In-process, every optimiser run would take a web worker's CPU and die with it on a restart.
    raise environ.ImproperlyConfigured(
        "Set CELERY_BROKER_URL (or REDIS_URL): in production background work runs in Celery workers."
    )
GATHERING_TASKS_EAGER = not CELERY_BROKER_URL
if GATHERING_TASKS_EAGER:
    # Nothing is sent in embedded mode. Should anything try, it goes nowhere, not to Celery's own default
    # (AMQP on localhost).
    CELERY_BROKER_URL = "memory://"
# A task is acknowledged when it has finished, not when a worker takes it, so a worker that dies mid-task
# (killed, out of memory, the machine gone) leaves its task to run again elsewhere. Every task is written to
# be run twice safely. Each worker process takes one task at a time, so a long run holds no others back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Optimiser runs have a queue and a worker of their own, so a minute of solving never delays an email.
CELERY_TASK_ROUTES = {
    "gathering.programme.tasks.timetable_run": {"queue": "optimise"},
    "gathering.circles.tasks.formation_run": {"queue": "optimise"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task whose worker died is handed out again after this many seconds. It must be longer than any
    # optimiser run may last (its time limit is at most 2 minutes), or a live run would be handed out twice.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    # Look for such tasks every 10 seconds rather than every 100.
    "unacked_restore_throttle": 1,
    # With Redis down, a request gives up on queueing its task quickly: the sweeps pick the work up later.
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat's schedule comes from the periodic job registry (gathering.core.jobs) when beat starts.
CELERY_BEAT_SCHEDULER = "gathering.core.beat:RegistryScheduler"
# Workers log through LOGGING below, with its filter for personal data, not through Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The solver's threads: one in embedded mode, where it shares the web server's process; two in a worker.
GATHERING_OPTIMISER_THREADS = 1 if GATHERING_TASKS_EAGER else 2

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "core:home"

# django-allauth: email is the only login; every address is verified before it can be used.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {
    "signup": "gathering.accounts.forms.SignupForm",
    "login": "gathering.accounts.forms.LoginForm",
    "reset_password": "gathering.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "gathering.accounts.forms.ResetPasswordKeyForm",
    "change_password": "gathering.accounts.forms.ChangePasswordForm",
    "set_password": "gathering.accounts.forms.SetPasswordForm",
    "add_email": "gathering.accounts.forms.AddEmailForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
# A session alone is not enough for what outlives it: changing the email address, making an API token or
# setting up two-step verification asks for the password again, unless it was confirmed within this many
# seconds (see gathering/accounts/email_change.py for the undo link sent to the old address).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Gathering] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_ADAPTER = "gathering.accounts.adapter.AccountAdapter"
# Failed sign-ins: 5 in 5 minutes for one account from one address (gathering/accounts/limits.py), 10 a
# minute from one address, and for one account from anywhere 30 an hour and 100 a day: a stranger cannot
# lock a person out for long, and guessing from many addresses stays slow. allauth applies "login_failed" to
# second-factor codes too, per person. Wrong passwords before deleting an account: 5 in 5 minutes per
# account, 10 a minute per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,30/h/key,100/d/key",
    "login_failed_here": "5/300s/key",
    "delete_account_failed": "10/m/ip,5/300s/user",
    "signup": "20/m/ip",
}
# Behind nginx every visitor arrives from 127.0.0.1: count the proxies so rate limits key on the real address.
# One function reads it for every per-address limit (gathering.core.client_address): allauth's through the
# account adapter, the forms' through RATELIMIT_IP_META_KEY, the API's through its throttle classes.
GATHERING_TRUSTED_PROXY_COUNT = env.int("GATHERING_TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = GATHERING_TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Gathering"

# Form rate limits (django-ratelimit) share the cache; a refusal is a plain "try again later" page.
RATELIMIT_VIEW = "gathering.core.views.rate_limited"
RATELIMIT_IP_META_KEY = "gathering.core.client_address.client_address"

# Staff sessions end after 30 minutes idle; participants stay signed in for two weeks unless they sign out.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
GATHERING_STAFF_IDLE_SECONDS = env.int("GATHERING_STAFF_IDLE_SECONDS", default=30 * 60)
# API tokens of staff expire (participants' last until revoked); every token ends with a new password.
GATHERING_STAFF_TOKEN_DAYS = env.int("GATHERING_STAFF_TOKEN_DAYS", default=30)

# Internationalisation: British English first, every string through gettext.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [SRC_DIR / "gathering" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Without `collectstatic` (development, tests) whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploads that only some people may read (course materials): outside MEDIA_ROOT, so the web server never
# serves them; the app's own views check who asks, then send them.
GATHERING_PRIVATE_ROOT = Path(env.str("GATHERING_PRIVATE_ROOT", default=str(VAR_DIR / "private")))
# The RSA key that signs Open Badge credentials (learning/keys.py). Development creates it on first use;
# production must provide it, and it belongs in the backups: credentials already issued need it.
GATHERING_CREDENTIAL_KEY_FILE = env.str(
    "GATHERING_CREDENTIAL_KEY_FILE", default=str(VAR_DIR / "credential-signing-key.pem")
)

# Email: console in development; EMAIL_URL (smtp://user:pass@host:587, with ?ssl/tls) in production.
EMAIL_URL = env.str("EMAIL_URL", default="")
if PRODUCTION and not EMAIL_URL.startswith(("smtp://", "smtps://", "smtp+tls://", "smtp+ssl://")):
    # Without a mail server every email (names, addresses, what people asked for) would be written to the log.
    raise environ.ImproperlyConfigured(
        "Set EMAIL_URL to your mail server (smtp://user:password@host:587/?tls=True): in production emails "
        "are sent, never printed."
    )
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Gathering <no-reply@gathering.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: the same headers in every shape; transport security in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
GATHERING_PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
        "report-uri": ["/csp-report/"],
    }
}

# REST API: /api/v1/ with session or token authentication and one error shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gathering.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "gathering.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: form encodings cannot tell 0 from false or a number from text, so the views would have to
    # guess; anything else is refused with 415 (documented in the schema).
    "DEFAULT_PARSER_CLASSES": ["gathering.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "gathering.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "gathering.api.throttling.AnonRateThrottle",
        "gathering.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min", "proposals": "20/hour"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gathering API",
    "DESCRIPTION": "Events, registrations and people of a Gathering network. "
    "Authenticate with a session or with `Authorization: Token KEY`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gathering.api.schema.add_error_responses",
        "gathering.events.api.document_registration_rules",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "gathering.events.models.Event.Status",
        "RegistrationStatusEnum": "gathering.events.models.Registration.Status",
        "EventKindEnum": "gathering.events.models.Event.Kind",
        "TicketKindEnum": "gathering.events.models.TicketType.Kind",
        "EventFormatEnum": "gathering.events.models.Event.Format",
        "SessionFormatEnum": "gathering.programme.models.Session.Format",
        "SessionStatusEnum": "gathering.programme.models.Session.Status",
        "SessionTrackEnum": "gathering.programme.models.Session.Track",
        "NeedEnum": "gathering.programme.models.Need",
        "InterestLevelEnum": "gathering.programme.serializers.LEVEL_CHOICES",
    },
}

# Logging: structured enough to debug, never a personal detail (no emails, names or query strings).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "gathering.core.logging.NoPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Gathering's own settings.
GATHERING_SITE_NAME = env.str("GATHERING_SITE_NAME", default="Gathering")
GATHERING_QUICK_EXIT_URL = env.str("GATHERING_QUICK_EXIT_URL", default="https://www.bbc.co.uk/weather")
GATHERING_DEFAULT_COUNTRY = env.str("GATHERING_DEFAULT_COUNTRY", default="GB")
# Find support's map: a tile server's address ("https://tile.example.org/{z}/{x}/{y}.png") and the credit it
# asks for. Empty (the default): no tiles, the map shows the results on a plain background and nothing is
# requested from another site. When set, the search page's Content-Security-Policy allows images from it.
GATHERING_MAP_TILES_URL = env.str("GATHERING_MAP_TILES_URL", default="")
GATHERING_MAP_TILES_ATTRIBUTION = env.str("GATHERING_MAP_TILES_ATTRIBUTION", default="")
# Our network's pages show an organisation's logo from this site; logos from these other origins
# ("https://images.example.org") too, and those pages' Content-Security-Policy then allows them. Empty (the
# default): a logo on another site is not shown, so no visitor's browser asks another site for it.
GATHERING_LOGO_ORIGINS = env.list("GATHERING_LOGO_ORIGINS", default=[])
# How long personal data is kept (docs/data-protection.md); the daily retention jobs enforce it.
GATHERING_RETENTION_DAYS = {
    "access_needs_after_event": env.int("GATHERING_RETAIN_ACCESS_NEEDS_DAYS", default=30),
    "bursary_circumstances_after_decision": env.int("GATHERING_RETAIN_BURSARY_DAYS", default=182),
    "unverified_accounts": env.int("GATHERING_RETAIN_UNVERIFIED_DAYS", default=30),
}
# Shown to people paying by bank transfer, e.g. "Account name X, sort code 00-00-00, account 12345678".
# Reminders with the joining link of an online or hybrid Gathering: hours before the start, comma-separated.
GATHERING_ONLINE_REMINDER_HOURS = env.str("GATHERING_ONLINE_REMINDER_HOURS", default="24,1")
GATHERING_BANK_TRANSFER_DETAILS = env.str("GATHERING_BANK_TRANSFER_DETAILS", default="")

FORM_RENDERER = "gathering.core.forms.FormRenderer"

# Special-category data is encrypted with these Fernet keys, newest first (see gathering/privacy/crypto.py).
# Make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
GATHERING_ENCRYPTION_KEYS = env.list("GATHERING_ENCRYPTION_KEYS", default=[])
if PRODUCTION and not GATHERING_ENCRYPTION_KEYS:
    raise environ.ImproperlyConfigured(
        "Set GATHERING_ENCRYPTION_KEYS: special-category data must be encrypted."
    )

# --- Outbox and periodic jobs (gathering.core.outbox, gathering.core.jobs) ---------------------------------
# Links in emails are absolute: the address people reach this site at, without a trailing slash.
GATHERING_BASE_URL = env.str("GATHERING_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Replies to organisers' messages go here (a team inbox someone reads); when empty, to the organiser who
# sent the message.
GATHERING_REPLY_TO = env.str("GATHERING_REPLY_TO", default="")
# Embedded mode delivers email right after the request's commit: a dead mail server must not hold the
# request for long. Undelivered messages stay in the outbox and the outbox sweep retries them.
if globals().get("EMAIL_TIMEOUT") is None:
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Sent emails hold personal data: they are deleted this many days after sending.
GATHERING_OUTBOX_RETENTION_DAYS = env.int("GATHERING_OUTBOX_RETENTION_DAYS", default=30)
# Public pages (and shared parts of pages) kept in the cache, each under the versions of what it shows, so a
# change shows on the next request (gathering/core/pagecache.py): the longest an entry is kept, in seconds.
# 0 turns it off; it is always off with DEBUG, so template edits show at once.
GATHERING_PAGE_CACHE_SECONDS = env.int("GATHERING_PAGE_CACHE_SECONDS", default=300)
