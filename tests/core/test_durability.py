"""Faults between a decision and its effects, with a real worker process (`manage.py worker`,
production settings) on the test's PostgreSQL database: storage that refuses writes, a mail
server that is down, a worker killed mid-task. The decision always answers normally, and once
the fault is gone the site converges: nothing withdrawn still served, nothing lost, nothing
sent twice."""

import gzip
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.db import connection

from articles.models import Article, Withdrawal
from core.models import Effect
from reviews.models import Review
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import CHANGE_FOR_READERS, UserFactory, make_article, published_file, rename, save_revision
from tests.worker import SmtpServer, Worker, free_loopback_port, wait_until, worker_env

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process shares the PostgreSQL test database"
    ),
    pytest.mark.django_db(transaction=True),
]

SYNC = "articles.published_files.sync_answer_page"
EMAIL = "reviews.notifications.send_email"


@pytest.fixture(autouse=True)
def _worker_runs_effects(settings):
    """The test process (the site) only enqueues: every effect is the worker's."""
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    settings.ORACLE_EFFECT_MAX_ATTEMPTS = 1000  # the worker retries every second or so here


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(**env) -> Worker:
        worker = Worker(worker_env(**env), tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        print(f"--- {worker.log_path.name}\n{worker.log[-5000:]}")  # shown when the test fails


@pytest.fixture
def smtp():
    server = SmtpServer(free_loopback_port())
    yield server
    server.stop()


@contextmanager
def immutable(directory):
    """The directory refuses every write, rename and delete, even by root (chattr +i)."""
    subprocess.run(["chattr", "+i", str(directory)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(directory)], check=True)


def review_url(article):
    return f"/admin/articles/article/{article.pk}/review/"


def approve_through_the_admin(client, article, editor, board):
    client.force_login(editor)
    assert client.post(review_url(article), {"transition": "submit", "comment": "Ready"}).status_code == 302
    review = Review.objects.filter(article=article).latest("pk")
    client.force_login(board)
    assert client.post(review_url(article), {"transition": "start_review", "review": review.pk}).status_code == 302
    response = client.post(
        review_url(article),
        {"transition": "approve", "review": review.pk, "comment": "Good", "declaration": "none", **CHANGE_FOR_READERS},
    )
    assert response.status_code == 302, response.content[:500]
    return Article.objects.select_related("current_publication").get(pk=article.pk)


def page_text(article) -> str:
    path = published_file(article)
    return path.read_text() if path.exists() else ""


def test_withdraw_and_approve_while_storage_refuses_writes_answer_normally_then_converge(
    client, draft, editor, board_member, admin_user, workers
):
    worker = workers()
    approved = approve_through_the_admin(client, draft, editor, board_member)
    wait_until(lambda: published_file(approved).exists(), what="the approval's page written by the worker")
    directory = published_file(approved).parent
    assert gzip.decompress((directory / "index.html.gz").read_bytes()) == published_file(approved).read_bytes()

    # An update approved while the storage refuses writes: the board member is told it is approved.
    rename(editor, draft, "Is ibuprofen safe now?")
    with immutable(directory):
        updated = approve_through_the_admin(client, draft, editor, board_member)
        assert updated.current_publication.number == 2
        sync = wait_until(
            lambda: (
                Effect.objects.filter(name=SYNC, status="pending", attempts__gte=1, last_error__contains="ermission")
                .order_by("-pk")
                .first()
            ),
            what="the worker's failed attempt, recorded",
        )
        assert "PermissionError" in sync.last_error  # the storage's error, for staff to read
        assert "safe now" not in page_text(updated)  # still version 1 on disk: nothing half-written
        assert not [p for p in directory.iterdir() if p.name.startswith(".tmp-")]
    wait_until(lambda: "Is ibuprofen safe now?" in page_text(updated), what="version 2 on disk")

    # Withdrawn while the storage refuses writes: no 500, and once writable the page is gone.
    client.force_login(admin_user)
    with immutable(directory):
        response = client.post(
            f"/admin/articles/article/{draft.pk}/withdraw-from-public/", {"reason": "Under correction"}
        )
        assert response.status_code == 302
        assert Withdrawal.objects.filter(article=draft).exists()
        time.sleep(0.8)  # the worker tries, and fails
        assert published_file(updated).exists()
    # the page, then its .gz (the page first: nginx serves neither once the page is gone)
    wait_until(
        lambda: not published_file(updated).exists() and not (directory / "index.html.gz").exists(),
        what="the withdrawn page and its .gz removed",
    )
    assert client.get(draft.get_absolute_url()).status_code == 410
    assert worker.process.poll() is None  # the worker kept running through the faults


def test_submit_and_approve_with_the_mail_server_down_answer_normally_and_each_email_arrives_once(
    client, draft, editor, board_member, workers, smtp
):
    workers(smtp_port=smtp.port)
    approved = approve_through_the_admin(client, draft, editor, board_member)  # SMTP refuses connections
    assert approved.current_publication.number == 1
    emails = wait_until(
        lambda: list(Effect.objects.filter(name=EMAIL, attempts__gte=2)) or None,
        what="email attempts failing while SMTP is down",
    )
    assert all(e.status == "pending" and "refused" in e.last_error.lower() for e in emails)

    smtp.start()
    wait_until(lambda: smtp.received_by(board_member.email) and smtp.received_by(editor.email), what="the emails")
    wait_until(lambda: not Effect.objects.filter(name=EMAIL).exclude(status="done").exists(), what="emails done")
    time.sleep(1.0)  # any duplicate would have arrived by now
    assert len(smtp.received_by(board_member.email)) == 1  # "submitted" to the board
    assert len(smtp.received_by(editor.email)) == 1  # "approved" to the editor
    assert "approved" in smtp.received_by(editor.email)[0].lower()


def test_a_worker_killed_mid_task_loses_nothing_after_restart(client, draft, editor, board_member, workers, smtp):
    smtp.start()
    smtp.hold_recipients.set()  # the mail server stalls: the worker is inside the send when killed
    first = workers(smtp_port=smtp.port)
    review = review_submit(article=draft, by=editor, change_summary="Ready")
    wait_until(smtp.recipient_waiting.is_set, what="the worker inside the first send")
    first.kill()
    assert Effect.objects.filter(name=EMAIL, status="running").count() == 1  # killed mid-task

    # Approvals taken while no worker runs: their pages and emails wait in the database.
    review_start(review=review, by=board_member)
    review_approve(review=review, by=board_member)
    others = []
    for n in range(3):
        article = make_article(question=f"Is drug {n} safe?", slug=f"drug-{n}")
        author = UserFactory(username=f"author{n}", groups=["Editors"])
        save_revision(author, "Draft", lambda article=article: article.save())
        cycle = review_submit(article=article, by=author)
        review_start(review=cycle, by=board_member)
        review_approve(review=cycle, by=board_member)
        others.append((article, author))
    assert not published_file(draft).exists()

    smtp.hold_recipients.clear()
    workers(smtp_port=smtp.port)
    for article in [draft] + [a for a, _ in others]:
        wait_until(lambda article=article: published_file(article).exists(), what=f"{article.slug}'s page")
    wait_until(lambda: not Effect.objects.exclude(status="done").filter(name=EMAIL).exists(), what="all email")
    time.sleep(1.0)
    assert len(smtp.received_by(board_member.email)) == 4  # four submissions
    assert len(smtp.received_by(editor.email)) == 1  # the approval
    for _, author in others:
        assert len(smtp.received_by(author.email)) == 1


def test_the_rq_backend_runs_effects_sent_after_commit_and_the_sweep_resends_a_lost_one(
    draft, editor, board_member, settings, workers, smtp
):
    """RQ on Redis (db 11): the effect is recorded in the decision's transaction and sent to
    Redis once it commits; one whose message never reached Redis is re-sent by the worker's sweep."""
    import redis

    url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis is not running")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url}}
    smtp.start()
    review = review_submit(article=draft, by=editor)  # committed: sent to Redis after commit
    # an effect whose message never reached Redis (a crash between commit and send)
    Effect.objects.create(name=EMAIL, args={"subject": "Lost", "body": "b", "from_email": "o@x", "to": "l@x"})
    workers(smtp_port=smtp.port, ORACLE_TASKS_BACKEND="rq", ORACLE_TASKS_REDIS_URL=url)
    wait_until(lambda: smtp.received_by(board_member.email) and smtp.received_by("l@x"), what="both emails over RQ")
    ours = Effect.objects.filter(name__in=[SYNC, EMAIL])
    wait_until(lambda: ours.count() == 3 and not ours.exclude(status="done").exists(), what="all three done")
    assert review.state == "submitted" and len(smtp.received_by(board_member.email)) == 1
    redis.Redis.from_url(url).flushdb()
