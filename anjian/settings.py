"""Django settings for Anjian. Every deploy-time value comes from an ``ANJIAN_*`` environment variable."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from anjian.envconfig import env_bool, env_int, env_list, env_str

# ModelForm[...] and the admin classes are generic in the type stubs only; let them be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("ANJIAN_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("ANJIAN_DEBUG", False)
# A development key is allowed only with DEBUG on; production must set ANJIAN_SECRET_KEY (an empty or blank
# value fails fast exactly like a missing one).
SECRET_KEY = env_str("ANJIAN_SECRET_KEY", "anjian-insecure-dev-key-change-me" if DEBUG else None).strip()
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("环境变量 ANJIAN_SECRET_KEY 为空 (ANJIAN_SECRET_KEY is set but empty)")
ALLOWED_HOSTS = env_list("ANJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("ANJIAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anjian.core",
    "anjian.orgs",
    "anjian.plans",
    "anjian.enterprises",
    "anjian.people",
    "anjian.assessment",
    "anjian.geo",
    "anjian.majorhazards",
    "anjian.risks",
    "anjian.dangers",
    "anjian.monitoring",
    "anjian.gates",
    "anjian.emergency",
    "anjian.fire",
    "anjian.cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anjian.core.middleware.RequestContextMiddleware",
    "anjian.core.middleware.ApiErrorMiddleware",
    "anjian.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "anjian.urls"
WSGI_APPLICATION = "anjian.wsgi.application"
ASGI_APPLICATION = "anjian.asgi.application"

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
                "anjian.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# Embedded default: SQLite in ./var (WAL, immediate transactions so writers queue instead of failing).
_default_sqlite = f"sqlite:///{VAR_DIR / 'anjian.sqlite3'}"
DATABASE_URL = env_str("ANJIAN_DATABASE_URL", _default_sqlite)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ANJIAN_DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with PostgreSQL's integer bounds (one API contract on every database).
    DATABASES["default"]["ENGINE"] = "anjian.core.dbbackends.sqlite3"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# One lockout policy for the login page, the admin and the API token endpoint (anjian.core.lockout).
AUTHENTICATION_BACKENDS = ["anjian.core.lockout.LockoutBackend"]
ANJIAN_LOGIN_MAX_FAILURES = env_int("ANJIAN_LOGIN_MAX_FAILURES", 5)
ANJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("ANJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
ANJIAN_LOGIN_LOCKOUT_MINUTES = env_int("ANJIAN_LOGIN_LOCKOUT_MINUTES", 15)
# Reverse proxies in front of the server whose X-Forwarded-For entries are trusted (0: use REMOTE_ADDR).
ANJIAN_TRUSTED_PROXIES = env_int("ANJIAN_TRUSTED_PROXIES", 0)
# API tokens expire after this many hours (0: never); they die at once on a password change or deactivation.
ANJIAN_TOKEN_TTL_HOURS = env_int("ANJIAN_TOKEN_TTL_HOURS", 24 * 30)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ANJIAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("ANJIAN_MEDIA_ROOT", str(VAR_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# API bodies (JSON, form) and whole multipart requests are bounded before they are read (core.api_support).
ANJIAN_API_MAX_BODY_BYTES = env_int("ANJIAN_API_MAX_BODY_BYTES", 2 * 1024 * 1024)
ANJIAN_MAX_REQUEST_BYTES = env_int("ANJIAN_MAX_REQUEST_BYTES", 30 * 1024 * 1024)
# Excel imports: upload size and unpacked size, checked before parsing (core.excel.check_xlsx_upload).
ANJIAN_IMPORT_MAX_BYTES = env_int("ANJIAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
ANJIAN_IMPORT_MAX_UNPACKED_BYTES = env_int("ANJIAN_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "anjian.core.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "anjian.core.filters.FilterBackend",
        "anjian.core.search.IndexedSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "anjian.core.api_support.JSONParser",
        "anjian.core.api_support.FormParser",
        "anjian.core.api_support.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "anjian.core.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "anjian.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "anjian.core.api_support.exception_handler",
    # The client address for throttles: the same trusted proxy count as the login lockout.
    "NUM_PROXIES": ANJIAN_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anjian 安监 API",
    "DESCRIPTION": "孛井滩示范区安全生产监管平台接口。所有接口按用户所属单位限定可见范围。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs pages hold no data, but the platform shows nothing to anonymous visitors.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "anjian.plans.choices.ReportStatus",
        "NoticeStatusEnum": "anjian.plans.choices.NoticeStatus",
        "EnterpriseStatusEnum": "anjian.enterprises.choices.EnterpriseStatus",
        "StandardizationGradeEnum": "anjian.enterprises.choices.StandardizationGrade",
        "AssessmentGradeEnum": "anjian.assessment.choices.Grade",
        # Choice sets that several modules' fields share a name with ("grade", "level", "status", …):
        # one stable, meaningful component each, so generated clients get readable types.
        "AccidentGradeEnum": "anjian.assessment.choices.AccidentGrade",
        "AlarmLevelEnum": "anjian.monitoring.choices.AlarmLevel",
        "HazardGradeEnum": "anjian.majorhazards.choices.Grade",
        "ResponsibilityLevelEnum": "anjian.majorhazards.choices.ResponsibilityLevel",
        "GateCategoryEnum": "anjian.gates.choices.Category",
        "DangerGradeEnum": "anjian.dangers.choices.DangerGrade",
        "DangerSourceEnum": "anjian.dangers.choices.DangerSource",
        "FireFacilityStatusEnum": "anjian.fire.choices.FacilityStatus",
        "RiskLevelEnum": "anjian.risks.choices.RiskLevel",
        "DangerStatusEnum": "anjian.dangers.choices.DangerStatus",
        "RiskMeasureKindEnum": "anjian.risks.choices.MeasureKind",
    },
    # Swagger UI is served from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Production security (see README "Running in production"); every switch is an environment variable --------
# Behind an HTTPS reverse proxy that sets X-Forwarded-Proto: ANJIAN_PROXY_SSL_HEADER=1.
if env_bool("ANJIAN_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("ANJIAN_SSL_REDIRECT", not DEBUG and env_bool("ANJIAN_HTTPS", False))
SESSION_COOKIE_SECURE = env_bool("ANJIAN_SECURE_COOKIES", env_bool("ANJIAN_HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("ANJIAN_HSTS_SECONDS", 31536000 if env_bool("ANJIAN_HTTPS", False) else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ANJIAN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("ANJIAN_HSTS_PRELOAD", False)
# Submitting the domain to the browsers' HSTS preload list is a deliberate, hard-to-undo decision of the operator
# (ANJIAN_HSTS_PRELOAD=1), not a default: its reminder is silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = env_int("ANJIAN_SESSION_HOURS", 12) * 3600
# Content-Security-Policy: the pages load only vendored scripts; ANJIAN_CSP="" switches it off.
ANJIAN_CSP = env_str(
    "ANJIAN_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
ANJIAN_CSP_REPORT_ONLY = env_bool("ANJIAN_CSP_REPORT_ONLY", False)
ANJIAN_CSP_EXEMPT = env_list("ANJIAN_CSP_EXEMPT", ["/api/v1/docs/"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ANJIAN_LOG_LEVEL", "WARNING")},
}

# Plan reporting: a quarter's progress report is due this many days after the quarter ends.
ANJIAN_REPORT_GRACE_DAYS = env_int("ANJIAN_REPORT_GRACE_DAYS", 15)
