"""Search costs a bounded amount of work however many answers match (issue 6), and stays correct."""

import pytest
from django.db import connection

from articles import search
from articles.models import Claim, Publication
from articles.search import RankedPublications
from tests.helpers import hit_titles, make_article, publish_directly

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


@pytest.fixture
def many():
    """Twelve answers mentioning paracetamol in their body, one in its question (the oldest)."""
    first = make_article(question="Is paracetamol safe?", slug="paracetamol")
    publish_directly(first)
    for n in range(11):
        article = make_article(question=f"Is remedy {n} safe?", slug=f"remedy-{n}")
        claim = Claim.objects.filter(section__article=article).first()
        claim.text = "Unlike paracetamol, this remedy " + claim.text
        claim.save()
        publish_directly(article)


def test_an_uncached_search_costs_at_most_two_queries(client, many, settings, django_assert_max_num_queries):
    settings.ORACLE_PAGE_CACHE = False
    with django_assert_max_num_queries(2):
        response = client.get("/search/", {"q": "paracetamol"})
    assert len(response.context["hits"]) == 10
    with django_assert_max_num_queries(2):
        assert len(client.get("/search/", {"q": "paracetamol", "page": 2}).context["hits"]) == 2


def test_a_repeated_search_costs_no_query_even_written_differently(client, many, django_assert_num_queries):
    first = client.get("/search/", {"q": "paracetamol  safe", "page": "1"})

    with django_assert_num_queries(0):
        again = client.get("/search/?page=1&q=+paracetamol+safe")

    assert again["X-Cache"] == "hit"
    assert again.content == first.content


@postgres_only
def test_only_a_capped_set_of_matches_is_ranked_and_readers_are_told(client, many, monkeypatch, settings):
    settings.ORACLE_PAGE_CACHE = False
    monkeypatch.setattr(search, "CANDIDATES", 5)

    response = client.get("/search/", {"q": "paracetamol"})

    assert len(hit_titles(response)) == 5
    html = response.content.decode()
    assert "More than 5 answers for “paracetamol”" in html
    assert 'rel="next"' not in html  # five results: one page
    # the five newest matches, which do not include the oldest answer
    assert "Is paracetamol safe?" not in hit_titles(response)


@postgres_only
def test_within_the_ranked_set_the_question_ranks_first(client, settings, monkeypatch):
    settings.ORACLE_PAGE_CACHE = False
    monkeypatch.setattr(search, "CANDIDATES", 3)
    for n in range(2):
        article = make_article(question=f"Is remedy {n} safe?", slug=f"remedy-{n}")
        claim = Claim.objects.filter(section__article=article).first()
        claim.text = "Unlike naproxen, this remedy " + claim.text
        claim.save()
        publish_directly(article)
    publish_directly(make_article(question="Is naproxen safe?", slug="naproxen"))
    article = make_article(question="Is remedy 9 safe?", slug="remedy-9")  # newest, body only
    claim = Claim.objects.filter(section__article=article).first()
    claim.text = "Naproxen again " + claim.text
    claim.save()
    publish_directly(article)

    hits = hit_titles(client.get("/search/", {"q": "naproxen"}))

    assert hits[0] == "Is naproxen safe?"
    assert len(hits) == 3


def test_few_matches_are_counted_exactly(client, many, settings):
    settings.ORACLE_PAGE_CACHE = False
    html = client.get("/search/", {"q": "paracetamol"}).content.decode()

    assert "12 answers for “paracetamol”" in html
    assert "More than" not in html


@postgres_only
def test_ranked_results_page_without_querying_until_a_page_is_read(many, django_assert_num_queries):
    queryset = Publication.objects.current().select_related("article")
    ids = list(queryset.order_by("-pk").values_list("pk", flat=True))
    results = RankedPublications(queryset, ids, more_than=None)

    with django_assert_num_queries(0):
        assert results.count() == len(ids) == 12
        page = results[2:5]
        assert page.ids == ids[2:5]
        with pytest.raises(TypeError):
            results["more_than"]  # what a template tries before the attribute: must not fetch every row
    with django_assert_num_queries(1):
        assert [p.pk for p in page] == ids[2:5]
        assert [p.pk for p in page] == ids[2:5]  # read once


@postgres_only
def test_the_ranking_query_can_use_an_index_rather_than_read_every_publication(client, many, settings):
    """On a tiny table PostgreSQL would rather read it whole; with scans priced out, the plan of
    the query the search runs shows the index it relies on at scale (the GIN index for a selective
    query, the newest publications first for a broad one)."""
    from django.test.utils import CaptureQueriesContext

    settings.ORACLE_PAGE_CACHE = False
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": "paracetamol"})
    ranking = next(q["sql"] for q in queries.captured_queries if "ts_rank" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + ranking)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")

    assert "Seq Scan on articles_publication" not in plan
    assert "publication_search_vector_gin" in plan or "articles_publication_pkey" in plan
    assert "LIMIT 201" in ranking  # a capped candidate set, whatever the number of matches


@postgres_only
def test_a_query_the_index_cannot_answer_finds_nothing_instead_of_reading_everything(client, many, settings):
    settings.ORACLE_PAGE_CACHE = False

    assert hit_titles(client.get("/search/", {"q": "-paracetamol"})) == []
    assert hit_titles(client.get("/search/", {"q": "paracetamol or -remedy"})) == []
    # a negated word next to a searched one works as before
    assert hit_titles(client.get("/search/", {"q": "paracetamol -remedy"})) == ["Is paracetamol safe?"]
