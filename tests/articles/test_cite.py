"""Citing by searching on the article change form: the reference search (by each field, its limits,
who may use it, retracted and superseded sources, one query) and "New reference" (valid, invalid
identifiers refused with nothing created, duplicates named, permission)."""

import datetime

import pytest
from reversion.models import Version

from references.models import Reference
from references.search import LIMIT, reference_search
from tests.helpers import ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = "/admin/articles/article/cite/search/"
NEW = "/admin/articles/article/cite/new-reference/"


@pytest.fixture
def bibliography(db):
    guideline = ReferenceFactory(
        key="acp-lbp-2017",
        kind=Reference.Kind.GUIDELINE,
        title="Noninvasive treatments for low back pain",
        authors="Qaseem A, Wilt TJ",
        year=2017,
        doi="10.7326/M16-2367",
        pmid="28192789",
    )
    trial = ReferenceFactory(
        key="baclofen-rct", kind=Reference.Kind.RANDOMISED_TRIAL, title="Baclofen for spasm", year=2021
    )
    newer = ReferenceFactory(key="acp-lbp-2024", title="Back pain guideline update", year=2024)
    return guideline, trial, newer


def keys(query):
    return [r["key"] for r in reference_search(query)]


@pytest.mark.parametrize(
    "query, found",
    [
        ("acp-lbp-2017", "acp-lbp-2017"),  # key
        ("noninvasive", "acp-lbp-2017"),  # title, case-insensitively
        ("wilt", "acp-lbp-2017"),  # author
        ("10.7326/m16-2367", "acp-lbp-2017"),  # DOI, case-insensitively
        ("https://doi.org/10.7326/M16-2367", "acp-lbp-2017"),  # DOI as a link
        ("28192789", "acp-lbp-2017"),  # PMID
        ("PMID:28192789", "acp-lbp-2017"),  # PMID as written in papers
        ("2021", "baclofen-rct"),  # year
        ("baclofen 2021", "baclofen-rct"),  # every word must match
    ],
)
def test_search_finds_a_reference_by_each_field(bibliography, query, found):
    assert keys(query)[0] == found


def test_every_word_must_match_and_the_key_itself_comes_first(bibliography):
    assert keys("baclofen 2017") == []
    assert keys("acp-lbp") == ["acp-lbp-2024", "acp-lbp-2017"]  # both start with it: newest first
    assert keys("acp-lbp-2017")[0] == "acp-lbp-2017"


def test_search_gives_the_kind_and_whether_retracted_or_superseded(bibliography):
    guideline, trial, newer = bibliography
    Reference.objects.filter(pk=trial.pk).update(retracted_on=datetime.date(2023, 5, 1))
    Reference.objects.filter(pk=guideline.pk).update(superseded_by=newer, superseded_on=datetime.date(2024, 2, 1))
    by_key = {r["key"]: r for r in reference_search("")}
    assert by_key["baclofen-rct"]["kind_label"] == "Randomised trial"
    assert by_key["baclofen-rct"]["retracted"] is True and by_key["baclofen-rct"]["retracted_on"] == "2023-05-01"
    assert by_key["acp-lbp-2017"]["superseded"] is True and by_key["acp-lbp-2017"]["superseded_by"] == "acp-lbp-2024"
    assert by_key["acp-lbp-2024"]["retracted"] is False and by_key["acp-lbp-2024"]["superseded"] is False


def test_at_most_twenty_results_in_the_same_queries_whatever_their_number(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    old = ReferenceFactory(key="old-ref", title="Study of old things")
    client.force_login(editor)
    client.get(SEARCH, {"q": "study"})
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(SEARCH, {"q": "study"}).json()["results"]) == 1
    for n in range(30):
        ReferenceFactory(key=f"study-{n}", title=f"Study {n}", superseded_by=old)
    with CaptureQueriesContext(connection) as many:
        response = client.get(SEARCH, {"q": "study"})
    results = response.json()["results"]
    assert response.status_code == 200 and len(results) == LIMIT
    assert {r["superseded_by"] for r in results} == {"old-ref"}  # the replacements joined, not fetched one by one
    assert len(many) == len(one) <= 5  # session, user, permissions (2), the search


def test_a_query_too_long_is_refused(client, editor):
    client.force_login(editor)
    response = client.get(SEARCH, {"q": "x" * 201})
    assert response.status_code == 400
    assert "200 characters" in response.json()["error"]


