"""Oversized input is refused with a clear message before it costs memory, and writes nothing."""

import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from articles.models import MAX_CLAIM_CHARS, MAX_SUMMARY_CHARS, Article, Claim
from reviews.importing.write import review_import_pages
from reviews.models import SourceEvent
from tests.helpers import form_fields, make_article

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def sparse_file(path, size):
    """A file of `size` bytes that costs no disk or memory to make (its size is what is tested)."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def test_a_10_mb_page_is_refused_by_its_size_without_being_read(tmp_path):
    page = sparse_file(tmp_path / "huge.txt", 10 * MB)
    tracemalloc.start()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_article", str(page), "--publish")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    message = str(excinfo.value)
    assert "huge.txt" in message and "10,485,760 bytes" in message and "refused" in message
    assert peak < MB, f"refusing the file allocated {peak:,} bytes"
    assert Article.objects.count() == 0


def test_one_oversized_page_among_good_ones_imports_none(tmp_path, demo_page):
    huge = sparse_file(tmp_path / "huge.txt", 10 * MB)

    with pytest.raises(Exception) as excinfo:
        review_import_pages([demo_page, huge], publish=True)

    assert "huge.txt" in str(excinfo.value)
    assert Article.objects.count() == 0


def test_a_10_mb_csv_of_source_events_is_refused_before_reading(tmp_path):
    csv = sparse_file(tmp_path / "events.csv", 10 * MB)
    tracemalloc.start()

    with pytest.raises(CommandError, match="larger than 5 MB; split it"):
        call_command("import_source_events", str(csv))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert peak < MB
    assert SourceEvent.objects.count() == 0


def test_a_1_mb_section_in_the_admin_is_refused_naming_the_limit(client, editor):
    article = make_article(sections=1, claims_per_section=1)
    client.force_login(editor)
    url = f"/admin/articles/article/{article.pk}/change/"
    data = form_fields(client.get(url).content.decode(), "article_form")
    claim_field = next(k for k in data if k.endswith("-claims-0-text"))
    before = Claim.objects.get(section__article=article).text
    data[claim_field] = "x" * MB

    response = client.post(url, data)

    assert response.status_code == 200
    assert f"Ensure this value has at most {MAX_CLAIM_CHARS} characters (it has {MB})." in response.content.decode()
    assert Claim.objects.get(section__article=article).text == before


def test_a_body_over_the_upload_limit_is_a_400_in_the_sites_design(client, editor, settings):
    article = make_article(sections=1, claims_per_section=1)
    client.force_login(editor)

    response = client.post(
        f"/admin/articles/article/{article.pk}/change/", {"summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()
    assert Article.objects.get(pk=article.pk).summary.startswith("Short answer")


def test_services_refuse_oversized_texts_too():
    article = make_article(sections=1, claims_per_section=1)
    claim = Claim.objects.get(section__article=article)
    claim.text = "y" * (MAX_CLAIM_CHARS + 1)
    article.summary = "z" * (MAX_SUMMARY_CHARS + 1)

    with pytest.raises(ValidationError) as claim_error:
        claim.full_clean()
    with pytest.raises(ValidationError) as summary_error:
        article.full_clean()

    assert "text" in claim_error.value.message_dict
    assert "summary" in summary_error.value.message_dict
