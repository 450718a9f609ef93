"""Convergence: `reconcile_published` (and the worker's periodic job, and `refresh_published_pages`)
make the published files match the database whatever happened to them, and say what changed."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article
from articles.published_files import reconcile
from articles.publishing import article_withdraw_from_public
from core.models import Effect
from tests.helpers import make_article, publish_directly, published_file, run_effects

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queued(settings):
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False


@pytest.fixture
def site(board_member):
    """Three published answers with their files; then the files drift as after faults."""
    answers = [make_article(question=f"Is drug {n} safe?", slug=f"drug-{n}") for n in range(3)]
    for article in answers:
        publish_directly(article)
    run_effects()
    return answers


def drift(site, board_member):
    """Every way a file can be wrong once effects were lost (the fire-and-forget world)."""
    missing, stale, withdrawn = site
    published_file(missing).unlink()
    published_file(stale).write_text("<html>an old version</html>")
    article_withdraw_from_public(article=withdrawn, by=board_member, reason="Wrong dose")
    Effect.objects.all().delete()  # as if the withdrawal's effect had been lost
    stray = published_file(withdrawn).parent.parent / "never-published" / "index.html"
    stray.parent.mkdir()
    stray.write_text("<html>a draft that was never approved</html>")
    return stray


def test_reconcile_writes_missing_and_stale_pages_and_removes_withdrawn_and_unknown_ones(site, board_member, client):
    stray = drift(site, board_member)
    missing, stale, withdrawn = site

    result = reconcile()

    assert sorted(result.written) == [missing.slug, stale.slug]
    assert sorted(result.removed) == [withdrawn.slug, "never-published"]
    for article in (missing, stale):
        assert published_file(article).read_bytes() == client.get(f"/articles/{article.slug}/").content
    assert not published_file(withdrawn).exists() and not Path(str(published_file(withdrawn)) + ".gz").exists()
    assert not stray.exists()
    assert reconcile().changed == 0  # converged: a second run changes nothing


def test_the_command_reports_what_it_changed_with_a_rate(site, board_member):
    drift(site, board_member)
    out, err = StringIO(), StringIO()
    call_command("reconcile_published", stdout=out, stderr=err)
    report = out.getvalue()
    assert "Checked 4 answer page(s)" in report and "/s): 2 written, 2 removed." in report
    assert "removed: drug-2" in report and "written: drug-0" in report
    assert "Answer pages" in err.getvalue()  # the progress bar


def test_refresh_published_pages_converges_too_and_removes_a_withdrawn_answers_file(site, board_member):
    drift(site, board_member)
    out = StringIO()
    call_command("refresh_published_pages", stdout=out, stderr=StringIO())
    assert "Re-rendered 3 publications" in out.getvalue()
    assert not published_file(site[2]).exists()
    assert published_file(site[0]).exists()


def test_the_periodic_reconcile_is_an_effect_the_worker_runs(site, board_member, settings):
    settings.ORACLE_PERIODIC_JOBS = {
        "reconcile_published": {"effect": "articles.published_files.reconcile_effect", "every": 300}
    }
    drift(site, board_member)
    from core.tasks import run_periodic

    assert run_periodic() == ["reconcile_published"]
    run_effects()
    assert not published_file(site[2]).exists() and published_file(site[0]).exists()
    assert Effect.objects.get(label="Periodic: reconcile_published").status == "done"


def test_reconcile_reads_the_database_in_a_bounded_number_of_queries_per_answer(site, django_assert_max_num_queries):
    for article in site:
        published_file(article).unlink()
    # the slugs (1), then per answer: the lookup and the withdrawal check at most
    with django_assert_max_num_queries(1 + 2 * len(site)):
        assert len(reconcile().written) == 3
    assert Article.objects.count() == 3


def test_a_site_wide_change_retires_every_cached_page_now_and_again_through_the_worker(client, site):
    from django.db import transaction

    from articles.public_cache import generation
    from articles.published_files import site_pages_changed

    before = generation()
    with transaction.atomic():
        site_pages_changed()
    assert generation() != before  # at once, for the writer's next request
    now = generation()
    assert run_effects() == 1
    assert generation() != now  # and durably, by the worker


def test_the_quick_periodic_run_finds_missing_and_unexpected_pages_and_checks_content_only_of_recent_changes(
    site, board_member
):
    from datetime import timedelta

    from django.utils import timezone

    stray = drift(site, board_member)
    missing, stale, withdrawn = site
    later = timezone.now() + timedelta(minutes=1)  # nothing changed since: the stale page is not compared
    result = reconcile(changed_since=later)
    assert result.written == [missing.slug]
    assert sorted(result.removed) == [withdrawn.slug, "never-published"]
    assert not stray.exists() and not stray.parent.exists()
    assert "an old version" in published_file(stale).read_text()
    assert reconcile(changed_since=timezone.now() - timedelta(hours=1)).written == [stale.slug]