def test_the_search_is_for_staff_who_may_read_the_bibliography(client, bibliography):
    assert client.get(SEARCH, {"q": "acp"}).status_code == 302  # to the login page
    client.force_login(UserFactory(username="nobody"))  # staff without permissions
    assert client.get(SEARCH, {"q": "acp"}).status_code == 403
    assert client.post(SEARCH, {"q": "acp"}).status_code in (403, 405)


def test_a_title_is_returned_as_data_never_markup(client, editor):
    ReferenceFactory(key="xss", title='<img src=x onerror="alert(1)">')
    client.force_login(editor)
    response = client.get(SEARCH, {"q": "xss"})
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"][0]["title"] == '<img src=x onerror="alert(1)">'


# --- New reference -----------------------------------------------------------------------------


def new(client, **fields):
    data = {"newref-kind": "guideline", "newref-title": "Management of migraine", "newref-year": "2022"}
    data.update({f"newref-{name}": value for name, value in fields.items()})
    return client.post(NEW, data)


def test_a_new_reference_is_created_with_identifiers_normalised_and_a_key_made(client, editor):
    client.force_login(editor)
    response = new(client, doi="https://doi.org/10.1000/XYZ-1", pmid="PMID: 12345678", authors="Doe J")
    assert response.status_code == 201
    created = response.json()["reference"]
    reference = Reference.objects.get(key=created["key"])
    assert created["key"] == "management-migraine-2022"
    assert (reference.doi, reference.pmid, reference.kind) == ("10.1000/XYZ-1", "12345678", "guideline")
    # saved as the reference admin saves: with a version in its history, by this editor
    assert Version.objects.get_for_object(reference).get().revision.user == editor


def test_a_chosen_key_is_kept(client, editor):
    client.force_login(editor)
    assert new(client, key="migraine-2022").json()["reference"]["key"] == "migraine-2022"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"doi": "not-a-doi"}, "doi", "is not a DOI"),
        ({"pmid": "12ab"}, "pmid", "is not a PubMed ID"),
        ({"title": ""}, "title", "required"),
        ({"year": "1200"}, "year", "year of publication"),
        ({"key": "bad key!"}, "key", "letters, digits"),
        ({"url": "javascript:alert(1)"}, "url", "valid URL"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_created(client, editor, fields, field, message):
    client.force_login(editor)
    response = new(client, **fields)
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Reference.objects.exists()


def test_a_work_already_in_the_bibliography_is_named_not_added_twice(client, editor, bibliography):
    client.force_login(editor)
    for fields in ({"doi": "doi:10.7326/m16-2367"}, {"pmid": "28192789"}):
        response = new(client, **fields)
        assert response.status_code == 400
        assert "[@acp-lbp-2017]" in response.json()["errors"]["__all__"][0]
    response = new(client, title="Noninvasive treatments for low back pain!", year="2017")
    assert "[@acp-lbp-2017]" in response.json()["errors"]["__all__"][0]
    assert Reference.objects.count() == 3


def test_only_who_may_add_references_creates_one(client):
    reader = UserFactory(username="pharmacist", groups=["Pharmacists"])
    client.force_login(reader)
    assert client.get(SEARCH, {"q": "a"}).status_code == 200  # they read the bibliography
    assert new(client).status_code == 403
    assert client.get(NEW).status_code == 405
    assert not Reference.objects.exists()


def test_the_change_form_offers_citing_to_editors_and_the_dialog_only_to_who_may_add(client, editor):
    from tests.helpers import make_article

    article = make_article()
    client.force_login(editor)
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'id="cite-config"' in page and 'data-new-url="/admin/articles/article/cite/new-reference/"' in page
    assert 'id="new-reference-dialog"' in page and "articles/admin/cite.js" in page
    client.force_login(UserFactory(username="pharmacist", groups=["Pharmacists"]))
    page = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'id="cite-config"' not in page and 'id="new-reference-dialog"' not in page


def test_new_reference_needs_the_csrf_token(editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    response = strict.post(NEW, {"newref-kind": "guideline", "newref-title": "Forged", "newref-year": "2020"})
    assert response.status_code == 403
    assert not Reference.objects.exists()


def test_a_clash_with_a_reference_added_a_moment_ago_is_refused_cleanly(client, editor, monkeypatch):
    from django.db import IntegrityError

    from articles.admin.cite import NewReferenceForm

    def clash(self, commit=True):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(NewReferenceForm, "save", clash)
    client.force_login(editor)
    response = new(client)
    assert response.status_code == 409
    assert "a moment ago" in response.json()["errors"]["__all__"][0]
    assert not Reference.objects.exists()
