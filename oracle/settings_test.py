"""Settings for the test suite: production settings with a test secret and a fast hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from oracle.settings import *  # noqa: E402,F403


class InvalidTemplateVariable(str):
    def __mod__(self, missing):
        raise AssertionError(f"Template variable not found: {missing!r}")


PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the apps and static/ directly; tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One process: the per-process page cache is coherent here, and the tests exercise it.
ORACLE_PAGE_CACHE = True

# Fail loudly on a template variable that does not resolve, as DEBUG pages would show.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")  # noqa: F405
# Effects run in the test process right after commit (through core.tasks.execute, as the worker
# runs them), so tests that commit see files and mail; tests of the queue itself turn this off and
# drain it (tests.helpers.run_effects) or start a real worker (tests/worker.py).
ORACLE_EFFECTS_TRY_AFTER_COMMIT = env_bool("ORACLE_EFFECTS_TRY_AFTER_COMMIT", default=True)  # noqa: F405
