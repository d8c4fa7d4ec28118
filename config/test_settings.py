"""Test settings (imported instead of config.settings): the machine's real
PostgreSQL and Redis; tasks run eagerly unless a test starts a real worker."""
import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smartcity")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

from config.settings import *  # noqa: E402,F401,F403
from config.settings import BASE_DIR  # noqa: E402

ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_RATE_LIMITS = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# One test database per run, so that parallel runs on one server never collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_smartcity_{os.getpid()}"}  # noqa: F405

# One Celery queue per run, inherited by the workers a test starts: runs that share
# the Redis server never take each other's jobs.
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("TEST_CELERY_QUEUE", f"test-{os.getpid()}")
