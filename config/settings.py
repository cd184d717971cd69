"""Cellule settings: one file, driven by environment variables (see README, « Configuration »).

CELLULE_ENV selects the mode:
- ``development`` (default): keys generated into var/keys/, SQLite in var/, e-mails on the console;
- ``production``: every secret comes from the environment, insecure settings refuse to start;
- ``test``: set by the test suite (fast hasher, in-memory e-mail, no lockout between tests).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.keys import KeySource

BASE_DIR = Path(__file__).resolve().parent.parent

CELLULE_ENV = os.environ.get("CELLULE_ENV", "development")
if CELLULE_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"CELLULE_ENV={CELLULE_ENV!r} : valeurs possibles « development », « production », « test »."
    )
PRODUCTION = CELLULE_ENV == "production"
TESTING = CELLULE_ENV == "test"

VAR_DIR = Path(os.environ.get("CELLULE_VAR_DIR", BASE_DIR / "var"))
if not PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Secrets and keys -------------------------------------------------------------------------

_keys = KeySource(keys_dir=VAR_DIR / "keys", generate=not PRODUCTION)
SECRET_KEY = _keys.text("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(64))
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY est trop court : au moins 50 caractères aléatoires.")
# Per-person data keys are wrapped by these (several for rotation; the first wraps new keys).
CELLULE_MASTER_KEYS = _keys.master_keys()
# Blind indexes for duplicate detection (HMAC), separate from the encryption keys.
CELLULE_INDEX_KEY = _keys.key("CELLULE_INDEX_KEY", "index.key")
# Hash chain of the journal des accès.
CELLULE_JOURNAL_KEY = _keys.key("CELLULE_JOURNAL_KEY", "journal.key")

DEBUG = env_bool("DEBUG", default=CELLULE_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG ne peut pas être activé en production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS est obligatoire en production (ex. cellule.miramas.fr)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Our apps come before "dsfr": templates that override dsfr/* must be found first.
    "cellule.core",
    "cellule.territory",
    "cellule.accounts",
    "cellule.journal",
    "cellule.people",
    "cellule.reports",
    "cellule.stats",
    "cellule.cases",
    "cellule.meetings",
    "cellule.exchanges",
    "cellule.privacy",
    "cellule.api",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "ninja",  # its Swagger page from local static files (else from a CDN, which the CSP blocks)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "cellule.alerts",
    "django_tasks",
    "django_tasks_db",  # app label « django_tasks_database »
]

# Per process, nothing personal: the statistics' rendered sections (cellule/stats/views.py), keyed
# by the state of the facts, so that a new fact shows at once.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cellule"}
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Fails closed (503) when the journal cannot be written; gives record() the request.
    "cellule.journal.middleware.JournalUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cellule.accounts.sessions.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cellule.accounts.middleware.OTPRequiredMiddleware",
    "cellule.accounts.middleware.CharterMiddleware",
    # A form sent twice (double click, back button) is recorded once.
    "cellule.accounts.submissions.FormSubmissionMiddleware",
    "cellule.accounts.sessions.PrivatePagesMiddleware",  # no-store on a logged-in user's pages
    "cellule.people.middleware.KeyringMiddleware",  # each person's key unwrapped once per request
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cellule" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dsfr.context_processors.site_config",
                "csp.context_processors.nonce",
                "cellule.accounts.context_processors.cells",
                "cellule.alerts.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Databases --------------------------------------------------------------------------------

_SQLITE_OPTIONS = {
    # secure_delete: deleted rows are overwritten with zeros, not left in free pages (retention).
    # synchronous=FULL: a commit is on disk before it is acknowledged; the tests, whose files are
    # thrown away, do without the fsyncs.
    "init_command": "PRAGMA journal_mode=WAL; "
    f"PRAGMA synchronous={'OFF' if TESTING else 'FULL'}; PRAGMA busy_timeout=5000; "
    "PRAGMA secure_delete=ON;",
    "transaction_mode": "IMMEDIATE",
}


def database(url_env: str, sqlite_name: str) -> dict:
    url = os.environ.get(url_env, "").strip()
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / sqlite_name}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**_SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        # Tests use a file as production does, not Django's default shared-cache memory
        # database: the live server of the browser tests, started before the test databases,
        # does not share the test's connection; its request threads each opened their own and,
        # on a shared cache, met « database table is locked » at once instead of waiting their
        # turn (busy_timeout).
        config.setdefault("TEST", {"NAME": VAR_DIR / f"test_{sqlite_name}"})
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A server that does not answer: the page says so (503) within seconds, not minutes.
        config["OPTIONS"] = {"connect_timeout": 3, **config.get("OPTIONS", {})}
    return config


DATABASES = {
    "default": database("DATABASE_URL", "cellule.sqlite3"),
    # The journal des accès lives apart from the main data (CNIL: logs kept separately).
    "journal": database("JOURNAL_DATABASE_URL", "journal.sqlite3"),
}
DATABASE_ROUTERS = ["cellule.routers.JournalRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must be first
    "django.contrib.auth.backends.ModelBackend",
    "cellule.accounts.proconnect.ProConnectBackend",  # authenticates nobody while ProConnect is off
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "first_name", "last_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 3600  # one hour

OTP_TOTP_ISSUER = "Cellule"
# Every account needs the second factor; only the technical administrator's may be waived.
CELLULE_ADMIN_OTP_REQUIRED = env_bool("CELLULE_ADMIN_OTP_REQUIRED", True)
OTP_TOTP_THROTTLE_FACTOR = 1

AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"

# --- Sessions and cookies ---------------------------------------------------------------------

SESSION_COOKIE_AGE = 12 * 3600  # absolute limit of a session
CELLULE_SESSION_IDLE_SECONDS = 30 * 60  # logged out after 30 minutes without activity
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No browser feature the tool does not use: camera, microphone, location, payment...
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
PERMISSIONS_POLICY["publickey-credentials-get"] = ["self"]  # security keys (WebAuthn), later

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "cellule" / "locale"]

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "cellule" / "static"]
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
# The manifest storage rewrites url() inside the DSFR CSS, which breaks its SRI hashes.
DSFR_USE_INTEGRITY_CHECKSUMS = False

# --- E-mail -----------------------------------------------------------------------------------


def email_settings(url: str) -> dict:
    """EMAIL_URL: smtp://user:password@host:587?tls=1, smtps://…, console:// or memory://."""
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL : schéma {parts.scheme!r} inconnu (smtp, smtps, console)."
        )
    options = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": backends[parts.scheme],
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": options.get("tls", ["0"])[0] in {"1", "true"},
    }


