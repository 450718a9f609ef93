"""Scale: the demo data generator (answers readers can open, re-runs that duplicate nothing) and
the queries of the pages that list many answers (home, topic, the admin list), which must not
grow with the number of answers."""

import re
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from articles.answer_page import render_answer_parts
from articles.models import Article, Claim, Publication, PublicationCitation, ReviewStatus, Section, Topic
from articles.snapshots import load_article, snapshot_article
from references.models import Reference
from tests.helpers import developer_env, make_article, publish_directly

pytestmark = pytest.mark.django_db


def generate(answers, **options):
    call_command("generate_demo_data", answers=answers, jobs=options.pop("jobs", 1), verbosity=0, **options)


def stored_page_is_rendered(publication, article, content) -> bool:
    """Whether the stored head and page are what `render_answer_parts` makes of the content as
    publishing holds it (in memory, references in citation order: PostgreSQL's jsonb keeps
    object keys in its own order, so the content read back is not used here)."""
    publication.content = content
    parts = render_answer_parts(
        publication, slug=article.slug, review_status=ReviewStatus.APPROVED, next_review_due=article.next_review_due
    )
    return parts == (publication.head_html, publication.page_html)


def generated():
    return Article.objects.filter(slug__startswith="gen-")


def test_generated_answers_are_published_with_real_content_and_pages(client):
    generate(12, batch=5)  # three batches, the last one short

    articles = list(generated().select_related("current_publication", "topic"))
    assert len(articles) == 12
    assert all(a.current_publication is not None and a.topic is not None for a in articles)
    assert Section.objects.filter(article__in=articles).count() == 12 * 6
    assert 12 * 6 * 3 <= Claim.objects.filter(section__article__in=articles).count() <= 12 * 6 * 4
    # answer 9 (one in ten) was updated once: its version 1 is kept, version 2 is current
    updated = next(a for a in articles if a.slug.startswith("gen-9-"))
    assert updated.current_publication.number == 2
    assert Publication.objects.filter(article__in=articles).count() == 13
    for article in articles:
        publication = article.current_publication
        # the publication is exactly what publishing the working copy would freeze …
        snapshot = snapshot_article(load_article(article.pk))
        assert publication.content == snapshot
        assert publication.reviewed_on == article.last_reviewed_on
        # each cited reference recorded once, numbered in citation order
        assert list(
            PublicationCitation.objects.filter(publication=publication).values_list("reference__key", flat=True)
        ) == list(snapshot["references"])
        # … and its stored page is what the one renderer makes of it, as at an approval
        assert stored_page_is_rendered(publication, article, snapshot)
    response = client.get(f"/articles/{updated.slug}/")
    assert response.status_code == 200
    assert updated.current_publication.question in response.content.decode()
    assert client.get(f"/articles/{updated.slug}/v/1/").status_code == 200
    assert client.get(f"/topics/{articles[0].topic.slug}/").status_code == 200
    if connection.vendor == "postgresql":
        from articles.search import SEARCH_VECTOR

        # the search document is the one publishing writes
        rows = Publication.objects.filter(article__in=articles).annotate(expected=SEARCH_VECTOR)
        assert all(vector == expected and vector for vector, expected in rows.values_list("search_vector", "expected"))
    word = articles[3].current_publication.question.split()[1]
    assert articles[3].current_publication.question in client.get("/search/", {"q": word}).content.decode()


def test_running_again_duplicates_nothing_and_a_larger_run_adds_only_the_rest():
    generate(6, batch=4)
    before = {
        "articles": generated().count(),
        "publications": Publication.objects.count(),
        "references": Reference.objects.count(),
        "claims": Claim.objects.count(),
    }
    slugs = set(generated().values_list("slug", flat=True))

    generate(6, batch=4)

    assert {
        "articles": generated().count(),
        "publications": Publication.objects.count(),
        "references": Reference.objects.count(),
        "claims": Claim.objects.count(),
    } == before
    generate(9, batch=4)
    assert generated().count() == 9
    assert slugs < set(generated().values_list("slug", flat=True))  # the same answers, and three more


