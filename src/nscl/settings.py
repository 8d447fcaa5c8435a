"""NSCL settings. Everything a deployment changes comes from the environment.

NSCL_ENV=production switches on the hardened mode (checked by `manage.py check --deploy`).
"""
import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NSCL_VAR_DIR", Path.cwd() / "var"))

PRODUCTION = os.environ.get("NSCL_ENV", "development") == "production"
DEBUG = os.environ.get("NSCL_DEBUG", "0" if PRODUCTION else "1") == "1"


def _list(name, default=""):
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


if PRODUCTION:
    # every setting production cannot guess, reported together as one message (no traceback)
    _missing = [(name, why) for name, why in [
        ("NSCL_SECRET_KEY", "a long random secret, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"),
        ("NSCL_ALLOWED_HOSTS", "the site's host names, comma-separated, e.g. nscl.hungyen.gov.vn"),
    ] if not os.environ.get(name, "").strip()]
    if _missing:
        sys.exit("NSCL_ENV=production needs these settings (environment variables):\n"
                 + "\n".join(f"  {name}: {why}" for name, why in _missing)
                 + "\nSee README.md, \"Production deployment\".")
    SECRET_KEY = os.environ["NSCL_SECRET_KEY"]
    ALLOWED_HOSTS = _list("NSCL_ALLOWED_HOSTS")
else:
    SECRET_KEY = os.environ.get("NSCL_SECRET_KEY", "dev-only-insecure-key-change-me")
    ALLOWED_HOSTS = _list("NSCL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# Reverse proxies (nginx) whose X-Forwarded-For / X-Forwarded-Proto headers are believed: addresses or
# networks, comma-separated. From any other peer those headers are removed (nscl.accounts.proxy).
NSCL_TRUSTED_PROXIES = _list("NSCL_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "nscl.common",
    "nscl.accounts",
    "nscl.audit",
    "nscl.notifications",
    "nscl.geo",
    "nscl.enterprises",
    "nscl.programme",
    "nscl.stats",
    "nscl.practices",
    "nscl.analysis",
    "nscl.trace",
    "nscl.api",
    "axes",
]

MIDDLEWARE = [
    "nscl.accounts.proxy.TrustedProxyMiddleware",  # first: the client address and scheme for all below
    "nscl.common.errors.ServiceErrorsMiddleware",  # database unreachable / disk full: 503 / 507, not 500
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nscl.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nscl.audit.middleware.AuditUserMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nscl.urls"
WSGI_APPLICATION = "nscl.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nscl.accounts.context.role",
                "nscl.notifications.context.unread",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'nscl.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db),
                                              conn_max_age=int(os.environ.get("NSCL_CONN_MAX_AGE", 60)))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # concurrent writers: readers never block the writer (WAL), a transaction takes the write lock
    # when it starts (IMMEDIATE: no "database is locked" when a reader tries to become a writer),
    # and a writer waits up to `timeout` seconds for another one instead of failing
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": int(os.environ.get("NSCL_SQLITE_TIMEOUT", 20)),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# NSCL_CACHE: locmem (one process: development, tests), file (under var/cache, shared by several
# server processes; the default in production and for `nscl serve --workers N`), or db (the table
# named by NSCL_CACHE_TABLE, created by `nscl init`).
NSCL_CACHE = os.environ.get("NSCL_CACHE") or ("db" if os.environ.get("NSCL_CACHE_TABLE") else
                                              "file" if PRODUCTION else "locmem")
CACHES = {"default": {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nscl"},
    "file": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
             "LOCATION": str(VAR_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 2000}},
    "db": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
           "LOCATION": os.environ.get("NSCL_CACHE_TABLE", "nscl_cache")},
}[NSCL_CACHE]}
# computed plan progress, and the public dashboard and targets API as anonymous visitors get them, are
# cached this many seconds (0: not cached); every write of programme, stats or registry data (an activity
# confirmed, targets published, a dossier accepted...) invalidates them at once (nscl.programme.cache).
# `nscl serve` turns it on (300).
NSCL_PROGRESS_CACHE_SECONDS = int(os.environ.get("NSCL_PROGRESS_CACHE_SECONDS", 0))

