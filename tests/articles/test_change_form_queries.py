"""The article change form's query count: it does not grow with the number of claims, and grows by
one query per section only (nested_admin reads each section's claims with its own formset). What
it does not do any more: read the article again for each section's lock check, or each claim's
cited references for its grade suggestion."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_queries(client, editor):
    client.force_login(editor)
    made = 0

    def count(*, sections: int, claims: int, references: int) -> int:
        nonlocal made
        made += 1
        article = make_article(
            question=f"Question {made}?",
            slug=f"question-{made}",
            sections=sections,
            claims_per_section=claims,
            references=references,
        )
        url = f"/admin/articles/article/{article.pk}/change/"
        client.get(url)  # the process's caches (content types) filled, as on a running server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('class="grade-suggestion') == sections * claims
        return len(queries)

    return count


def test_more_claims_and_references_add_no_query(form_queries):
    few = form_queries(sections=3, claims=1, references=1)
    many = form_queries(sections=3, claims=8, references=20)

    assert many == few
    # session, user, permissions, the article, its lock and reviews, the sections, each section's
    # claims, the cited references' kinds (once), the checks panel's snapshot and settings, the
    # publications and history links, the comments and error reports panels
    assert few <= 46


def test_each_section_adds_one_query_at_most(form_queries):
    two = form_queries(sections=2, claims=3, references=3)
    fifteen = form_queries(sections=15, claims=3, references=3)

    assert fifteen - two <= 13
