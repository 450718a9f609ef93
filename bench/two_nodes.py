"""Two application nodes, one database, one Redis, one worker: is an approval taken on node A
served by node B and by the published file within 1 s? And does a worker killed mid-task lose
anything?

    .venv/bin/python bench/two_nodes.py --database-url postgres://postgres@127.0.0.1:5432/oracle_wa2 \\
        --redis-url redis://127.0.0.1:6379/12 [--approvals 100] [--ports 18110,18111]

The database is dropped and created again (it must be yours), the Redis database flushed.
Node A and node B are separate gunicorn instances (production settings, each with its own
per-process caches, the page cache in the shared Redis); `manage.py worker` runs the effects.
Each round: an editor changes an answer's summary (a unique marker) and submits it, the board
starts the review (in this process, through the services), then the board member approves it
over HTTP on node A, through the admin; the clock runs from that POST until node B serves the
marker and until the published file holds it. Prints p50, p95, p99 and max of both and exits 1
if a p99 is over 1 s. Then the worker is SIGKILLed while approvals are taken and again just
after it restarts: every page must end up written and every effect done.
"""

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LIMIT_S = 1.0


class Session:
    """A browser's cookies and CSRF token against one node, over plain HTTP (as behind nginx)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            from urllib.parse import urlencode

            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, content

    def log_in(self, username, password):
        self.request("GET", "/admin/login/")
        status, _ = self.request("POST", "/admin/login/?next=/admin/", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"login as {username} on :{self.port} answered {status}")


def start(cmd, env, log):
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)


def wait_http(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"node on :{port} did not start")


def percentiles(values):
    values = sorted(values)

    def at(q):
        return values[min(len(values) - 1, int(q * len(values)))]

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": values[-1]}


def main():  # noqa: PLR0915 - one scenario, top to bottom
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--approvals", type=int, default=100)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--ports", default="18110,18111")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    args = parser.parse_args()
    port_a, port_b = (int(p) for p in args.ports.split(","))
    url = urlsplit(args.database_url)
    database = url.path.lstrip("/")
    server = args.database_url.rsplit("/", 1)[0] + "/postgres"
    work = Path(tempfile.mkdtemp(prefix="oracle-two-nodes-"))
    publish = work / "publish"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ORACLE_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="oracle.settings",
        DJANGO_SECRET_KEY="two-nodes-bench-only-secret-key-" + "y" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="ERROR",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        ORACLE_PUBLISH_DIR=str(publish),
        DJANGO_STATIC_ROOT=str(work / "static"),
        ORACLE_BASE_URL=f"http://127.0.0.1:{port_a}",
        ORACLE_EFFECT_LEASE_SECONDS="3",
        ORACLE_EFFECT_RESEND_SECONDS="1",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    subprocess.run(["psql", server, "-qc", f'DROP DATABASE IF EXISTS "{database}"'], check=True)
    subprocess.run(["psql", server, "-qc", f'CREATE DATABASE "{database}"'], check=True)
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=True, capture_output=True)
    for command in (["migrate", "-v0", "--noinput"], ["collectstatic", "-v0", "--noinput"]):
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PY, "manage.py", "generate_demo_data", "--answers", str(args.answers), "--no-files"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import reversion
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.models import Article
    from core.models import Effect
    from reviews.models import BoardMember
    from reviews.services import checklist_for, review_start, review_submit

    password = "two-nodes-password-0123"
    User = get_user_model()
    editor = User.objects.create_user("bench-editor", password=password, is_staff=True, email="e@example.org")
    editor.groups.add(Group.objects.get(name="Editors"))
    board = User.objects.create_user("bench-board", password=password, is_staff=True, email="b@example.org")
    board.groups.add(Group.objects.get(name="Medical Advisory Board"))
    BoardMember.objects.create(user=board, display_name="Dr. Bench", credentials="MD")
    editor, board = User.objects.get(pk=editor.pk), User.objects.get(pk=board.pk)
    articles = list(Article.objects.published().order_by("pk")[: args.answers])

    procs = {}
    procs["a"] = start([str(ROOT / ".venv/bin/gunicorn"), "oracle.wsgi", "-w", str(args.gunicorn_workers),
                        "-b", f"127.0.0.1:{port_a}"], env, work / "node-a.log")  # fmt: skip
    procs["b"] = start([str(ROOT / ".venv/bin/gunicorn"), "oracle.wsgi", "-w", str(args.gunicorn_workers),
                        "-b", f"127.0.0.1:{port_b}"], env, work / "node-b.log")  # fmt: skip
    procs["worker"] = start([PY, "manage.py", "worker"], env, work / "worker.log")
    failures = []
    try:
        wait_http(port_a)
        wait_http(port_b)
        board_a = Session(port_a)
        board_a.log_in("bench-board", password)
        reader_b = Session(port_b)

        def prepare(article, marker):
            with reversion.create_revision():
                fresh = Article.objects.get(pk=article.pk)
                fresh.summary = re.sub(r"\s*TWONODES\w+$", "", fresh.summary) + f" {marker}"
                fresh.save()
                reversion.set_user(editor)
                reversion.set_comment(marker)
            review = review_submit(article=fresh, by=editor)
            return review_start(review=review, by=board)

        def approve_on_a(article, review):
            status, body = board_a.request(
                "POST",
                f"/admin/articles/article/{article.pk}/review/",
                # the board member attests every checklist item offered (the migration seeds required ones)
                {"transition": "approve", "review": review.pk, "checklist": [i.pk for i in checklist_for(review)]},
            )
            if status != 302:
                raise RuntimeError(f"approval on node A answered {status}: {body[:300]!r}")

        node_b, files = [], []
        for n in range(args.approvals):
            article = articles[n % len(articles)]
            marker = f"TWONODES{n:04d}x"
            review = prepare(article, marker)
            page = publish / "articles" / article.slug / "index.html"
            path = f"/articles/{article.slug}/"
            clock = time.monotonic()
            approve_on_a(article, review)
            seen_b = seen_file = None
            while seen_b is None or seen_file is None:
                now = time.monotonic() - clock
                if now > 10:
                    failures.append(f"approval {n}: not served within 10 s (node B {seen_b}, file {seen_file})")
                    break
                if seen_file is None and page.exists() and marker.encode() in page.read_bytes():
                    seen_file = time.monotonic() - clock
                if seen_b is None and marker.encode() in reader_b.request("GET", path)[1]:
                    seen_b = time.monotonic() - clock
                time.sleep(0.005)
            if seen_b is not None:
                node_b.append(seen_b)
            if seen_file is not None:
                files.append(seen_file)

        print(f"\n{args.approvals} approvals on node A (:{port_a}); seconds from the approval's POST until shown")
        for name, values in (("node B serves it", node_b), ("published file has it", files)):
            if values:
                figures = percentiles(values)
                print(f"  {name:<22} " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()))
                if figures["p99"] > LIMIT_S:
                    failures.append(f"{name}: p99 {figures['p99']:.3f} s > {LIMIT_S} s")

        # ---- a worker killed mid-task ---------------------------------------------------------
        procs["worker"].send_signal(signal.SIGKILL)
        procs["worker"].wait()
        pending = []
        for n, article in enumerate(articles[:10]):
            marker = f"TWONODESKILL{n:02d}x"
            approve_on_a(article, prepare(article, marker))
            pending.append((article, marker))
        procs["worker"] = start([PY, "manage.py", "worker"], env, work / "worker.log")
        time.sleep(0.3)  # mid-task: it has begun on the backlog
        procs["worker"].send_signal(signal.SIGKILL)
        procs["worker"].wait()
        procs["worker"] = start([PY, "manage.py", "worker"], env, work / "worker.log")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            written = all(
                marker.encode() in ((publish / "articles" / a.slug / "index.html").read_bytes())
                for a, marker in pending
            )
            if written and not Effect.objects.exclude(status="done").exists():
                break
            time.sleep(0.2)
        left = Effect.objects.exclude(status="done").count()
        served = sum(marker.encode() in reader_b.request("GET", f"/articles/{a.slug}/")[1] for a, marker in pending)
        print(
            f"\nworker SIGKILLed twice during 10 approvals: {served}/10 served by node B, "
            f"{'all' if written else 'NOT all'} files written, {left} effect(s) not done"
        )
        if not written or left or served != 10:
            failures.append("a killed worker lost work")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
