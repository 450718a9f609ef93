"""Settings for the schemathesis run (api/ci/schemathesis.sh): the test settings, with a rate limit
high enough that the fuzzer exercises the endpoints rather than the 429 (which tests cover), and
only server errors logged (the fuzzer's refused requests are expected)."""

from oracle.settings_test import *  # noqa: F403

ORACLE_API_RATE_LIMIT = 1_000_000
LOGGING = {**LOGGING, "loggers": {"django.request": {"level": "ERROR"}}}  # noqa: F405
