"""Load and faults: readers at 64 connections while the editorial workflow writes, then a PostgreSQL
restart in the middle of it all. Loopback only, bounded in time; prints its figures and exits 1 if a
check fails.

    .venv/bin/python bench/load_faults.py [--seconds 60] [--fault-seconds 20] [--answers 300] [--min-read-ratio 0.7]

It never touches a shared PostgreSQL: it starts its own throwaway PostgreSQL (initdb into a
temporary directory, trust authentication, a free loopback port, its socket in that directory),
restarts *that* one during the fault phase, and stops and deletes it at the end — also after a
failure, Ctrl-C or SIGTERM. Redis, when it answers, is used on a database of its own (`--redis-db`,
default 5), and only keys this script's site writes are deleted.

1. generates published answers (`manage.py generate_demo_data`), starts gunicorn with production
   settings (DEBUG off, page cache in Redis when it answers, persistent connections with
   CONN_HEALTH_CHECKS as oracle/settings.py configures them);
2. read-only phase (`--read-seconds`, default `--seconds`): the same readers with nobody writing,
   the baseline of the readers-under-writes ratio;
3. steady phase (`--seconds`): wrk rotates over answers, home, topics, search and the feed at 64
   connections while, in this process, editors save drafts (each a reversion revision, as the
   admin saves them; up to `--draft-saves` per second), an API client replaces drafts (`PUT /api/drafts/<id>/` with `If-Match`,
   `--api-puts` per second) and a board member submits → starts → approves through
   reviews.services (two threads, `--cycle-pause` seconds between cycles); checks: zero 5xx, every save is in the history, every approval made exactly
   one publication. Prints the readers' throughput under these writes against the read-only
   baseline (and the share of cache hits in each); `--min-read-ratio` makes it a gate;
4. fault phase (`--fault-seconds`): the same load, and the throwaway PostgreSQL is restarted
   (`pg_ctl restart -m fast`, or `--restart-mode immediate` for a crash and WAL recovery) a few
   seconds in; a probe asks a page that always needs the database every 50 ms. Checks: errors only
   during the outage, the site answering again within 5 s of PostgreSQL accepting connections
   (gunicorn is not restarted), and no half-done transition: every review's state, audit trail,
   article status, lock and publication agree.
"""

import argparse
import functools
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

from harness import free_ports, sh, wait_for

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RECOVERY_LIMIT_S = 5.0
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def log(message):
    print(message, flush=True)


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own in a temporary directory: nobody else's server is touched.

    initdb refuses to run as root, so as root every PostgreSQL command runs as the `postgres` OS
    user (`runuser`), which owns the directory."""

    def __init__(self, port: int | None = None, *, durable: bool = True):
        self.port = port or free_ports(1)[0]
        self.durable = durable
        self.dir = Path(tempfile.mkdtemp(prefix="oracle-load-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self.started = False

    @property
    def server_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *args, check=True, timeout=60):
        return sh(*self.as_user, *map(str, args), check=check, timeout=timeout)

    def pg_ctl(self, action, *extra, check=True):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=60"
        if not self.durable:  # smoke tests: a restart of PostgreSQL loses nothing without fsync, an OS crash would
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return self._run(
            PG_BIN / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.log,
            "-w",
            "-t",
            "60",
            "-o",
            options,
            *extra,
            action,
            check=check,
        )

    def init_and_start(self):
        self._run(
            PG_BIN / "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-instructions",
            "--no-sync",
        )
        self.pg_ctl("start")
        self.started = True

    def restart(self, mode="fast"):
        return self.pg_ctl("restart", "-m", mode, check=False)

    def ready(self) -> bool:
        return (
            subprocess.run(
                [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"], check=False
            ).returncode
            == 0
        )

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def destroy(self):
        if self.started or (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "immediate", check=False)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


# --- readers: wrk with a Lua script rotating over the URLs, counting statuses by class ----------

LUA = """
local paths = {%(paths)s}
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  i = id * 7919
  c2, c3, c4, c5, hits = 0, 0, 0, 0, 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
function response(status, headers, body)
  if headers["X-Cache"] == "hit" then hits = hits + 1 end
  if status >= 500 then c5 = c5 + 1
  elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1
  else c2 = c2 + 1 end
end
function done(summary, latency, requests)
  local t = {0, 0, 0, 0, 0}
  for _, thread in ipairs(threads) do
    t[1] = t[1] + thread:get("c2"); t[2] = t[2] + thread:get("c3")
    t[3] = t[3] + thread:get("c4"); t[4] = t[4] + thread:get("c5")
    t[5] = t[5] + thread:get("hits")
  end
  local e = summary.errors
  io.write(string.format("STATUS %%d %%d %%d %%d SOCKET %%d %%d %%d %%d %%d HITS %%d\\n", t[1], t[2], t[3], t[4],
    e.connect, e.read, e.write, e.status, e.timeout, t[5]))
