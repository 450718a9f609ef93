"""Control characters, direction overrides and zero-width characters never get into content, on
any path in (the ORM every path uses, the admin, the API, the importer), and cannot forge search
highlights; joiners that scripts need are kept."""

import json

import pytest

from articles.models import Article, Claim, Publication
from core.text import clean_text
from references.models import Reference
from tests.helpers import make_article, publish_directly

KEPT = [
    "Tab\tand\nnewline",
    "می\u200cخواهم",  # Persian: the non-joiner is spelling
    "क्\u200dष",  # Devanagari conjunct
    "👨\u200d👩\u200d👧",  # a family emoji sequence
    "❤️\u200d🔥",  # emoji + presentation selector + joiner
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # the Scottish flag (tag sequence)
    "\u05e9\u05dc\u05d5\u05dd\u200f 5 mg",  # a right-to-left mark in mixed text
]
REMOVED = {
    "a\x02b\x03c": "abc",
    "safe\u202e gnisu": "safe gnisu",  # right-to-left override
    "iso\u2066late\u2069": "isolate",
    "zero\u200bwidth\u2060join\ufeff": "zerowidthjoin",
    "pay\u200dpal": "paypal",  # a joiner between Latin letters hides nothing readers need
    "hidden\U000e0041\U000e0042tags": "hiddentags",  # invisible "tag" text
    "c1\x85\x9bcontrols\x7f": "c1controls",
}


@pytest.mark.parametrize("text", KEPT)
def test_what_writing_needs_is_kept(text):
    assert clean_text(text) == text


@pytest.mark.parametrize(("text", "expected"), REMOVED.items())
def test_invisible_and_control_characters_are_removed(text, expected):
    assert clean_text(text) == expected


@pytest.mark.django_db
def test_every_text_field_is_cleaned_when_saved(editor):
    article = make_article(question="Is it \u202esafe\u202c?", slug="clean")
    article.summary = "Sum\x02mary [@" + article.summary.split("[@")[1]
    article.save()
    claim = Claim.objects.filter(section__article=article).first()
    claim.text = "Claim\u200b text " + claim.text
    claim.save()
    reference = Reference.objects.create(key="r1", kind="guideline", title="Ti\u2066tle\x03", source="Src\u200b")

    article.refresh_from_db()
    claim.refresh_from_db()
    reference.refresh_from_db()
    assert article.question == "Is it safe?"
    assert article.summary.startswith("Summary [@")
    assert claim.text.startswith("Claim text ")
    assert (reference.title, reference.source) == ("Title", "Src")


@pytest.mark.django_db
def test_the_admin_cleans_and_a_title_of_only_invisible_characters_is_required(client, editor):
    client.force_login(editor)
    data = {"key": "x-2020", "kind": "research", "doi": "", "pmid": "", "year": "2020"}

    empty = client.post("/admin/references/reference/add/", {**data, "title": "\u200b\u202e\u2060"})
    saved = client.post("/admin/references/reference/add/", {**data, "title": "A \u202etrial\x02"})

    assert empty.status_code == 200 and "This field cannot be blank" in empty.content.decode()
    assert saved.status_code == 302
    assert Reference.objects.get(key="x-2020").title == "A trial"


@pytest.mark.django_db
def test_the_api_cleans_what_it_is_sent(client, editor):
    from api.models import ApiToken, Scope
    from api.services import api_token_create

    secret = api_token_create(token=ApiToken(owner=editor, name="pipeline", scopes=[str(Scope.DRAFTS_WRITE)]))
    payload = {
        "question": "Does \u202eheat\u202c help?",
        "summary": "Modest\x02 relief [@ref-1].",
        "sections": [{"heading": "Evi\u200bdence", "claims": ["Heat\x03 helps [@ref-1]."]}],
        "references": [{"key": "ref-1", "title": "A \u2066trial", "kind": "research"}],
    }

    response = client.post(
        "/api/drafts/", json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert (article.question, article.summary) == ("Does heat help?", "Modest relief [@ref-1].")
    section = article.sections.get()
    assert (section.heading, section.claims.get().text) == ("Evidence", "Heat helps [@ref-1].")
    assert Reference.objects.get(key="ref-1").title == "A trial"


@pytest.mark.django_db
def test_an_invisible_character_inside_a_citation_is_no_unknown_key(client, editor):
    from api.models import ApiToken, Scope
    from api.services import api_token_create

    Reference.objects.create(key="ref-1", kind="guideline", title="A guideline")
    secret = api_token_create(token=ApiToken(owner=editor, name="pipeline", scopes=[str(Scope.DRAFTS_WRITE)]))
    payload = {
        "question": "Does heat help?",
        "summary": "Modest relief [@ref\u200b-1].",
        "sections": [{"heading": "Evidence", "claims": ["Heat helps [@ref-1\u2060]."]}],
        "references": [{"key": "ref-1"}],
    }

    response = client.post(
        "/api/drafts/", json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 201, response.content
    assert response.json()["summary"] == "Modest relief [@ref-1]."


@pytest.mark.django_db
def test_the_importer_cleans_each_line_and_keeps_line_numbers(demo_page, write_page):
    from reviews.importing.write import review_import_pages

    text = demo_page.read_text()
    first, rest = text.split("\n", 1)
    review_import_pages([write_page(first.replace(" ", " \u202e", 1) + "\x02\n" + rest)], publish=False)

    assert "\u202e" not in Article.objects.get().question
    assert "\x02" not in Article.objects.get().question


@pytest.mark.django_db
def test_stored_control_characters_cannot_forge_a_search_highlight(client):
    article = make_article(question="Is dosing safe?", slug="dosing")
    publish_directly(article)
    # A publication stored before content was cleaned on save (immutable: only a raw update).
    Publication.objects.filter(article=article).update(
        body_text="\x02forged\x03 doses are fine", summary_text="\x02also\x03 forged"
    )
    if Publication.objects.filter(article=article).values_list("search_vector", flat=True).first() is not None:
        from articles.search import SEARCH_VECTOR

        Publication.objects.filter(article=article).update(search_vector=SEARCH_VECTOR)

    html = client.get("/search/", {"q": "doses"}).content.decode()
    snippet = html.split('class="answer-card-snippet"')[1][:400]

    assert "<mark>forged</mark>" not in snippet and "<mark>also</mark>" not in snippet
    assert "<mark>doses</mark>" in snippet or "<mark>Doses</mark>" in snippet
