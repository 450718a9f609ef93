"""Settings of the worker processes the durability tests start: the test settings (static files
from the apps, no manifest), with the mail backend the test chooses (a real SMTP server)."""

import os

from oracle.settings_test import *  # noqa: F403

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", EMAIL_BACKEND)  # noqa: F405
