"""Configuration classes and the FORUM_* environment mapping; no logic in class bodies."""
from __future__ import annotations


class Config:
    SQLALCHEMY_DATABASE_URI: str | None = None  # FORUM_DATABASE_URL, else instance/forum.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DB_POOL_SIZE = 15  # FORUM_DB_POOL_SIZE: PostgreSQL connections per process (kept open)
    SECRET_KEY: str | None = None  # FORUM_SECRET_KEY, else generated once into instance/
    REDIS_URL: str | None = None  # FORUM_REDIS_URL: Socket.IO queue, rate limits, job queue
    BASE_URL = "http://127.0.0.1:5000"  # FORUM_BASE_URL: links in emails (no request to ask)
    JOBS_SQLITE_PATH: str | None = None  # FORUM_JOBS_SQLITE_PATH, else instance/jobs.sqlite3
    JOBS_IMMEDIATE = False  # run each job inside enqueue (unit tests only; no retries)
    JOBS_RETRIES = 8  # further attempts after a first failure (30 s ... 64 min: about 2 h)
    JOBS_RETRY_DELAY = 30  # seconds before the first retry; each later wait doubles
    JOBS_RETRY_BACKOFF = 2.0
    JOBS_SHUTDOWN_TIMEOUT = 30  # seconds a stopping worker lets a running job finish
    WEBHOOK_ALLOWED_NETWORKS = ""  # FORUM_WEBHOOK_ALLOWED_NETWORKS: private nets webhooks may reach
    WEBHOOK_CONNECT_TIMEOUT = 3.0  # seconds to connect to a receiver
    WEBHOOK_READ_TIMEOUT = 5.0  # seconds a receiver may take to answer
    WEBHOOK_RETRY_SECONDS = 24 * 3600  # a delivery is retried this long, then given up
    WEBHOOK_RETRY_DELAY = 30  # seconds before the first retry; each later wait doubles
    WEBHOOK_MAX_DELAY = 6 * 3600  # the longest wait between two attempts
    WEBHOOK_HISTORY_DAYS = 30  # deliveries and events older than this are deleted
    IDEMPOTENCY_KEY_HOURS = 24  # an Idempotency-Key is remembered this long
    SMTP_URL: str | None = None  # FORUM_SMTP_URL, e.g. smtp://user:pass@host:587?starttls=1
    MAIL_FROM = "Rådslag <noreply@localhost>"  # FORUM_MAIL_FROM: sender of every email
    MAIL_OUTBOX_DIR: str | None = None  # without SMTP: .eml files here (instance/outbox)
    BABEL_DEFAULT_LOCALE = "sv"  # FORUM_DEFAULT_LANGUAGE
    LANGUAGES = ("sv", "en")  # the catalogues we ship
    DISPLAY_TIMEZONE = "Europe/Stockholm"  # every time on a page is shown in this zone
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    SOCKETIO_ASYNC_MODE = "threading"  # FORUM_ASYNC_MODE: gevent under the production server
    LOG_FORMAT = "text"  # FORUM_LOG_FORMAT: "json" lines in production (serve.py's default)
    LOG_LEVEL = "INFO"  # FORUM_LOG_LEVEL: DEBUG also logs every live-room event
    POSTS_PER_PAGE = 20  # posts on one thread page
    THREADS_PER_PAGE = 30  # threads on one topic page
    LIVE_BATCH_DELAY = 0.005  # seconds the live room gathers committed events before sending
    LIVE_PRESENCE_TIMEOUT = 60  # FORUM_PRESENCE_TIMEOUT: seconds a dead process's sockets count
    FRAGMENT_CACHE_CHARS = 8_000_000  # rendered post HTML kept per process (0: no cache)
    MAX_POST_CHARS = 20_000  # longest post body accepted
    MAX_TITLE_CHARS = 200  # longest thread or topic title
    MAX_CONTENT_LENGTH = 512 * 1024  # request bodies above this get a 413
    PASSWORD_MIN_LENGTH = 10
    ARGON2_TIME_COST = 3  # argon2id passes (the argon2-cffi default)
    ARGON2_MEMORY_KIB = 65536  # argon2id memory per hash (the argon2-cffi default)
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30  # "remember me" lasts 30 days
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "radslag_session"
    SESSION_IDLE_SECONDS = 60 * 60 * 24  # a session without "remember me" ends after a day unused
    SESSION_TOUCH_SECONDS = 60  # a session's "last seen" is written at most this often
    BEHIND_HTTPS: bool | str = False  # FORUM_BEHIND_HTTPS: Secure cookies, HSTS, https URLs
    TRUSTED_PROXIES: int | str | None = None  # FORUM_TRUSTED_PROXIES; None: 1 behind HTTPS, else 0
    SITE_URL: str | None = None  # FORUM_SITE_URL: the public address; sockets from other origins are refused
    HSTS_SECONDS = 60 * 60 * 24 * 365  # Strict-Transport-Security max-age when behind HTTPS
    TWO_FACTOR_DEVICE_DAYS = 30  # "don't ask for a code on this device" lasts this long
    KNOWN_DEVICE_DAYS = 365  # a device that signed in before skips the per-account failure limit
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"  # replaced by REDIS_URL when that is set
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURE_LIMIT = "5 per 15 minutes"  # failed logins per address
    LOGIN_ACCOUNT_LIMIT = "10 per 15 minutes"  # failed logins per account from unknown devices
    TWO_FACTOR_FAILURE_LIMIT = "5 per 15 minutes"  # wrong codes per account and per address
    PASSWORD_RESET_LIMIT = "10 per hour"  # reset requests per address
    PASSWORD_RESET_EMAIL_LIMIT = "3 per hour"  # reset requests for one email address
    PASSWORD_RESET_SECONDS = 3600  # a reset link works for an hour
    CONFIRM_LINK_DAYS = 7  # an email confirmation link works for a week
    CONFIRM_RESEND_LIMIT = "3 per hour"  # "send the confirmation again" per member
    REGISTER_LIMIT = "10 per hour"  # registrations per address
    POST_LIMIT = "20 per minute;200 per day"  # replies and edits per member
    POST_LIMIT_IP = "60 per minute"  # replies and edits per address
    THREAD_LIMIT = "5 per 10 minutes;30 per day"  # new threads per member
    THREAD_LIMIT_IP = "20 per 10 minutes"  # new threads per address
    FLAG_LIMIT = "20 per hour"  # flags per member
    FLAG_LIMIT_IP = "60 per hour"  # flags per address
    SEARCH_LIMIT = "60 per minute"  # searches (page and API) per member or address
    API_LIMIT = "600 per minute"  # API requests per token (member) or per address
    NEW_MEMBER_DAYS = 7  # unverified members younger than this get the tighter limits below
    NEW_MEMBER_POST_LIMIT = "5 per minute;50 per day"  # replies and edits per new member
    NEW_MEMBER_THREAD_LIMIT = "2 per 10 minutes;10 per day"  # new threads per new member
    NEW_MEMBER_FLAG_LIMIT = "10 per hour"  # flags per new member
    PREMODERATION_POSTS = 2  # posts of an unverified member wait until this many are published
    FLAG_AUTO_HIDE_COUNT = 3  # open flags from this many members hide a post pending review
    IP_RETENTION_DAYS = 30  # FORUM_IP_RETENTION_DAYS: stored addresses are then cut to networks
    ROUND_GROUPS_SECONDS = 10  # a change waits this long for its opinion-groups job (batches votes)
    ROUND_RESULTS_SECONDS = 2  # while votes arrive, a round's results are at most this old
    REVIEW_NOTICE_DAYS = 7  # owners hear this many days before a commitment's review date
    NOTICE_MAIL_WINDOW_SECONDS = 60  # notices by email at once wait this long for company
    CORS_ORIGINS = ""  # FORUM_CORS_ORIGINS: origins that may call /api/ from a browser
    API_TITLE = "Rådslag API"  # the OpenAPI document (flask-smorest)
    API_VERSION = "1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False  # one test turns it back on to prove forged posts are refused
    RATELIMIT_ENABLED = True  # the throttling tests need real limits
    BABEL_DEFAULT_LOCALE = "en"  # tests read English messages; the i18n tests set "sv" themselves
    ARGON2_TIME_COST = 1  # cheap hashes keep the suite fast; the algorithm is the same
    ARGON2_MEMORY_KIB = 1024
    SECRET_KEY = "testing-only-secret"  # noqa: S105 - tests never run with FORUM_SECRET_KEY
    PREMODERATION_POSTS = 0  # off, so factory members post freely; moderation tests turn it on
    ROUND_RESULTS_SECONDS = 0  # results follow every vote (tests read them straight after)
    NEW_MEMBER_POST_LIMIT = Config.POST_LIMIT  # as for everyone; the rate-limit tests tighten them
    NEW_MEMBER_THREAD_LIMIT = Config.THREAD_LIMIT
    NEW_MEMBER_FLAG_LIMIT = Config.FLAG_LIMIT
    SERVER_NAME = None
    WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"  # the tests' receivers listen on loopback


