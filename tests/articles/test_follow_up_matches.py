"""Follow-up questions that help at once (issue 16, Deliver 8): after asking, the reader sees the
approved answers that best match the question (top 3, only what readers can see) and that it
went to the editors; the question is still queued; the page is theirs alone (no cache, no leak)."""

import re

import pytest
from django.core.cache import cache
from django.utils.text import slugify

from articles import follow_ups
from articles.models import FollowUpQuestion
from articles.publishing import article_withdraw_from_public
from tests.helpers import make_article, publish_directly

pytestmark = pytest.mark.django_db

QUESTION = "Is baclofen safe with alcohol at night?"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def answer(question, summary="A summary", *, publish=True):
    article = make_article(question=question, slug=slugify(question), summary=summary, references=1)
    if publish:
        publish_directly(article)
    return article


@pytest.fixture
def answers(db):
    return {
        "asked_on": answer("Is baclofen safe for back pain?", "Baclofen relieves spasm"),
        "alcohol": answer("Is baclofen safe with alcohol?", "Baclofen and alcohol together"),
        "night": answer("Can I take baclofen at night?", "Baclofen at night"),
        "sleep": answer("Does alcohol harm sleep at night?", "Alcohol and sleep"),
        "weak": answer("Is paracetamol safe?", "Paracetamol is safe at usual doses"),
        "draft": answer("Is baclofen safe with alcohol and at night?", "Unreviewed", publish=False),
        "unrelated": answer("How do vaccines work?", "Immune memory"),
    }


def ask(client, article, text=QUESTION):
    return client.post(f"/articles/{article.slug}/follow-up/", {"text": text, "email": "", "website": ""})


def matches(html: str) -> list[str]:
    block = re.search(r'<section class="related-answers follow-up-matches".*?</section>', html, re.S)
    return re.findall(r'<a href="/articles/[^"]+/">([^<]+)</a>', block.group(0)) if block else []


def test_the_reader_sees_the_best_matching_answers_and_the_question_is_queued(client, answers):
    response = ask(client, answers["asked_on"])
    page = client.get(response["Location"])
    html = page.content.decode()

    assert page.status_code == 200
    assert "We have passed your question to our editors." in html
    found = matches(html)
    assert found == [
        "Is baclofen safe with alcohol?",
        "Can I take baclofen at night?",
        "Does alcohol harm sleep at night?",
    ]
    assert "Is baclofen safe with alcohol and at night?" not in html  # a draft is never shown
    assert "Is baclofen safe for back pain?" not in found  # the answer they asked about
    (queued,) = FollowUpQuestion.objects.all()
    assert (queued.text, queued.article_id) == (QUESTION, answers["asked_on"].pk)


def test_a_withdrawn_answer_is_never_offered(client, answers, board_member):
    article_withdraw_from_public(article=answers["alcohol"], by=board_member, reason="Wrong dose.")

    html = client.get(ask(client, answers["asked_on"])["Location"]).content.decode()

    assert "Is baclofen safe with alcohol?" not in matches(html)


def test_no_match_says_so_and_still_thanks(client, answers):
    html = client.get(ask(client, answers["asked_on"], text="Quantum chromodynamics gluon?")["Location"]).content
    html = html.decode()

    assert "None of our reviewed answers matches your question yet." in html
    assert "We have passed your question to our editors." in html


def test_the_page_is_private_and_never_cached_for_another_reader(client, answers):
    first = client.get(ask(client, answers["asked_on"])["Location"])
    second_location = ask(client, answers["asked_on"], text="Does ibuprofen interact with baclofen?")["Location"]
    second = client.get(second_location)
    bare = client.get(f"/articles/{answers['asked_on'].slug}/follow-up/thanks/")

    assert first["Cache-Control"] == "private, no-store" and bare["Cache-Control"] == "private, no-store"
    assert first["Referrer-Policy"] == "no-referrer"
    assert QUESTION in first.content.decode() and QUESTION not in second.content.decode()
    assert "Does ibuprofen interact" in second.content.decode()
    # without the reader's token: no question, no matches
    assert QUESTION not in bare.content.decode() and "Answers that may help now" not in bare.content.decode()
    assert "We have passed your question to our editors." in bare.content.decode()


@pytest.mark.parametrize(
    "token",
    ["", "forged", "x" * 500, "WzEsMV0:1tX:bad-signature"],
    ids=["none", "forged", "too long", "bad signature"],
)
def test_a_forged_token_shows_no_question(client, answers, token):
    ask(client, answers["asked_on"])

    response = client.get(f"/articles/{answers['asked_on'].slug}/follow-up/thanks/", {"r": token})

    assert response.status_code == 200
    assert QUESTION not in response.content.decode()


def test_a_token_for_another_answer_or_an_old_one_shows_nothing(client, answers, monkeypatch):
    location = ask(client, answers["asked_on"])["Location"]
    token = location.split("?r=")[1]

    elsewhere = client.get(f"/articles/{answers['alcohol'].slug}/follow-up/thanks/?r={token}")
    monkeypatch.setattr(follow_ups, "THANKS_MAX_AGE", -1)
    expired = client.get(location)

    assert QUESTION not in elsewhere.content.decode()
    assert QUESTION not in expired.content.decode()


def test_the_question_is_escaped(client, answers):
    location = ask(client, answers["asked_on"], text="Is <script>alert(1)</script> baclofen safe?")["Location"]

    html = client.get(location).content.decode()

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
