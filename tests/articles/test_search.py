import pytest
from django.db import connection

from articles.models import Claim, Topic
from tests.helpers import assert_no_live_script, hit_titles, make_article, publish_directly

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers():
    baclofen = make_article(question="Is baclofen safe for back pain?", slug="baclofen")
    claim = Claim.objects.filter(section__article=baclofen).first()
    claim.text = "Sedation and dizziness are common with muscle relaxants " + claim.text.split(" ", 2)[2]
    claim.save()
    publish_directly(baclofen)
    ibuprofen = make_article(question="Is ibuprofen safe?", slug="ibuprofen", summary="Ibuprofen relieves pain.")
    publish_directly(ibuprofen)
    draft = make_article(question="Is secretdrug safe?", slug="secret", summary="Secretdrug is unreviewed.")
    return baclofen, ibuprofen, draft


def test_search_finds_an_answer_by_a_word_of_its_body(client, answers):
    response = client.get("/search/", {"q": "dizziness"})

    assert hit_titles(response) == ["Is baclofen safe for back pain?"]
    assert "<mark>" in response.content.decode() and "izziness</mark>" in response.content.decode().lower()


def test_search_never_finds_a_draft(client, answers):
    assert hit_titles(client.get("/search/", {"q": "secretdrug"})) == []


def test_search_never_finds_unreviewed_edits_of_a_published_answer(client, answers):
    baclofen, _, _ = answers
    claim = Claim.objects.filter(section__article=baclofen).first()
    claim.text = "Zebrafish unreviewed"
    claim.save()

    assert hit_titles(client.get("/search/", {"q": "zebrafish"})) == []


def test_question_ranks_above_body(client, answers):
    other = make_article(question="Muscle cramps at night", slug="cramps")
    claim = Claim.objects.filter(section__article=other).first()
    claim.text = "Unlike ibuprofen, quinine is not recommended " + claim.text
    claim.save()
    publish_directly(other)

    hits = hit_titles(client.get("/search/", {"q": "ibuprofen"}))

    assert hits[0] == "Is ibuprofen safe?"
    assert "Muscle cramps at night" in hits


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 10_000,
        "' OR 1=1; DROP TABLE articles_article; --",
        '<script>alert("x")</script>',
        "<img src=x onerror=alert(1)>",
        '"unbalanced',
        "!!! ((( &&& |||",
        "\x00\x01 null bytes",
        "dizziness " * 500,
    ],
)
def test_absurd_queries_return_a_normal_page(client, answers, query):
    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    assert_no_live_script(
        html.replace('<script src="/static/js/oracle.js"></script>', ""), allow_tags={"meta", "link", "form", "input"}
    )
    assert len(response.context["query"]) <= 200


def test_snippets_escape_content_markup(client):
    article = make_article(question="Is dosing safe?", slug="dosing")
    claim = Claim.objects.filter(section__article=article).first()
    claim.text = "Doses <b>below</b> 5 mg are safe " + claim.text
    claim.save()
    publish_directly(article)

    html = client.get("/search/", {"q": "doses"}).content.decode()

    assert "<b>below</b>" not in html
    assert "below" in html.split('class="answer-card-snippet"')[1]


def test_results_are_paginated(client):
    for n in range(12):
        publish_directly(make_article(question=f"Is paracetamol dose {n} safe?", slug=f"paracetamol-{n}"))

    first = client.get("/search/", {"q": "paracetamol"})
    second = client.get("/search/", {"q": "paracetamol", "page": 2})

    assert len(first.context["hits"]) == 10 and len(second.context["hits"]) == 2
    assert 'href="?q=paracetamol&amp;page=2"' in first.content.decode()


def test_uses_postgres_full_text_search_on_postgres(client, answers):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    # stemming: "relieving" finds "relieves"
    assert hit_titles(client.get("/search/", {"q": "relieving"})) == ["Is ibuprofen safe?"]


def test_topic_page_lists_published_answers_of_the_topic(client, answers):
    baclofen, ibuprofen, draft = answers
    topic = Topic.objects.create(name="Back pain", slug="back-pain")
    for article in (baclofen, draft):
        article.topic = topic
        article.save()

    html = client.get("/topics/back-pain/").content.decode()

    assert "Is baclofen safe for back pain?" in html
    assert "secretdrug" not in html.lower() and "Is ibuprofen safe?" not in html
    assert 'href="/topics/back-pain/"' in client.get("/").content.decode()


def test_home_lists_each_answer_once_newest_or_recently_updated(client, answers):
    baclofen, ibuprofen, _ = answers
    publish_directly(baclofen)  # version 2
    cramps = make_article(question="Muscle cramps at night", slug="cramps")
    publish_directly(cramps)

    html = client.get("/").content.decode()

    newest = html.split('id="newest-heading"')[1].split("</section>")[0]
    updated = html.split('id="updated-heading"')[1].split("</section>")[0]
    assert newest.index("Muscle cramps at night") < newest.index("Is ibuprofen safe?")
    assert "Is baclofen safe" in updated and "Is ibuprofen safe?" not in updated
    for question in ("Is baclofen safe", "Is ibuprofen safe?", "Muscle cramps at night"):
        assert html.count(question) == 1, question
