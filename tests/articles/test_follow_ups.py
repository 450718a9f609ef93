import pytest
from django.core.cache import cache

from articles.models import Article, FollowUpQuestion
from reviews.importing.write import review_import_pages
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

URL = "/articles/is-baclofen-safe-for-treating-back-pain/follow-up/"


@pytest.fixture(autouse=True)
def published(demo_page):
    cache.clear()
    review_import_pages([demo_page], publish=True)


def ask(client, **data):
    return client.post(URL, {"text": "Is baclofen safe in pregnancy?", "email": "", "website": "", **data})


def test_a_question_is_stored_against_the_article_and_the_reader_is_thanked(client):
    response = ask(client, email="reader@example.org", audience="patient")

    assert response.status_code == 302
    # the thanks page names the question by a signed token (articles/follow_ups.py), never its text
    assert response["Location"].startswith("/articles/is-baclofen-safe-for-treating-back-pain/follow-up/thanks/?r=")
    assert "pregnancy" not in response["Location"]
    question = FollowUpQuestion.objects.get()
    assert (question.text, question.email, question.audience, question.status) == (
        "Is baclofen safe in pregnancy?",
        "reader@example.org",
        "patient",
        "new",
    )
    assert question.article.slug == "is-baclofen-safe-for-treating-back-pain"
    assert "we have your question" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Please write your question."),
        ({"text": "why?"}, "at least 10 characters"),
        ({"text": "x" * 2001}, "under 2000 characters"),
        ({"email": "not-an-email"}, "That email address does not look right"),
        ({"website": "http://spam.example"}, "looks automated"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_stored(client, data, message):
    response = ask(client, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FollowUpQuestion.objects.exists()


def test_the_form_keeps_what_the_reader_typed_when_refused(client):
    response = ask(client, email="bad@", text="My long question about dosing")

    assert "My long question about dosing" in response.content.decode()


def test_rate_limit_per_client_address_returns_429_with_a_clear_message(client, settings):
    settings.ORACLE_FOLLOW_UP_RATE_LIMIT = 5
    for _ in range(5):
        assert ask(client).status_code == 302

    response = ask(client)

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = response.content.decode()
    assert "You have sent 5 questions in the past hour" in page and "Your question was not saved." in page
    assert "try again in an hour" in page
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert FollowUpQuestion.objects.count() == 5
    other = client.post(URL, {"text": "A question from elsewhere", "website": ""}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_cross_site_posts_are_refused(client):
    response = client.post(URL, {"text": "Is baclofen safe in pregnancy?"}, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert not FollowUpQuestion.objects.exists()
    assert client.post(URL, {"text": "Is baclofen safe?"}, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403


def test_unpublished_articles_take_no_questions(client):
    draft = make_article(slug="a-draft")

    assert client.post(f"/articles/{draft.slug}/follow-up/", {"text": "Is this safe for me?"}).status_code == 404
    assert client.get(URL).status_code == 405


def test_the_answer_page_form_carries_no_per_reader_token(client):
    first = client.get("/articles/is-baclofen-safe-for-treating-back-pain/")
    second = client.get("/articles/is-baclofen-safe-for-treating-back-pain/")

    html = first.content.decode()
    assert 'action="/articles/is-baclofen-safe-for-treating-back-pain/follow-up/"' in html
    assert "csrfmiddlewaretoken" not in html
    assert first.content == second.content
    assert "Set-Cookie" not in first and "Cookie" not in first.get("Vary", "")


def test_editors_triage_questions_and_make_a_draft_in_one_action(client, editor):
    ask(client)
    question = FollowUpQuestion.objects.get()
    client.force_login(editor)

    listing = client.get("/admin/articles/followupquestion/", {"status__exact": "new"}).content.decode()
    assert "Is baclofen safe in pregnancy?" in listing

    client.post(
        "/admin/articles/followupquestion/",
        {"action": "make_draft", "_selected_action": [question.pk]},
    )

    question.refresh_from_db()
    draft = question.draft
    assert draft.question == "Is baclofen safe in pregnancy?"
    assert draft.current_publication is None
    assert Article.objects.count() == 2
    client.post("/admin/articles/followupquestion/", {"action": "mark_answered", "_selected_action": [question.pk]})
    question.refresh_from_db()
    assert question.status == FollowUpQuestion.Status.ANSWERED


def test_readers_emails_are_never_on_public_pages(client):
    ask(client, email="private@example.org")

    for url in ["/", "/articles/is-baclofen-safe-for-treating-back-pain/"]:
        assert "private@example.org" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"HTTP_ORIGIN": "null"}, True),  # a sandboxed frame or a file: page, no fetch metadata
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"}, True),
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}, False),  # our page, after a redirect
        ({"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}, False),
        ({}, False),  # no browser metadata at all (an old browser): the rate limit applies
    ],
)
def test_origin_null_is_refused_without_same_origin_fetch_metadata(client, headers, refused):
    response = client.post(URL, {"text": "Is baclofen safe in pregnancy?"}, **headers)

    assert response.status_code == (403 if refused else 302)
    assert FollowUpQuestion.objects.exists() is not refused


def test_invisible_characters_are_removed_and_do_not_count_towards_the_length(client):
    assert ask(client, text="\u200b" * 20 + "short\x02").status_code == 400
    assert not FollowUpQuestion.objects.exists()

    assert ask(client, text="Is it safe\u202e in pregnancy?\x03").status_code == 302

    assert FollowUpQuestion.objects.get().text == "Is it safe in pregnancy?"