# Reporting duties after support (nscl.enterprises.duties): an accepted dossier owes yearly figures
# for NSCL_REPORTING_YEARS years (the acceptance year first), each due on NSCL_REPORTING_DUE (MM-DD)
# of the following year; `nscl enterprise remind` reminds NSCL_REMINDER_DAYS_BEFORE days before the
# due date, on it, and weekly after.
NSCL_REPORTING_YEARS = int(os.environ.get("NSCL_REPORTING_YEARS", 3))
NSCL_REPORTING_DUE = os.environ.get("NSCL_REPORTING_DUE", "03-31")
NSCL_REMINDER_DAYS_BEFORE = tuple(int(n) for n in _list("NSCL_REMINDER_DAYS_BEFORE", "30,7"))
# A year's figures close on NSCL_FIGURES_CLOSE (MM-DD) of the following year; after it an officer
# reopens the year for an enterprise, with a reason (nscl.enterprises.periods). Empty: never close.
NSCL_FIGURES_CLOSE = os.environ.get("NSCL_FIGURES_CLOSE", "12-31")


def _month_day(text: str) -> bool:
    """A day every year has, written MM-DD (02-29 is not: three years in four have none)."""
    import datetime
    import re

    if not re.fullmatch(r"\d\d-\d\d", text):
        return False
    try:
        datetime.date(2001, int(text[:2]), int(text[3:]))
    except ValueError:
        return False
    return True


if NSCL_FIGURES_CLOSE and not _month_day(NSCL_FIGURES_CLOSE):
    sys.exit(f"NSCL_FIGURES_CLOSE={NSCL_FIGURES_CLOSE!r}: a month and day MM-DD that every year has (e.g. 12-31), or empty")

# Login lockout (django-axes): a username is locked after NSCL_LOGIN_MAX_FAILURES failures for
# NSCL_LOGIN_LOCK_SECONDS, whatever the address; the username is normalised as authentication does.
# An address with NSCL_LOGIN_MAX_FAILURES_PER_ADDRESS failures gets refusals for its wrong
# passwords, never for a correct one (a proxy or an office NAT is one address for many users).
AUTHENTICATION_BACKENDS = ["nscl.accounts.lockout.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
NSCL_LOGIN_MAX_FAILURES = int(os.environ.get("NSCL_LOGIN_MAX_FAILURES", 5))
NSCL_LOGIN_LOCK_SECONDS = int(os.environ.get("NSCL_LOGIN_LOCK_SECONDS", 900))
NSCL_LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("NSCL_LOGIN_MAX_FAILURES_PER_ADDRESS",
                                                         4 * NSCL_LOGIN_MAX_FAILURES))
AXES_FAILURE_LIMIT = "nscl.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "nscl.accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "nscl.accounts.lockout.username"
AXES_LOCKOUT_CALLABLE = "nscl.accounts.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts do not prolong the lock
AXES_HANDLER = "nscl.accounts.lockout.DatabaseHandler"  # axes' database handler, shared by every server process
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)  # set from X-Forwarded-For by TrustedProxyMiddleware
AXES_VERBOSE = False
# axes.W006 asks for ip_address among the lockout parameters: deliberately not (a locked address would
# refuse correct passwords of everyone behind one proxy or NAT); the address limit is in accounts.views
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "nscl.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "dashboard"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["nscl.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; `collectstatic` fills it
except OSError:
    pass
