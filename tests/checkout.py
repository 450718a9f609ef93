"""A throwaway copy of this checkout, to run `make` targets and `manage.py` exactly as a developer
types them, without touching the working tree: the copy has its own `.env`, `db.sqlite3` and
`publish/`, and shares only the virtualenv (a symlink; `make -o .venv/.installed` never reinstalls)."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a fresh clone does not have (git-ignored or generated), plus the virtualenv, linked instead.
LEFT_OUT = {
    ".git",
    ".venv",
    ".env",
    ".env.new",
    "db.sqlite3",
    "db.sqlite3-journal",
    "publish",
    "staticfiles",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "results",  # bench/results/
    "screenshots",  # tests/browser/screenshots/
}
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in %r}))"
)


def copy_checkout(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=lambda directory, names: [n for n in names if n in LEFT_OUT])
    (dest / ".venv").symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
    return dest


def developer_env(**extra) -> dict[str, str]:
    """A developer's shell: none of the test run's settings, database, cache or make variables."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "ORACLE_", "MAKE", "MFLAGS"))
        and name not in ("DATABASE_URL", "REDIS_URL", "PORT", "PYTHONPATH")
    }
    env.update(extra)
    return env


def make(checkout: Path, *args, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=checkout,
        env=env or developer_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(checkout: Path, *args, env=None, timeout=120) -> subprocess.CompletedProcess:
    """`.venv/bin/python manage.py ARGS` typed in the checkout."""
    return subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=checkout,
        env=env or developer_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def settings_seen_by_manage_py(checkout: Path, *names, env=None) -> dict:
    done = manage(checkout, "shell", "-c", PRINT_SETTINGS % (names,), env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