_email_url = os.environ.get("EMAIL_URL", "")
if PRODUCTION and not _email_url:
    raise ImproperlyConfigured("EMAIL_URL est obligatoire en production (ex. smtp://relais:25).")
globals().update(email_settings(_email_url or ("memory://" if TESTING else "console://")))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Cellule <ne-pas-repondre@cellule.localhost>"
)

# --- Journal des accès -------------------------------------------------------------------------

# Signed checkpoints of the chain's head go outside the database (ideally another machine's disk).
CELLULE_JOURNAL_CHECKPOINT_DIR = Path(
    os.environ.get("CELLULE_JOURNAL_CHECKPOINT_DIR", VAR_DIR / "journal-checkpoints")
)
CELLULE_JOURNAL_RETENTION_MONTHS = int(os.environ.get("CELLULE_JOURNAL_RETENTION_MONTHS", "12"))
# The DPO is alerted when someone reads more distinct files than this in an hour.
CELLULE_UNUSUAL_READS_PER_HOUR = int(os.environ.get("CELLULE_UNUSUAL_READS_PER_HOUR", "20"))
# Address of the service, for the links of e-mails sent by scheduled commands (no request there).
CELLULE_BASE_URL = os.environ.get("CELLULE_BASE_URL", "http://127.0.0.1:8000")

# --- Alerts and background tasks ----------------------------------------------------------------

# Immediate e-mails are sent by `manage.py db_worker`; `manage.py run_periodic` (every few
# minutes) sends digests, reminders, retries and anything the worker missed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Daily digests go out from this hour (local time), once per user and day.
CELLULE_DIGEST_HOUR = int(os.environ.get("CELLULE_DIGEST_HOUR", "7"))

# --- API (/api/v1/, docs/api.md) ----------------------------------------------------------------

