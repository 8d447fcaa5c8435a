"""NSCL settings. Everything a deployment changes comes from the environment.

NSCL_ENV=production switches on the hardened mode (checked by `manage.py check --deploy`).
"""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NSCL_VAR_DIR", Path.cwd() / "var"))

PRODUCTION = os.environ.get("NSCL_ENV", "development") == "production"
DEBUG = os.environ.get("NSCL_DEBUG", "0" if PRODUCTION else "1") == "1"

if PRODUCTION:
    SECRET_KEY = os.environ["NSCL_SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("NSCL_SECRET_KEY", "dev-only-insecure-key-change-me")

ALLOWED_HOSTS = [h for h in os.environ.get("NSCL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

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
    "nscl.geo",
    "nscl.programme",
    "nscl.stats",
    "nscl.analysis",
    "nscl.api",
]

MIDDLEWARE = [
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
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'nscl.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db),
                                              conn_max_age=int(os.environ.get("NSCL_CONN_MAX_AGE", 60)))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nscl"}}
if os.environ.get("NSCL_CACHE_TABLE"):
    # several server processes must share login-throttling counters
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": os.environ["NSCL_CACHE_TABLE"]}

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
MEDIA_URL = "/media/"  # never served directly: evidence goes through a permission-checked view
WHITENOISE_USE_FINDERS = True

# Sessions and CSRF
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
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("NSCL_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Uploads: evidence attachments
NSCL_EVIDENCE_MAX_BYTES = int(os.environ.get("NSCL_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
NSCL_EVIDENCE_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "xls", "jpg", "jpeg", "png"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Programme behaviour
NSCL_PUBLIC_PROGRESS = os.environ.get("NSCL_PUBLIC_PROGRESS", "0") == "1"
NSCL_LOGIN_MAX_FAILURES = int(os.environ.get("NSCL_LOGIN_MAX_FAILURES", 5))
NSCL_LOGIN_LOCK_SECONDS = int(os.environ.get("NSCL_LOGIN_LOCK_SECONDS", 900))
NSCL_ISSUING_BODY = os.environ.get("NSCL_ISSUING_BODY", "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
NSCL_PARENT_BODY = os.environ.get("NSCL_PARENT_BODY", "UBND TỈNH HƯNG YÊN")
NSCL_PLACE = os.environ.get("NSCL_PLACE", "Hưng Yên")
# the statistics office: its partner users enter and run TFP series; it is responsible for published TFP
NSCL_STATS_UNIT = os.environ.get("NSCL_STATS_UNIT", "ctk")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
