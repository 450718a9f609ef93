#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Which settings: on a developer's checkout `make run` writes `.env` next to this file, naming the
development settings (DJANGO_SETTINGS_MODULE=oracle.settings_dev) and the address it serves on
(ORACLE_BASE_URL), so every `manage.py` command typed afterwards runs like the dev server. Without
`.env` (a production server: the file is git-ignored and only `make run` writes it) the settings
are oracle.settings, production, which refuse to start without DJANGO_SECRET_KEY. A variable
already set in the environment always wins over `.env`. gunicorn (oracle.wsgi) never reads `.env`.
"""

import os
import re
import sys
from pathlib import Path

DOTENV = Path(__file__).resolve().parent / ".env"
_LINE = re.compile(r"(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)")


def read_dotenv(path: Path) -> dict[str, str]:
    """`NAME=value` lines; blank lines and `#` comments are skipped, a value may be quoted ('…' or
    "…"), and an unquoted value ends at ` #`. Any other line stops manage.py, naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    values = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            sys.exit(f"{path}:{number}: expected NAME=value, found {line!r}")
        value = match["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].rstrip()
        values[match["name"]] = value
    return values


def main():
    """Run administrative tasks."""
    for name, value in read_dotenv(DOTENV).items():
        os.environ.setdefault(name, value)
    # `--settings X` on the command line wins, as Django's own option does.
    for index, argument in enumerate(sys.argv):
        if argument.startswith("--settings="):
            os.environ["DJANGO_SETTINGS_MODULE"] = argument.split("=", 1)[1]
        elif argument == "--settings" and index + 1 < len(sys.argv):
            os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[index + 1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oracle.settings")
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment? (`make run` creates .venv: "
            "run commands as `.venv/bin/python manage.py …`.)"
        ) from exc
    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings here: a refusal is a message, not a traceback
    except ImproperlyConfigured as exc:
        module = os.environ["DJANGO_SETTINGS_MODULE"]
        hint = (
            f"No {DOTENV} (it is written by `make run`), so these are the production settings ({module}).\n"
            "For development, run `make run` once; for production, set the variables README.md lists."
            if not DOTENV.exists() and module == "oracle.settings"
            else f"Settings: {module}."
        )
        sys.exit(f"manage.py: ImproperlyConfigured: {exc}\n{hint}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