end
"""


def start_wrk(base, script, seconds, connections, threads=2):
    return subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wrk_figures(output: str) -> dict:
    status = re.search(r"STATUS (\d+) (\d+) (\d+) (\d+) SOCKET (\d+) (\d+) (\d+) (\d+) (\d+) HITS (\d+)", output)
    if not status:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    n = [int(x) for x in status.groups()]

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.M)
        value, unit = match.groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "requests": sum(n[:4]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "2xx": n[0],
        "3xx": n[1],
        "4xx": n[2],
        "5xx": n[3],
        "socket_errors": {"connect": n[4], "read": n[5], "write": n[6], "timeout": n[8]},
        "cache_hits": n[9],
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
    }


# --- the access log: 5xx per second, to place them against the outage ---------------------------

ACCESS_FORMAT = "%(t)s %(s)s %({x-cache}o)s %(U)s"
ACCESS_LINE = re.compile(r"^\[(?P<t>[^\]]+)\] (?P<s>\d{3}) (?P<cache>\S+) (?P<path>\S+)$")


def access_rows(path: Path, since: float, until: float) -> list[tuple[float, int, str, str]]:
    """(time, status, X-Cache or "-", path) of each request gunicorn logged in the window."""
    rows = []
    for line in path.read_text().splitlines():
        match = ACCESS_LINE.match(line.strip())
        if not match:
            continue
        when = datetime.strptime(match.group("t"), "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if since - 1 <= when <= until + 1:
            rows.append((when, int(match.group("s")), match.group("cache"), match.group("path")))
    return rows


def access_statuses(path: Path, since: float, until: float) -> list[tuple[float, int]]:
    return [(when, status) for when, status, _, _ in access_rows(path, since, until)]


def page_kind(path: str) -> str:
    if path == "/":
        return "home"
    if path.startswith("/api/"):
        return "api"
    for prefix, kind in (("/articles/", "answer"), ("/topics/", "topic"), ("/search/", "search"), ("/feed/", "feed")):
        if path.startswith(prefix):
            return kind
    return "other"


def misses_by_kind(rows) -> str:
    """The readers' cache misses by page kind (X-Cache: miss), e.g. "home 12/1,500"."""
    kinds = {}
    for _, _, cache_state, path in rows:
        kind = page_kind(path)
        if kind == "api":
            continue
        seen, missed = kinds.get(kind, (0, 0))
        kinds[kind] = (seen + 1, missed + (cache_state != "hit"))
    return ", ".join(f"{kind} {missed:,}/{seen:,}" for kind, (seen, missed) in sorted(kinds.items()))


# --- where the machine's CPU went in a phase: this site's processes and everybody else ---------