# Validity of a new API token, in days (at most 365).
CELLULE_API_TOKEN_DAYS = int(os.environ.get("CELLULE_API_TOKEN_DAYS", "90"))
# Requests per token (« 120/m »: per minute; s, m, h, d), counted in Django's cache.
CELLULE_API_RATE = os.environ.get("CELLULE_API_RATE", "120/m")
# Presented tokens that do not authenticate, per client address, before a 429.
CELLULE_API_FAILED_AUTH_RATE = os.environ.get("CELLULE_API_FAILED_AUTH_RATE", "20/m")

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"cellule": {"level": os.environ.get("CELLULE_LOG_LEVEL", "INFO")}},
}

# --- ProConnect (OIDC) -------------------------------------------------------------------------
# Login through the State's identity federation for public agents: cellule/accounts/proconnect.py.
# Off while PROCONNECT_CLIENT_ID is empty. Nothing is fetched here: with PROCONNECT_DISCOVERY_URL
# the provider's metadata is read at the first ProConnect login (then kept one hour); each explicit
# PROCONNECT_* endpoint below takes precedence over the discovered one.

PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "").strip()
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_DISCOVERY_URL = os.environ.get("PROCONNECT_DISCOVERY_URL", "").strip()
PROCONNECT_ISSUER = os.environ.get("PROCONNECT_ISSUER", "").strip()
PROCONNECT_AUTHORIZATION_ENDPOINT = os.environ.get("PROCONNECT_AUTHORIZATION_ENDPOINT", "").strip()
PROCONNECT_TOKEN_ENDPOINT = os.environ.get("PROCONNECT_TOKEN_ENDPOINT", "").strip()
PROCONNECT_JWKS_ENDPOINT = os.environ.get("PROCONNECT_JWKS_ENDPOINT", "").strip()
PROCONNECT_USERINFO_ENDPOINT = os.environ.get("PROCONNECT_USERINFO_ENDPOINT", "").strip()
PROCONNECT_LOGOUT_ENDPOINT = os.environ.get("PROCONNECT_LOGOUT_ENDPOINT", "").strip()
if PROCONNECT_CLIENT_ID:
    _proconnect_urls = {
        "PROCONNECT_ISSUER": PROCONNECT_ISSUER,
        "PROCONNECT_AUTHORIZATION_ENDPOINT": PROCONNECT_AUTHORIZATION_ENDPOINT,
        "PROCONNECT_TOKEN_ENDPOINT": PROCONNECT_TOKEN_ENDPOINT,
        "PROCONNECT_JWKS_ENDPOINT": PROCONNECT_JWKS_ENDPOINT,
        "PROCONNECT_USERINFO_ENDPOINT": PROCONNECT_USERINFO_ENDPOINT,
        "PROCONNECT_LOGOUT_ENDPOINT": PROCONNECT_LOGOUT_ENDPOINT,
    }
    if not PROCONNECT_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "PROCONNECT_CLIENT_SECRET est obligatoire avec PROCONNECT_CLIENT_ID."
        )
    _missing = [name for name, value in _proconnect_urls.items() if not value]
    if not PROCONNECT_DISCOVERY_URL and _missing:
        raise ImproperlyConfigured(
            "ProConnect : donnez PROCONNECT_DISCOVERY_URL, ou bien " + ", ".join(_missing) + "."
        )
    _urls = [PROCONNECT_DISCOVERY_URL, *_proconnect_urls.values()]
    if PRODUCTION and any(url and not url.startswith("https://") for url in _urls):
        raise ImproperlyConfigured(
            "ProConnect : les adresses PROCONNECT_* doivent être en https://."
        )
# Settings of mozilla-django-oidc, whose views Cellule's ProConnect views extend.
OIDC_AUTHENTICATION_CALLBACK_URL = "proconnect:callback"
OIDC_RP_SCOPES = "openid email idp_id"  # the least that matching an account needs
OIDC_CREATE_USER = False  # only accounts created by invitation or by the administrator get in
OIDC_TIMEOUT = 10  # seconds, for every call to the provider

# --- Test mode --------------------------------------------------------------------------------

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    AXES_ENABLED = False  # lockout has its own tests, which switch it back on