MEDIA_ROOT = Path(os.environ.get("NSCL_MEDIA_ROOT", VAR_DIR / "media"))
# media written whole or not at all (a full disk leaves no half-written evidence file)
STORAGES = {"default": {"BACKEND": "nscl.common.storage.AtomicFileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_URL = "/media/"  # never served directly: evidence goes through a permission-checked view
WHITENOISE_USE_FINDERS = True

# Sessions and CSRF. Sessions in the database and the cache: a database that cannot write (a full
# disk) does not lock users out (nscl.accounts.sessions)
SESSION_ENGINE = "nscl.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("NSCL_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("NSCL_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # a browser's Origin is https://<allowed host>: trusted unless NSCL_CSRF_TRUSTED_ORIGINS says otherwise
    CSRF_TRUSTED_ORIGINS = _list("NSCL_CSRF_TRUSTED_ORIGINS") or [
        "https://" + ("*" + h if h.startswith(".") else h) for h in ALLOWED_HOSTS if h != "*"]

# Uploads: evidence attachments
NSCL_EVIDENCE_MAX_BYTES = int(os.environ.get("NSCL_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
NSCL_EVIDENCE_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "xls", "jpg", "jpeg", "png"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Zip-based Office files (.xlsx, .docx) are refused before any library opens them when they would
# unpack to more than this or hold more entries (a decompression bomb; nscl.common.uploads)
NSCL_OFFICE_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("NSCL_OFFICE_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024))
NSCL_OFFICE_MAX_ENTRIES = int(os.environ.get("NSCL_OFFICE_MAX_ENTRIES", 10_000))

# Background jobs (analyses): a worker silent this long is failed and its processes ended (nscl.analysis.runner)
NSCL_JOB_LEASE_SECONDS = float(os.environ.get("NSCL_JOB_LEASE_SECONDS", 45))

# E-mail (notifications, password reset) over SMTP: NSCL_EMAIL_HOST and the rest from the environment.
# Without a host: development prints messages on the console; production sends none (notifications
# stay in the application, each marked "skipped", with a warning in the log).
NSCL_EMAIL_HOST = os.environ.get("NSCL_EMAIL_HOST", "").strip()
NSCL_EMAIL_ENABLED = bool(NSCL_EMAIL_HOST) or not PRODUCTION
if NSCL_EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = NSCL_EMAIL_HOST
    _tls = os.environ.get("NSCL_EMAIL_TLS", "1").strip().lower()
    EMAIL_USE_SSL = _tls == "ssl"  # TLS from the first byte (port 465)
    EMAIL_USE_TLS = _tls in ("1", "true", "yes", "starttls")  # STARTTLS (port 587)
    EMAIL_PORT = int(os.environ.get("NSCL_EMAIL_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25))
    EMAIL_HOST_USER = os.environ.get("NSCL_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("NSCL_EMAIL_PASSWORD", "")
else:
    EMAIL_BACKEND = ("django.core.mail.backends.dummy.EmailBackend" if PRODUCTION
                     else "django.core.mail.backends.console.EmailBackend")
EMAIL_TIMEOUT = int(os.environ.get("NSCL_EMAIL_TIMEOUT", 10))  # a hung server delays a page at most this long
DEFAULT_FROM_EMAIL = os.environ.get("NSCL_EMAIL_FROM", "") or "NSCL Hưng Yên <no-reply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# links in e-mails: the site's address as users reach it
NSCL_SITE_URL = os.environ.get("NSCL_SITE_URL", "") or (
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION and ALLOWED_HOSTS and ALLOWED_HOSTS[0] != "*"
    else "http://127.0.0.1:8000")
# Password reset by e-mail: a link valid this long; at most NSCL_PASSWORD_RESET_MAX requests an hour
# per e-mail address and per client address (nscl.accounts.views, through the cache)
PASSWORD_RESET_TIMEOUT = int(os.environ.get("NSCL_PASSWORD_RESET_SECONDS", 2 * 3600))
NSCL_PASSWORD_RESET_MAX = int(os.environ.get("NSCL_PASSWORD_RESET_MAX", 5))

# Programme behaviour
NSCL_PUBLIC_PROGRESS = os.environ.get("NSCL_PUBLIC_PROGRESS", "0") == "1"
NSCL_ISSUING_BODY = os.environ.get("NSCL_ISSUING_BODY", "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
NSCL_PARENT_BODY = os.environ.get("NSCL_PARENT_BODY", "UBND TỈNH HƯNG YÊN")
NSCL_PLACE = os.environ.get("NSCL_PLACE", "Hưng Yên")
# the statistics office: its partner users enter and run TFP series; it is responsible for published TFP
NSCL_STATS_UNIT = os.environ.get("NSCL_STATS_UNIT", "ctk")
# who signs the annual report and the TFP note when the form leaves it empty
NSCL_SIGNER_NAME = os.environ.get("NSCL_SIGNER_NAME", "")
NSCL_SIGNER_TITLE = os.environ.get("NSCL_SIGNER_TITLE", "GIÁM ĐỐC")

# Refusals (403: permission denied or CSRF; 400: suspicious request such as a disallowed host; 404)
# are one line each; tracebacks are kept for real errors (500). Django's own "django" handlers are
# removed so a record is written once (by the root's console handler), in development too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_one_line": {"()": "nscl.accounts.logfilters.RefusalsOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals_one_line"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["refusals_one_line"]},
    },
}
