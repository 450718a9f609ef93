"""What a change retires: a draft save nothing, a publication or withdrawal only the pages that show
that answer, site-wide things everything; and a Redis that is down never breaks a page or a decision."""

import json
from datetime import date

import pytest
from django.core.cache import cache

from articles import public_cache
from articles.models import Article, SitePage, Topic
from articles.public_cache import invalidate_answer_pages, invalidate_public_pages
from articles.publishing import article_withdraw_from_public
from tests.helpers import make_article, publish_directly, reapprove

pytestmark = pytest.mark.django_db
A, B = "/articles/answer-a/", "/articles/answer-b/"
OTHERS = ["/", "/feed/", "/search/?q=claim", f"{A}history/", f"{A}v/1/"]


@pytest.fixture
def answers():
    topic = Topic.objects.create(name="Pain", slug="pain")
    a = make_article(question="Is A safe?", slug="answer-a", topic=topic)
    b = make_article(question="Is B safe?", slug="answer-b", topic=topic)
    publish_directly(a)
    publish_directly(b)
    return Article.objects.get(pk=a.pk), Article.objects.get(pk=b.pk)


def warm(client, urls):
    for url in urls:
        assert client.get(url).status_code == 200
    return {url: client.get(url)["X-Cache"] for url in urls}


def states(client, urls):
    return {url: client.get(url).get("X-Cache") for url in urls}


EVERY = [A, B, "/", "/feed/", "/search/?q=claim", f"{A}history/", f"{A}v/1/", "/topics/pain/", "/editorial-policy/"]


def test_a_draft_save_retires_no_cached_page(client, answers):
    a, _ = answers
    assert set(warm(client, EVERY).values()) == {"hit"}

    a.summary = "A new draft summary [@" + a.summary.split("[@")[1]
    a.save()
    claim = a.sections.first().claims.first()
    claim.text = "A draft claim"
    claim.save()

    assert states(client, EVERY) == dict.fromkeys(EVERY, "hit")
    assert "A new draft summary" not in client.get(A).content.decode()


def test_a_draft_saved_through_the_api_retires_no_cached_page(client, answers, editor):
    from api.models import ApiToken, Scope
    from api.services import api_token_create

    a, _ = answers
    secret = api_token_create(token=ApiToken(owner=editor, name="pipeline", scopes=[str(Scope.DRAFTS_WRITE)]))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    read = client.get(f"/api/drafts/{a.pk}/", **auth)
    key = a.summary.split("[@")[1].rstrip("]")
    payload = {
        "question": "Is A safe?",
        "topic": "pain",
        "summary": f"Changed in the pipeline [@{key}]",
        "sections": [{"heading": "Evidence", "claims": [f"A pipeline claim [@{key}]."]}],
        "references": [{"key": key}],
    }
    warm(client, EVERY)

    response = client.put(
        f"/api/drafts/{a.pk}/", json.dumps(payload), content_type="application/json", HTTP_IF_MATCH=read["ETag"], **auth
    )

    assert response.status_code == 200, response.content
    assert states(client, EVERY) == dict.fromkeys(EVERY, "hit")


def test_invalidating_one_answer_retires_its_pages_and_the_lists_only(client, answers):
    warm(client, EVERY)

    invalidate_answer_pages("answer-a")

    after = states(client, EVERY)
    assert {url for url, state in after.items() if state == "miss"} == {
        A,
        f"{A}history/",
        f"{A}v/1/",
        "/",
        "/feed/",
        "/search/?q=claim",
        "/topics/pain/",
    }


def test_invalidating_everything_retires_every_page(client, answers):
    warm(client, EVERY)

    invalidate_public_pages()

    assert set(states(client, EVERY).values()) == {"miss"}


def test_a_publication_shows_at_once(client, answers, editor, board_member):
    a, _ = answers
    warm(client, EVERY)

    reapprove(a, editor=editor, board=board_member)

    assert "/v/2/" in client.get(f"{A}history/").content.decode()
    assert client.get(A)["ETag"] != client.get(B)["ETag"]
    assert "(updated)" in client.get("/feed/").content.decode()