def test_the_same_seed_makes_the_same_answers():
    generate(3)
    first = dict(generated().values_list("slug", "question"))
    Article.objects.update(current_publication=None)
    Publication.objects.all().delete()  # cascades: citations
    Article.objects.all().delete()

    generate(3)

    assert dict(generated().values_list("slug", "question")) == first


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"answers": 0}, "--answers must be at least 1"),
        ({"answers": 5, "batch": 0}, "--batch must be at least 1"),
        ({"answers": 5, "jobs": 0}, "--jobs must be at least 1"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_demo_data", verbosity=0, **options)

    assert not Article.objects.exists()
    assert not Reference.objects.exists()
    assert not Topic.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a database they can share")
@pytest.mark.django_db(transaction=True)
def test_rendering_in_worker_processes_gives_the_same_pages(client):
    """`--jobs 2` forks renderers, so it runs as a command does, in a process of its own (forking
    this test process, which has threads, could hang the children), on this test's database."""
    database = settings.DATABASES["default"]
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    run = subprocess.run(
        [sys.executable, "manage.py", "generate_demo_data", "--answers", "8", "--batch", "2", "--jobs", "2"],
        cwd=settings.BASE_DIR,
        env={**developer_env(), "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "oracle.settings_test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "without worker processes" not in run.stderr, run.stderr

    articles = list(generated().select_related("current_publication"))
    assert len(articles) == 8
    for article in articles:
        snapshot = snapshot_article(load_article(article.pk))
        assert stored_page_is_rendered(article.current_publication, article, snapshot)
        assert client.get(f"/articles/{article.slug}/").status_code == 200


def test_a_process_with_threads_renders_without_forking(capsys):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        call_command("generate_demo_data", answers=4, batch=2, jobs=2, verbosity=0)
    finally:
        stop.set()
    assert generated().count() == 4
    assert "without worker processes" in capsys.readouterr().err


# --- queries that must not grow with the number of answers -------------------------------------


def publish_in(topic, n, prefix):
    for i in range(n):
        publish_directly(make_article(question=f"Is {prefix} {i} safe?", slug=f"{prefix}-{i}", topic=topic))


@pytest.fixture
def no_page_cache(settings):
    settings.ORACLE_PAGE_CACHE = False


def test_home_queries_do_not_grow_with_answers_or_topics(client, no_page_cache, django_assert_num_queries):
    publish_in(Topic.objects.create(name="Back pain", slug="back-pain"), 2, "back")
    with django_assert_num_queries(3):  # newest, recently updated, topics with answers
        client.get("/")
    for name in ("Neck pain", "Headache", "Arthritis"):
        publish_in(Topic.objects.create(name=name, slug=name.lower().replace(" ", "-")), 3, name.split()[0].lower())
    Topic.objects.create(name="Empty", slug="empty")

    with django_assert_num_queries(3):
        response = client.get("/")

    html = response.content.decode()
    assert all(name in html for name in ("Back pain", "Neck pain", "Headache", "Arthritis"))
    assert "/topics/empty/" not in html  # a topic without a published answer is not offered
    assert html.count("/topics/back-pain/") == 1  # each topic once, however many answers it has


def test_topic_page_queries_do_not_grow_with_answers(client, no_page_cache, django_assert_num_queries):
    topic = Topic.objects.create(name="Back pain", slug="back-pain")
    publish_in(topic, 2, "back")
    with django_assert_num_queries(4):  # the topic, the count, the page's ids, its answers
        client.get("/topics/back-pain/")
    publish_in(topic, 12, "more")
    make_article(question="Is a draft safe?", slug="draft-only", topic=topic)

    with django_assert_num_queries(4):
        response = client.get("/topics/back-pain/", {"page": 2})

    html = response.content.decode()
    assert html.count('href="/articles/') == 4  # 14 published answers, 10 a page
    assert "draft-only" not in html
    first = re.findall(r'class="answer-card-title"[^>]*>([^<]+)<', client.get("/topics/back-pain/").content.decode())
    assert first == sorted(first) and len(first) == 10


def test_admin_list_queries_are_constant_and_never_load_rendered_pages(client, admin_user):
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)
    publish_in(None, 2, "few")
    client.get("/admin/articles/article/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/articles/article/").status_code == 200
    publish_in(None, 8, "many")
    make_article(question="Is a draft safe?", slug="draft-only")

    with CaptureQueriesContext(connection) as many:
        response = client.get("/admin/articles/article/")

    assert response.status_code == 200
    assert len(many) == len(few)
    assert "Is a draft safe?" in response.content.decode()
    sql = " ".join(query["sql"] for query in many.captured_queries)
    for column in ("page_html", "head_html", '"html"', "body_text", "search_vector"):
        assert column not in sql, f"the list loads {column}"
