"""The bibliography in the admin: finding a reference, and refusing a bad identifier."""

import pytest

from references.models import Reference
from tests.helpers import ReferenceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pharmacological", "pharmacological-management-2021"),
        ("10.1136/bmj.n1446", "bmj-doi"),
        ("33853836", "bmj-doi"),
        ("bmj-d", "bmj-doi"),
    ],
)
def test_reference_admin_searches_key_title_doi_and_pmid(client, editor, demo, query, expected):
    ReferenceFactory(key="bmj-doi", doi="10.1136/bmj.n1446", pmid="33853836")
    client.force_login(editor)

    page = client.get("/admin/references/reference/", {"q": query}).content.decode()

    assert expected in page
    assert "1 result" in page


def test_reference_admin_refuses_a_bad_doi(client, editor):
    client.force_login(editor)

    response = client.post(
        "/admin/references/reference/add/",
        {"key": "x-2020", "kind": "research", "title": "X", "doi": "not-a-doi", "pmid": "", "year": "2020"},
    )

    assert "is not a DOI" in response.content.decode()
    assert not Reference.objects.filter(key="x-2020").exists()
