"""Real processes for the durability tests: `manage.py worker` on the test database, and a local
SMTP server (aiosmtpd) that can be down, slow, or up. Loopback ports 18100–18199 only."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(18100, 18200)


def free_loopback_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18100-18199")


def wait_until(predicate, *, timeout: float = 15.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def database_url() -> str:
    """The test database this process uses (PostgreSQL), for the worker process to share."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(*, smtp_port: int | None = None, **extra) -> dict[str, str]:
    """The worker's settings (tests/worker_settings.py: the test settings with a real mail backend),
    on this test's database and publish directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ORACLE_", "PYTEST", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.worker_settings",
        ORACLE_EFFECTS_TRY_AFTER_COMMIT="0",
        DJANGO_SECRET_KEY="worker-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        DATABASE_URL=database_url(),
        DJANGO_CONN_MAX_AGE="0",
        ORACLE_PUBLISH_DIR=str(settings.ORACLE_PUBLISH_DIR),
        ORACLE_BASE_URL=settings.ORACLE_BASE_URL,
        # Short timings, so that faults heal within the test's time.
        ORACLE_EFFECT_RETRY_SECONDS="0.3",
        ORACLE_EFFECT_RETRY_MAX_SECONDS="1",
        ORACLE_EFFECT_LEASE_SECONDS="2",
        ORACLE_EFFECT_RESEND_SECONDS="1",
        ORACLE_EFFECT_MAX_ATTEMPTS="100",
        PYTHONUNBUFFERED="1",
    )
    if smtp_port is not None:
        env.update(
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            DJANGO_EMAIL_HOST="127.0.0.1",
            DJANGO_EMAIL_PORT=str(smtp_port),
            DJANGO_EMAIL_TIMEOUT="5",
        )
    env.update(extra)
    return env


class Worker:
    """`manage.py worker` as a child process; `log` is what it printed."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log_path, self.process = env, log, None

    def start(self) -> "Worker":
        handle = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.05", "--tick", "0.2"],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no cleanup, as when the machine or the OOM killer stops it."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class SmtpServer:
    """A local mail server (aiosmtpd). Not started, the port refuses connections (SMTP down).
    `hold_recipients` makes it stall before accepting any recipient (a slow server)."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list = []
        self.controller = None
        self.hold_recipients = threading.Event()
        self.recipient_waiting = threading.Event()

    def start(self) -> "SmtpServer":
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                import asyncio

                while server.hold_recipients.is_set():
                    server.recipient_waiting.set()
                    await asyncio.sleep(0.05)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                server.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.hold_recipients.clear()
            self.controller.stop()
            self.controller = None

    def received_by(self, address: str) -> list[str]:
        return [content for recipients, content in self.messages if address in recipients]