ENV_KEYS = {
    "FORUM_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "FORUM_SECRET_KEY": "SECRET_KEY",
    "FORUM_REDIS_URL": "REDIS_URL",
    "FORUM_DEFAULT_LANGUAGE": "BABEL_DEFAULT_LOCALE",
    "FORUM_ASYNC_MODE": "SOCKETIO_ASYNC_MODE",
    "FORUM_LOG_FORMAT": "LOG_FORMAT",
    "FORUM_LOG_LEVEL": "LOG_LEVEL",
    "FORUM_IP_RETENTION_DAYS": "IP_RETENTION_DAYS",
    "FORUM_BEHIND_HTTPS": "BEHIND_HTTPS",
    "FORUM_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "FORUM_SITE_URL": "SITE_URL",
    "FORUM_CORS_ORIGINS": "CORS_ORIGINS",
    "FORUM_BASE_URL": "BASE_URL",
    "FORUM_JOBS_SQLITE_PATH": "JOBS_SQLITE_PATH",
    "FORUM_SMTP_URL": "SMTP_URL",
    "FORUM_WEBHOOK_ALLOWED_NETWORKS": "WEBHOOK_ALLOWED_NETWORKS",
    "FORUM_MAIL_FROM": "MAIL_FROM",
    "FORUM_PRESENCE_TIMEOUT": "LIVE_PRESENCE_TIMEOUT",
    "FORUM_DB_POOL_SIZE": "DB_POOL_SIZE",
}
