"""Development settings: what `make run` and every `manage.py` command of a developer's checkout use.

`make run` writes `.env` (DJANGO_SETTINGS_MODULE=oracle.settings_dev and the address it serves on)
and manage.py reads it; gunicorn (oracle.wsgi) never does, so a server without `.env` or an
explicit DJANGO_SETTINGS_MODULE runs the production settings. These are oracle.settings with
DJANGO_DEBUG on by default: a fixed development-only secret key, email printed to the console, no
HTTPS-only cookies, HSTS or SSL redirect. Variables set in the environment still win
(DJANGO_DEBUG=0 here gives the production behaviour). The page cache stays off unless REDIS_URL
is set, as everywhere: a change made by a command or `manage.py shell` is on the dev server's
next request.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from oracle.settings import *  # noqa: E402,F403