def _jiffies(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime (all threads)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return found


def _machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuShares:
    """CPU jiffies of gunicorn (master and workers), this process (the writers), the throwaway
    PostgreSQL (postmaster and backends), wrk, and the rest of the machine, over one phase. A
    process that ended within the phase counts as the rest's."""

    def __init__(self, *, gunicorn_pid: int, pg_pid: int):
        self.groups = {"gunicorn": lambda: [gunicorn_pid, *_children(gunicorn_pid)]}
        self.groups["writers (bench process)"] = lambda: [os.getpid()]
        self.groups["PostgreSQL"] = lambda: [pg_pid, *_children(pg_pid)]
        self.before = self._sample()
        self.children_before = self._reaped()

    @staticmethod
    def _reaped() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once communicate() has reaped it
        return (usage.ru_utime + usage.ru_stime) * os.sysconf("SC_CLK_TCK")

    def _sample(self):
        per_group = {name: {pid: _jiffies(pid) for pid in pids()} for name, pids in self.groups.items()}
        return per_group, _machine_busy()

    def report(self) -> str:
        groups_after, (busy_after, total_after) = self._sample()
        groups_before, (busy_before, total_before) = self.before
        total = max(1, total_after - total_before)
        parts, ours = [], 0
        self.seconds = {}  # CPU seconds of each group
        for name, after in groups_after.items():
            used = sum(j - groups_before[name].get(pid, 0) for pid, j in after.items())
            self.seconds[name] = used / os.sysconf("SC_CLK_TCK")
            ours += used
            parts.append(f"{name} {used / total:.0%}")
        wrk = self._reaped() - self.children_before
        ours += wrk
        parts.append(f"wrk {wrk / total:.0%}")
        busy = busy_after - busy_before
        parts.append(f"other processes on the machine {max(0, busy - ours) / total:.0%}")
        parts.append(f"idle {(total - busy) / total:.0%}")
        return "CPU (share of all cores): " + ", ".join(parts)


class Retirements(threading.Thread):
    """Counts the page-generation bumps announced on the site's channel during a phase: how many
    times the site-wide pages, the lists and answers' own pages were retired."""

    def __init__(self, redis_url, channel):
        super().__init__(daemon=True)
        import redis

        self.pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(channel)
        self.counts = {"site-wide": 0, "lists": 0, "answers' own pages": 0}
        self.answers = set()
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            message = self.pubsub.get_message(timeout=0.2)
            if message and message["type"] == "message":
                name = message["data"].decode().rpartition("=")[0] or "site"
                if name.startswith("answer:"):
                    self.counts["answers' own pages"] += 1
                    self.answers.add(name)
                else:
                    key = "site-wide" if name == "site" else name
                    self.counts[key] = self.counts.get(key, 0) + 1

    def report(self) -> str:
        self.stopping.set()
        self.join(timeout=5)
        self.pubsub.close()
        counts = ", ".join(f"{name} {n}" for name, n in self.counts.items())
        return f"retirements (generation bumps): {counts} (of {len(self.answers)} answers)"


# --- a probe that always needs the database -----------------------------------------------------


class Probe(threading.Thread):
    """GET an answer with an uncacheable query string every 50 ms: it always reads PostgreSQL."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.results: list[tuple[float, bool, str, float]] = []  # (started, ok, status, finished)
        self.stopping = threading.Event()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            n += 1
            started = time.time()
            try:
                with urllib.request.urlopen(f"{self.url}?probe={n}", timeout=5) as response:
                    ok, what = response.status == 200, str(response.status)
            except urllib.error.HTTPError as exc:
                ok, what = False, str(exc.code)
            except Exception as exc:  # noqa: BLE001 - connection refused, timeouts: all count
                ok, what = False, type(exc).__name__
            self.results.append((started, ok, what, time.time()))
            self.stopping.wait(0.05)


# --- writers: the editorial workflow through the services, in this process --------------------


class Writers:
    """Editors save drafts; a board member submits, starts and approves. Every attempt is logged
    with its time and outcome, so the checks can tell acknowledged writes from failed ones."""

    def __init__(
        self,
        *,
        editor,
        board,
        cycle_articles,
        draft_articles,
        api=None,
        api_articles=(),
        api_puts=0.0,
        draft_saves=50.0,
        cycle_pause=0.0,
    ):
        self.editor, self.board = editor, board
        self.cycle_articles = cycle_articles
        self.draft_articles = draft_articles
        self.api, self.api_articles, self.api_puts = api, list(api_articles), api_puts  # api: (base URL, secret)
        self.draft_saves, self.cycle_pause = draft_saves, cycle_pause  # saves per second; seconds between steps
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.saves: list[tuple[int, str]] = []  # acknowledged: (article id, token)
        self.approvals: list[int] = []  # acknowledged approvals: review ids
        self.ops: list[tuple[float, str, bool, str, float]] = []  # (started, op, ok, error, finished)
        self.threads = []
        self.counter = 0

    def token(self):
        with self.lock:
            self.counter += 1
            return f"LOADTOKEN{os.getpid()}X{self.counter:06d}"

    FAILED = object()  # what record() returns when the operation raised

    def record(self, op, fn):
        from django.db import close_old_connections

        close_old_connections()  # what a request does first: drops a connection that broke
        started = time.time()
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and judged later
            with self.lock:
                self.ops.append((started, op, False, f"{type(exc).__name__}: {str(exc)[:120]}", time.time()))
            time.sleep(0.05)
            return self.FAILED
        with self.lock:
            self.ops.append((started, op, True, "", time.time()))
        return result

    def save_draft(self, article_id):
        import reversion

        from articles.models import Article

        token = self.token()

        def save():
            with reversion.create_revision():
                article = Article.objects.get(pk=article_id)
                article.summary = re.sub(r"\s*LOADTOKEN\w+$", "", article.summary) + f" {token}"
                article.save()
                reversion.set_user(self.editor)
                reversion.set_comment(f"load test edit {token}")
            return token

        if self.record("save", save) is not self.FAILED:
            with self.lock:
                self.saves.append((article_id, token))
            return True
        return False

    def api_put(self, article_id):
        """What a pipeline does: read the draft, replace it with one change, naming the version read."""
        import json

        base, secret = self.api
        token = self.token()
        url = f"{base}/api/drafts/{article_id}/"
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}

        def put():
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
                draft = json.loads(response.read())
            body = {
                "question": draft["question"],
                "slug": draft["slug"],
                "topic": draft["topic"],
                "summary_heading": draft["summary_heading"],
                "summary": re.sub(r"\s*LOADTOKEN\w+$", "", draft["summary"]) + f" {token}",
                "summary_variants": draft["summary_variants"],
                "sections": [
                    {"heading": s["heading"], "audience": s["audience"], "claims": [c["text"] for c in s["claims"]]}
                    for s in draft["sections"]
                ],
                "change_summary": f"load test API edit {token}",
                "version": draft["version"],
            }
            request = urllib.request.Request(
                url,
                data=json.dumps(body).encode(),
                method="PUT",
                headers={**headers, "If-Match": f'"{draft["version"]}"'},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            return token

        if self.record("api put", put) is not self.FAILED:
            with self.lock:
                self.saves.append((article_id, token))

    def _paced(self, per_second, action):
        """`action()` `per_second` times a second by the clock (the time an action takes counts),
        never faster; when one took longer than its share, the next starts at once, with no burst."""
        interval, due = 1 / per_second, time.monotonic()
        while not self.stopping.is_set():
            action()
            due = max(due + interval, time.monotonic())
            self.stopping.wait(due - time.monotonic())

    def _api_puts(self):
        self._paced(self.api_puts, lambda: self.api_put(random.choice(self.api_articles)))

    def cycle_step(self, article_id):
        """One step of the article's workflow, chosen from its state in the database."""
        from reviews.models import Review
        from reviews.services import checklist_for, review_approve, review_start, review_submit

        def current():
            return Review.objects.open().filter(article_id=article_id).first()

        review = self.record("read", current)
        if review is self.FAILED:
            return  # the database is away: try again on the next round, never guess
        if review is None:
            if self.save_draft(article_id):
                from articles.models import Article

                self.record("submit", lambda: review_submit(article=Article.objects.get(pk=article_id), by=self.editor))
        elif review.state == Review.State.SUBMITTED:
            self.record("start", lambda: review_start(review=review, by=self.board))
        elif review.state == Review.State.UNDER_REVIEW:
            # the bench's board member attests every checklist item offered (the migration seeds required ones)
            approved = self.record(
                "approve",
                lambda: review_approve(
                    review=review, by=self.board, ticked=[item.pk for item in checklist_for(review)]
                ),
            )
            if approved is not self.FAILED:
                with self.lock:
                    self.approvals.append(approved.pk)

    def _cycles(self, articles):
        from django.db import connection

        while not self.stopping.is_set():
            for article_id in articles:
                if self.stopping.is_set():
                    break
                if self.cycle_pause:
                    # one whole cycle (submit, start, approve), then a pause: a steady trickle of approvals
                    for _ in range(3):
                        self.cycle_step(article_id)
                    self.stopping.wait(self.cycle_pause)
                else:
                    self.cycle_step(article_id)
        connection.close()

    def _drafts(self, articles):
        from django.db import connection

        self._paced(self.draft_saves, lambda: self.save_draft(random.choice(articles)))
        connection.close()

    def start(self):
        half = len(self.cycle_articles) // 2
        self.stopping.clear()
        self.threads = [
            threading.Thread(target=self._cycles, args=(self.cycle_articles[:half],), daemon=True),
            threading.Thread(target=self._cycles, args=(self.cycle_articles[half:],), daemon=True),
            threading.Thread(target=self._drafts, args=(self.draft_articles,), daemon=True),
        ]
        if self.api and self.api_articles and self.api_puts > 0:
            self.threads.append(threading.Thread(target=self._api_puts, daemon=True))
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


# --- checks on the database afterwards ---------------------------------------------------------


def check_lost_writes(writers) -> list[str]:
    from reversion.models import Version

    from articles.models import Article

    problems = []
    for article_id, token in writers.saves:
        if (
            not Version.objects.get_for_object_reference(Article, article_id)
            .filter(serialized_data__contains=token)
            .exists()
        ):
            problems.append(f"acknowledged save {token} of article {article_id} is not in its history")
    return problems


def check_publications(writers, publications_before: dict[int, int]) -> list[str]:
    from articles.models import Article, Publication
    from reviews.models import Review

    problems = []
    approved = Review.objects.filter(pk__in=writers.approvals)
    for review in approved:
        if review.state != Review.State.APPROVED or review.publication_id is None:
            problems.append(f"review {review.pk}: acknowledged approval without a publication")
    for article in Article.objects.filter(pk__in=writers.cycle_articles):
        made = Publication.objects.filter(article=article).count() - publications_before.get(article.pk, 0)
        approvals = Review.objects.filter(
            article=article, state=Review.State.APPROVED, origin=Review.Origin.BOARD
        ).count()
        if made != approvals:
            problems.append(f"article {article.pk}: {approvals} approvals but {made} new publications")
        linked = Publication.objects.filter(article=article, review__isnull=False).count()
        if linked != approvals:
            problems.append(f"article {article.pk}: {linked} publications linked to reviews, {approvals} approvals")
    return problems


def check_transitions_complete(article_ids) -> list[str]:
    """Every review: its state, its audit trail, its article's status and lock and its
    publication agree — a transition is either all there or not there at all."""
    from articles.models import Article, Publication
    from reviews.models import Review, ReviewApproval, ReviewTransition

    problems = []
    for review in Review.objects.filter(article_id__in=article_ids).select_related("article", "publication"):
        last = ReviewTransition.objects.filter(review=review).order_by("-at", "-id").first()
        if last is None or last.target != review.state:
            problems.append(f"review {review.pk} is {review.state}, its audit trail ends at {last and last.target}")
        if review.state == Review.State.APPROVED:
            if review.publication is None or review.publication.revision_id != review.revision_id:
                problems.append(f"review {review.pk} approved without a publication of its pinned revision")
            if not ReviewApproval.objects.filter(review=review).exists():
                problems.append(f"review {review.pk} approved with no approval recorded")
        elif review.publication_id is not None:
            problems.append(f"review {review.pk} is {review.state} but has a publication")
    for article in Article.objects.filter(pk__in=article_ids):
        newest = Review.objects.filter(article=article).order_by("-submitted_at", "-id").first()
        if newest is not None and newest.state != article.review_status:
            problems.append(f"article {article.pk} says {article.review_status}, its newest review is {newest.state}")
        if bool(article.lock_reason) != (article.review_status in ("submitted", "under_review")):
            problems.append(f"article {article.pk}: lock {article.lock_reason!r} with status {article.review_status}")
        latest = Publication.objects.filter(article=article).order_by("-number").first()
        if latest is not None and article.current_publication_id != latest.pk:
            problems.append(
                f"article {article.pk} shows publication {article.current_publication_id}, newest {latest.pk}"
            )
    return problems


# --- main -------------------------------------------------------------------------------------


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def forget_site_keys(redis_url):
    """Delete the keys Oracle's cache writes (pages, the page generation, rate limits), nothing else."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=":1:oracle:*", count=1000):
        client.delete(key)
    client.close()


def django_env(database_url, extra):
    """Production settings on the throwaway database; the caller's choice of settings module, database
    and Redis (a test run's, say) is not inherited."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "oracle.settings",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "load-faults-only-secret-key-" + "x" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "CRITICAL",
        **extra,
    }


def main():  # noqa: C901, PLR0915 - one scenario, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="steady phase (default 60)")
    parser.add_argument("--fault-seconds", type=int, default=20, help="fault phase (default 20)")
    parser.add_argument("--restart-after", type=float, default=5.0, help="seconds into the fault phase")
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--pg-port", type=int, default=0, help="the throwaway PostgreSQL's port (default: a free one)")
    parser.add_argument("--database", default="oracle_load")
    parser.add_argument("--restart-mode", choices=("fast", "immediate"), default="fast", help="pg_ctl restart -m")
    parser.add_argument("--redis-db", type=int, default=5, help="Redis database number (never 0)")
    parser.add_argument("--no-redis", action="store_true", help="per-process memory cache instead of Redis")
    parser.add_argument("--no-fault", action="store_true", help="skip the PostgreSQL restart")
    parser.add_argument(
        "--no-fsync",
        action="store_true",
        help="PostgreSQL without fsync (quick smoke runs; a restart still loses nothing)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load before measuring")
    parser.add_argument("--read-seconds", type=int, default=0, help="read-only phase (default: --seconds)")
    parser.add_argument("--api-puts", type=float, default=2.0, help="API draft replacements per second (0: none)")
    parser.add_argument("--draft-saves", type=float, default=5.0, help="draft saves per second")
    parser.add_argument(
        "--cycle-pause",
        type=float,
        default=5.0,
        help="seconds between whole review cycles in each of the two board threads (0: steps back to back; "
        "the default 5 makes one submission, start and approval every ~3 s)",
    )
    parser.add_argument(
        "--min-read-ratio",
        type=float,
        default=0.0,
        help="fail if readers under the writes get less than this share of the read-only throughput (target 0.7)",
    )
    args = parser.parse_args()
    for tool in ("wrk", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed")
    for tool in ("initdb", "pg_ctl", "pg_isready", "psql"):
        if not (PG_BIN / tool).exists():
            sys.exit(f"{PG_BIN / tool} is needed (PostgreSQL 15 server binaries; PG_BIN= to point elsewhere)")
    if args.redis_db == 0:
        sys.exit("--redis-db 0 is other people's: choose another database number")

    # SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so the cleanup below always runs.
    signal.signal(signal.SIGTERM, _interrupt)
    pg = ThrowawayPostgres(args.pg_port or None, durable=not args.no_fsync)
    database_url = f"{pg.server_url}/{args.database}"
    port = args.port or free_ports(1)[0]
    base = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="oracle-load-"))
    redis_url = None
    if not args.no_redis:
        redis = subprocess.run(["redis-cli", "-n", str(args.redis_db), "ping"], capture_output=True, text=True)
        if redis.stdout.strip() == "PONG":
            redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    extra = {
        "ORACLE_PUBLISH_DIR": str(work / "publish"),
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "ORACLE_API_RATE_LIMIT": "1000000",  # the pipeline's steady PUTs are load, not abuse
    }
    if redis_url:
        extra["REDIS_URL"] = redis_url
    env = django_env(database_url, extra)
    failures: list[str] = []
    gunicorn = None

    collect = None
    try:
        started = time.time()
        # collectstatic needs no database: it runs while PostgreSQL is set up and migrated
        collect = subprocess.Popen(
            [PY, "manage.py", "collectstatic", "--noinput"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        pg.init_and_start()
        log(
            f"== throwaway PostgreSQL on 127.0.0.1:{pg.port} in {pg.dir} "
            f"({time.time() - started:.1f} s); database {args.database}: {args.answers} answers"
        )
        if redis_url:
            forget_site_keys(redis_url)  # a page cached by an earlier run must never be served
        sh(str(PG_BIN / "psql"), f"{pg.server_url}/postgres", "-qc", f'CREATE DATABASE "{args.database}"')
        sh(PY, "manage.py", "migrate", "--noinput", env=env, cwd=ROOT)
        sh(PY, "manage.py", "generate_demo_data", "--answers", str(args.answers), "--no-files", env=env, cwd=ROOT)
        _, collect_errors = collect.communicate(timeout=120)
        if collect.returncode:
            raise RuntimeError(f"collectstatic failed ({collect.returncode}):\n{collect_errors[-3000:]}")
        log(f"   migrated, static files collected, data generated ({time.time() - started:.1f} s)")

        os.environ.pop("REDIS_URL", None)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from articles.models import Article, Publication, Topic
        from reviews.models import BoardMember

        db = settings.DATABASES["default"]
        log(
            f"   settings: CONN_MAX_AGE={db['CONN_MAX_AGE']} CONN_HEALTH_CHECKS={db['CONN_HEALTH_CHECKS']} "
            f"cache={'redis' if 'REDIS_URL' in extra else 'per-process memory'}"
        )
        if not db.get("CONN_HEALTH_CHECKS"):
            failures.append("production settings do not turn CONN_HEALTH_CHECKS on")
        User = get_user_model()
        editor = User.objects.create_user("load-editor", password="x" * 20, is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        board = User.objects.create_user("load-board", password="x" * 20, is_staff=True)
        board.groups.add(Group.objects.get(name="Medical Advisory Board"))
        BoardMember.objects.create(user=board, display_name="Dr. Load", credentials="MD")
        editor = User.objects.get(pk=editor.pk)  # fresh permission caches
        board = User.objects.get(pk=board.pk)

        slugs = list(Article.objects.published().order_by("pk").values_list("slug", flat=True))
        ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True))
        # the newest 60 answers (fewer with a tiny data set): 2/3 go through review cycles, 1/3 get drafts
        pool = ids[-60:]
        cycle_articles, draft_articles = pool[len(pool) // 3 :], pool[: len(pool) // 3]
        # drafts saved in this process (as the admin saves them) and through the API: never the same
        # answer, so that no save is refused as made from an older version
        api_articles, draft_articles = draft_articles[1::2], draft_articles[::2]
        from api.models import ApiToken, Scope

        api_token = ApiToken(owner=editor, name="load test pipeline", scopes=[Scope.DRAFTS_WRITE])
        api_secret = api_token.set_new_secret()
        api_token.save()
        publications_before = {a: Publication.objects.filter(article_id=a).count() for a in cycle_articles}
        topics = list(Topic.objects.values_list("slug", flat=True))
        paths = [f"/articles/{slug}/" for slug in slugs[:200]]
        paths += ["/"] * 20 + ["/feed/"] * 10 + [f"/topics/{t}/" for t in topics]
        paths += [f"/search/?q={q}" for q in ("tizanidine+sedation", "baclofen", "renal+risk", "mivoka", "pain+relief")]
        random.Random(7).shuffle(paths)
        script = work / "readers.lua"
        script.write_text(LUA % {"paths": ", ".join(f'"{p}"' for p in paths)})

        access_log = work / "access.log"
        gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "oracle.wsgi",
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--backlog",
                "2048",
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                ACCESS_FORMAT,
                "--error-logfile",
                str(work / "error.log"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"{base}/healthz")
        gunicorn_pid = gunicorn.pid
        if args.warmup > 0:
            sh("wrk", "-t2", "-c8", f"-d{args.warmup}s", "-s", str(script), base)

        # ---- read-only phase: the readers' baseline ---------------------------------------------
        read_seconds = args.read_seconds or args.seconds
        log(f"== read-only: {read_seconds} s of readers at {args.connections} connections, nobody writing")
        t_start = time.time()
        readers = start_wrk(base, script, read_seconds, args.connections)
        cpu = CpuShares(gunicorn_pid=gunicorn_pid, pg_pid=pg.postmaster_pid())
        out, _ = readers.communicate()
        read_only_cpu = cpu.report()
        read_only_gunicorn_s = cpu.seconds["gunicorn"]
        read_only_misses = misses_by_kind(access_rows(access_log, t_start, time.time()))
        read_only = wrk_figures(out)
        log(
            f"   readers: {read_only['requests']:,} requests, {read_only['rps']:,.0f} req/s, p50 "
            f"{read_only['p50_ms']:.1f} ms, p99 {read_only['p99_ms']:.1f} ms; cache hits "
            f"{read_only['cache_hits'] / max(1, read_only['requests']):.0%}; 5xx {read_only['5xx']}"
        )
        log(f"   {read_only_cpu}")
        log(f"   misses by page (miss/requests): {read_only_misses}")
        if read_only["5xx"]:
            failures.append(f"read-only phase: {read_only['5xx']} server errors")

        # ---- steady phase ---------------------------------------------------------------------
        log(f"== steady: {args.seconds} s of readers at {args.connections} connections, editors and the board writing")
        # the same editorial load in the steady and the fault phase
        make_writers = functools.partial(
            Writers,
            editor=editor,
            board=board,
            cycle_articles=cycle_articles,
            draft_articles=draft_articles,
            api=(base, api_secret),
            api_articles=api_articles,
            api_puts=args.api_puts,
            draft_saves=args.draft_saves,
            cycle_pause=args.cycle_pause,
        )
        writers = make_writers()
        if redis_url:
            from articles.public_cache import generation_channel

            retired = Retirements(redis_url, generation_channel(redis_url))
            retired.start()
        t_start = time.time()
        writers.start()
        readers = start_wrk(base, script, args.seconds, args.connections)
        cpu = CpuShares(gunicorn_pid=gunicorn_pid, pg_pid=pg.postmaster_pid())
        out, _ = readers.communicate()
        steady_cpu = cpu.report()
        steady_gunicorn_s = cpu.seconds["gunicorn"]
        writers.stop()
        t_end = time.time()
        steady = wrk_figures(out)
        log(f"   {steady_cpu}")
        log(f"   misses by page (miss/requests): {misses_by_kind(access_rows(access_log, t_start, t_end))}")
        if redis_url:
            log(f"   {retired.report()}")
        server_5xx = sum(1 for _, s in access_statuses(access_log, t_start, t_end) if s >= 500)
        ok_ops = [op for op in writers.ops if op[2]]
        failed_ops = [op for op in writers.ops if not op[2]]
        by_kind = {k: sum(1 for op in ok_ops if op[1] == k) for k in ("save", "api put", "submit", "start", "approve")}
        log(
            f"   readers: {steady['requests']:,} requests, {steady['rps']:,.0f} req/s, p50 {steady['p50_ms']:.1f} ms, "
            f"p99 {steady['p99_ms']:.1f} ms; 2xx {steady['2xx']:,} 3xx {steady['3xx']:,} 4xx {steady['4xx']:,} "
            f"5xx {steady['5xx']}; socket errors {steady['socket_errors']}; 5xx in gunicorn's log: {server_5xx}; "
            f"cache hits {steady['cache_hits'] / max(1, steady['requests']):.0%}"
        )
        log(
            f"   writers: {by_kind['save']} draft saves, {by_kind['api put']} API PUTs, {by_kind['submit']} submissions, "
            f"{by_kind['start']} starts, {by_kind['approve']} approvals; {len(failed_ops)} failed operations"
        )
        read_ratio = steady["rps"] / read_only["rps"] if read_only["rps"] else 0.0
        log(
            f"   readers under writes: {steady['rps']:,.0f} req/s against {read_only['rps']:,.0f} read-only: "
            f"ratio {read_ratio:.2f}"
            + (f" (gate {args.min_read_ratio:.2f})" if args.min_read_ratio else "")
            + f"; cache hits {steady['cache_hits'] / max(1, steady['requests']):.0%} under writes, "
            f"{read_only['cache_hits'] / max(1, read_only['requests']):.0%} read-only"
        )
        per_cpu = [
            n / max(0.01, s)
            for n, s in ((read_only["requests"], read_only_gunicorn_s), (steady["requests"], steady_gunicorn_s))
        ]
        log(
            f"   readers per gunicorn CPU-second (what the cache saves, whoever else uses the machine; under "
            f"writes gunicorn also serves the API PUTs): {per_cpu[0]:,.0f} read-only, {per_cpu[1]:,.0f} under writes "
            f"({per_cpu[1] / per_cpu[0]:.2f})"
        )
        if args.min_read_ratio and read_ratio < args.min_read_ratio:
            failures.append(
                f"readers under writes kept {read_ratio:.2f} of the read-only throughput (< {args.min_read_ratio:.2f})"
            )
        for op in failed_ops[:5]:
            log(f"     failed: {op[1]} {op[3]}")
        lost = check_lost_writes(writers)
        pubs = check_publications(writers, publications_before)
        log(f"   lost writes: {len(lost)} of {len(writers.saves)} acknowledged saves")
        log(f"   approvals → publications: {len(writers.approvals)} approvals, problems: {len(pubs)}")
        for problem in (lost + pubs)[:10]:
            log(f"     {problem}")
        if steady["5xx"] or server_5xx:
            failures.append(f"steady phase: {max(steady['5xx'], server_5xx)} server errors")
        if failed_ops:
            failures.append(f"steady phase: {len(failed_ops)} write operations failed")
        if lost:
            failures.append(f"steady phase: {len(lost)} lost writes")
        if pubs:
            failures.append(f"steady phase: {len(pubs)} approval/publication mismatches")
        if not writers.approvals:
            failures.append("steady phase: no approval happened")

        # ---- fault phase ----------------------------------------------------------------------
        if not args.no_fault:
            log(
                f"== fault: {args.fault_seconds} s of the same load; PostgreSQL restarted after {args.restart_after:.0f} s"
            )
            fault_writers = make_writers()
            probe = Probe(f"{base}/articles/{slugs[0]}/")
            t_start = time.time()
            probe.start()
            fault_writers.start()
            readers = start_wrk(base, script, args.fault_seconds, args.connections)
            time.sleep(args.restart_after)
            t_down = time.time()
            restart = pg.restart(args.restart_mode)
            while not pg.ready():
                time.sleep(0.05)
            t_up = time.time()
            out, _ = readers.communicate()
            time.sleep(1)
            fault_writers.stop()
            probe.stopping.set()
            probe.join(timeout=10)
            t_end = time.time()
            fault = wrk_figures(out)
            if restart.returncode:
                failures.append(f"pg_ctl restart failed: {restart.stderr.strip()}")

            failed_probes = [r for r in probe.results if not r[1]]
            # Recovery: from PostgreSQL accepting connections to the end of the first success after
            # the last failure (0 when nothing failed after PostgreSQL was back).
            last_failure = max((r[3] for r in failed_probes), default=t_down)
            first_ok = min((r[3] for r in probe.results if r[1] and r[0] >= last_failure), default=None)
            recovery = max(0.0, first_ok - t_up) if first_ok is not None else float("inf")
            write_failures = [op for op in fault_writers.ops if not op[2]]
            last_write_failure = max((op[4] for op in write_failures), default=None)
            first_write_after = min(
                (
                    op[4]
                    for op in fault_writers.ops
                    if op[2] and op[1] != "read" and op[0] >= (last_write_failure or t_down)
                ),
                default=None,
            )
            write_recovery = max(0.0, first_write_after - t_up) if first_write_after is not None else float("inf")
            window_end = t_up + RECOVERY_LIMIT_S
            # A failure counts as inside the outage when the attempt was in flight at some moment
            # between the restart and the end of the recovery allowance (a request queued before
            # the restart can fail when it is finally served during it).
            outside = [r for r in failed_probes if r[3] < t_down or r[0] > window_end]
            outside += [op for op in write_failures if op[4] < t_down or op[0] > window_end]
            log_5xx = [(t, s) for t, s in access_statuses(access_log, t_start, t_end) if s >= 500]
            outside_5xx = [(t, s) for t, s in log_5xx if t < int(t_down) or t > int(window_end) + 1]
            log(
                f"   PostgreSQL down at +{t_down - t_start:.1f} s, accepting connections again after "
                f"{t_up - t_down:.2f} s (pg_ctl restart -m {args.restart_mode})"
            )
            log(
                f"   readers: {fault['requests']:,} requests, {fault['rps']:,.0f} req/s; 5xx {fault['5xx']} "
                f"(gunicorn log: {len(log_5xx)}), socket errors {fault['socket_errors']}"
            )
            log(
                f"   probe (uncached page, every 50 ms): {len(probe.results)} requests, {len(failed_probes)} failed, "
                f"sent from +{min((r[0] for r in failed_probes), default=t_down) - t_start:.2f} s, answered by "
                f"+{max((r[3] for r in failed_probes), default=t_down) - t_start:.2f} s "
                f"(outage window +{t_down - t_start:.2f} s … +{window_end - t_start:.2f} s)"
            )
            if write_failures:
                kinds = sorted({op[3].split(":")[0] for op in write_failures})
                log(f"   write failures: {', '.join(kinds)}")
            log(
                f"   first success after the last failure: site at "
                f"+{(first_ok - t_start) if first_ok else float('inf'):.2f} s, writes at "
                f"+{(first_write_after - t_start) if first_write_after else float('inf'):.2f} s "
                f"(PostgreSQL accepting connections at +{t_up - t_start:.2f} s)"
            )
            log(
                f"   recovery after PostgreSQL was back: site {recovery:.2f} s, writes {write_recovery:.2f} s "
                f"(limit {RECOVERY_LIMIT_S:.0f} s; gunicorn pid {gunicorn.pid} never restarted: "
                f"{'yes' if gunicorn.poll() is None and gunicorn.pid == gunicorn_pid else 'NO'})"
            )
            log(
                f"   writers: {sum(1 for op in fault_writers.ops if op[2] and op[1] != 'read')} writes done, "
                f"{len(write_failures)} failed (last failure at "
                f"+{(last_write_failure - t_start) if last_write_failure else 0:.2f} s)"
            )
            log(f"   errors outside the outage window: {len(outside)} (probe and writes), 5xx: {len(outside_5xx)}")
            from django.db import connection

            connection.close()  # this thread's connection died with the restart; the checks open a new one
            lost = check_lost_writes(fault_writers)
            all_writers = Writers(editor=editor, board=board, cycle_articles=cycle_articles, draft_articles=[])
            all_writers.approvals = writers.approvals + fault_writers.approvals
            pubs = check_publications(all_writers, publications_before)
            half_done = check_transitions_complete(cycle_articles + draft_articles + api_articles)
            log(f"   lost writes: {len(lost)} of {len(fault_writers.saves)} acknowledged saves")
            log(
                f"   approvals → publications (whole run): {len(all_writers.approvals)} approvals, "
                f"problems: {len(pubs)}"
            )
            log(f"   half-done transitions: {len(half_done)}")
            for problem in (lost + pubs + half_done)[:10]:
                log(f"     {problem}")
            if recovery >= RECOVERY_LIMIT_S:
                failures.append(f"the site took {recovery:.2f} s to recover")
            if write_recovery >= RECOVERY_LIMIT_S:
                failures.append(f"writes took {write_recovery:.2f} s to recover")
            if outside or outside_5xx:
                failures.append(f"{len(outside) + len(outside_5xx)} errors outside the outage window")
            if lost or pubs or half_done:
                failures.append(f"fault phase: {len(lost)} lost writes, {len(pubs) + len(half_done)} inconsistencies")
            if gunicorn.poll() is not None:
                failures.append("gunicorn died")
        from django.db import connections

        connections.close_all()
    finally:
        if collect is not None and collect.poll() is None:
            collect.kill()
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGINT)  # quick shutdown: the measurements are over
            try:
                gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not even be set up
            pass
        pg.destroy()
        if redis_url:
            forget_site_keys(redis_url)
        shutil.rmtree(work, ignore_errors=True)

    log("")
    if failures:
        for failure in failures:
            log(f"FAIL  {failure}")
        sys.exit(1)
    log(
        "PASS  zero 5xx and zero lost writes under load; one publication per approval; recovery within 5 s"
        + (
            f"; readers under writes kept at least {args.min_read_ratio:.2f} of read-only"
            if args.min_read_ratio
            else ""
        )
    )


if __name__ == "__main__":
    main()