def test_a_publication_retires_its_answers_pages_and_the_lists_only(client, answers, editor, board_member):
    a, _ = answers
    warm(client, EVERY)

    reapprove(a, editor=editor, board=board_member)

    after = states(client, EVERY)
    assert {url for url, state in after.items() if state == "miss"} == {
        A,
        f"{A}history/",
        f"{A}v/1/",
        "/",
        "/feed/",
        "/search/?q=claim",
        "/topics/pain/",
    }
    assert after[B] == after["/editorial-policy/"] == "hit"  # another answer's page stays warm
    assert "/v/2/" in client.get(f"{A}history/").content.decode()


def test_a_withdrawal_leaves_other_answers_warm_unless_they_list_it(client, answers, board_member):
    a, _ = answers
    elsewhere = Topic.objects.create(name="Sleep", slug="sleep")
    c = make_article(question="How does sleep work?", slug="answer-c", summary="Sleep hygiene", topic=elsewhere)
    publish_directly(c)
    C = "/articles/answer-c/"
    warm(client, [*EVERY, C])
    assert "answer-a" in client.get(B).content.decode()  # B lists A among its related answers

    article_withdraw_from_public(article=a, by=board_member, reason="An error was found.")

    assert client.get(C)["X-Cache"] == "hit"  # lists nothing of A's
    assert client.get(B)["X-Cache"] == "miss" and "answer-a" not in client.get(B).content.decode()


def test_a_withdrawal_is_gone_from_every_cached_page(client, answers, board_member):
    a, _ = answers
    warm(client, EVERY)

    article_withdraw_from_public(article=a, by=board_member, reason="An error was found.")

    assert client.get(A).status_code == 410
    assert "Is A safe?" not in client.get("/").content.decode()
    assert "Is A safe?" not in client.get("/feed/").content.decode()
    assert "answer-a" not in client.get("/topics/pain/").content.decode()
    assert "answer-a" not in client.get("/search/?q=claim").content.decode()


def test_a_review_state_change_reaches_the_answer_page_and_leaves_others_warm(client, answers, editor):
    from reviews.services import review_submit

    a, _ = answers
    warm(client, [A, B])

    review_submit(article=a, by=editor)

    assert "An update to this answer is under review" in client.get(A).content.decode()
    assert client.get(B)["X-Cache"] == "hit"


LISTS = ["/", "/feed/", "/search/?q=claim", "/topics/pain/", "/sitemap.xml"]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("review_status", "submitted", "An update to this answer is under review"),
        ("next_review_due", date(2001, 1, 1), None),
        ("last_reviewed_on", date(2001, 1, 1), None),
    ],
)
def test_a_review_state_or_date_retires_the_answers_pages_and_leaves_the_lists_warm(
    client, answers, field, value, shown
):
    """The lists show publications, addresses and topics, never an answer's review state or
    dates: a submission, a started review or a new review date leaves them cached."""
    a, _ = answers
    pages = [A, f"{A}history/", f"{A}v/1/", B, "/editorial-policy/", *LISTS]
    warm(client, pages)

    fresh = Article.objects.get(pk=a.pk)
    setattr(fresh, field, value)
    fresh.save()

    after = states(client, pages)
    assert {url for url, state in after.items() if state == "miss"} == {A, f"{A}history/", f"{A}v/1/"}
    if shown:
        assert shown in client.get(A).content.decode()


def test_a_submission_and_a_started_review_leave_the_lists_cached(client, answers, editor, board_member):
    """The workflow's own path (review_submit, review_start) retires the answer's pages, which show
    the review state, and leaves the home page, the feed and the other lists warm."""
    from reviews.services import review_start, review_submit

    a, _ = answers
    a.summary = "An update for the board [@" + a.summary.split("[@")[1]
    a.save()
    pages = [A, *LISTS]
    warm(client, pages)

    review = review_submit(article=a, by=editor)
    assert {url for url, state in states(client, pages).items() if state == "miss"} == {A}
    review_start(review=review, by=board_member)
    assert {url for url, state in states(client, pages).items() if state == "miss"} == {A}
    assert "An update to this answer is under review" in client.get(A).content.decode()


def test_a_change_of_what_the_lists_show_still_retires_them(client, answers):
    a, _ = answers
    warm(client, LISTS)

    fresh = Article.objects.get(pk=a.pk)
    fresh.review_status = "submitted"
    fresh.topic = Topic.objects.create(name="Sleep", slug="sleep")
    fresh.save()

    assert set(states(client, LISTS).values()) == {"miss"}
    assert "answer-a" not in client.get("/topics/pain/").content.decode()


@pytest.mark.parametrize("change", ["topic", "site page"])
def test_site_wide_things_retire_every_page(client, answers, change):
    warm(client, EVERY)

    if change == "topic":
        Topic.objects.filter(slug="pain").get().save()
    else:
        SitePage.objects.update_or_create(
            slug=SitePage.Slug.EDITORIAL_POLICY, defaults={"title": "Policy", "body": "New policy."}
        )

    assert set(states(client, EVERY).values()) == {"miss"}


def test_an_answers_slug_change_retires_the_old_and_new_addresses(client, answers):
    a, _ = answers
    assert client.get(A).status_code == 200

    fresh = Article.objects.get(pk=a.pk)
    fresh.slug = "answer-a-renamed"
    fresh.save()

    assert client.get(A).status_code == 404


# --- Redis down ------------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """A Redis cache on a port nothing listens on; the backoff reset after, for the other tests."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    public_cache._down_until = 0.0
    yield
    public_cache._down_until = 0.0


@pytest.fixture
def published_before_redis_went_down(answers):
    return answers


def test_with_redis_down_pages_are_served_uncached(client, published_before_redis_went_down, redis_down):
    for url in [A, "/", "/feed/", "/search/?q=claim", f"{A}v/1/", "/topics/pain/", "/editorial-policy/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Cache" not in response


def test_with_redis_down_invalidation_reports_failure_and_never_raises(redis_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert invalidate_public_pages() is False
        assert invalidate_answer_pages("answer-a") is False


def test_with_redis_down_a_withdrawal_is_committed_and_not_a_500(
    client, published_before_redis_went_down, redis_down, board_member, django_capture_on_commit_callbacks
):
    a, _ = published_before_redis_went_down
    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw_from_public(article=a, by=board_member, reason="An error was found.")

    assert Article.objects.get(pk=a.pk).current_publication_id is None
    assert client.get(A).status_code == 410


def test_the_redis_cache_has_connect_and_read_timeouts(monkeypatch):
    import importlib

    import oracle.settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/13")
    reloaded = importlib.reload(oracle.settings)
    try:
        options = reloaded.CACHES["default"]["OPTIONS"]
        assert 0 < options["socket_connect_timeout"] <= 2 and 0 < options["socket_timeout"] <= 2
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(oracle.settings)
    assert cache is not None


def test_with_redis_down_a_reader_can_still_ask_a_follow_up_question(
    client, published_before_redis_went_down, redis_down
):
    from articles.models import FollowUpQuestion

    response = client.post(f"{A}follow-up/", {"text": "Is A safe in pregnancy?", "email": "", "website": ""})

    assert response.status_code == 302
    assert FollowUpQuestion.objects.get().text == "Is A safe in pregnancy?"


def test_with_redis_down_an_api_write_is_saved_not_a_500(client, redis_down, editor):
    from api.models import ApiToken, Scope
    from api.services import api_token_create
    from references.models import Reference

    Reference.objects.create(key="ref-1", kind="guideline", title="A guideline")
    secret = api_token_create(token=ApiToken(owner=editor, name="pipeline", scopes=[str(Scope.DRAFTS_WRITE)]))
    payload = {
        "question": "Does heat help?",
        "summary": "Modest relief [@ref-1].",
        "sections": [{"heading": "Evidence", "claims": ["Heat helps [@ref-1]."]}],
        "references": [{"key": "ref-1"}],
    }

    response = client.post(
        "/api/drafts/", json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 201, response.content
    assert Article.objects.filter(question="Does heat help?").exists()
