import datetime

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from articles.models import Article, Claim, Publication, Section
from references.citations import extract_keys
from references.models import Reference
from reviews.importing.write import ImportRefused, review_import_pages

pytestmark = pytest.mark.django_db

SECTION_HEADINGS = [
    "Evidence Against Baclofen Use in Back Pain",
    "Safety Concerns with Baclofen",
    "Alternative Treatment Options for Back Pain",
    "Recent Research on Baclofen for Back Pain",
    "Treatment Algorithm for Back Pain",
    "Important Clinical Considerations",
]
# The citation numbers printed after each bullet of the example page, section by section.
CITED_NUMBERS = [
    [[1], [2], [3], [3]],
    [[1], [1], [1], [1]],
    [[2], [2], [2, 4], [2, 3]],
    [[5], [6], [7]],
    [[2], [3], [2, 4], [2, 3]],
    [[2], [2, 1], [2, 3]],
]


def nothing_written():
    return not (
        Article.objects.exists()
        or Reference.objects.exists()
        or Section.objects.exists()
        or Publication.objects.exists()
    )


def test_demo_page_imports_every_section_claim_and_citation_in_order(demo_page):
    [result] = review_import_pages([demo_page], publish=True)

    article = result.article
    assert article.question == "Is baclofen safe for treating back pain?"
    assert article.slug == "is-baclofen-safe-for-treating-back-pain"
    assert article.summary_heading == "Safety of Baclofen for Back Pain"
    assert article.summary.startswith("Baclofen is not recommended for treating back pain")
    assert article.last_reviewed_on == datetime.date(2025, 10, 17)
    sections = list(article.sections.prefetch_related("claims"))
    assert [s.heading for s in sections] == SECTION_HEADINGS
    refs = list(Reference.objects.order_by("id"))
    assert len(refs) == 7
    number_of = {ref.key: n for n, ref in enumerate(refs, start=1)}
    assert [number_of[k] for k in extract_keys(article.summary)] == [1, 2]
    cited = [[[number_of[k] for k in extract_keys(c.text)] for c in s.claims.all()] for s in sections]
    assert cited == CITED_NUMBERS
    first_claim = sections[0].claims.all()[0].text
    assert first_claim.startswith("Baclofen is FDA-approved only for spasticity")
    assert not first_claim.rstrip("]").endswith(" 1")  # the printed number became a marker
    assert result.published.number == 1
    assert result.published.origin == Publication.Origin.IMPORT
    assert result.published.reviewed_on == datetime.date(2025, 10, 17)


def test_references_keep_kind_title_source_and_year(demo_page):
    review_import_pages([demo_page])

    first, *_, last = Reference.objects.order_by("id")
    assert (first.kind, first.title, first.source, first.year) == (
        Reference.Kind.GUIDELINE,
        "Guideline Directed Topic Overview",
        "Dr.Oracle Medical Advisory Board & Editors",
        2025,
    )
    assert (last.kind, last.source, last.year) == (Reference.Kind.RESEARCH, "Chinese Medicine", 2010)
    assert Reference.objects.filter(kind=Reference.Kind.GUIDELINE).count() == 3


def test_boilerplate_is_not_imported_as_content(demo_page):
    [result] = review_import_pages([demo_page])

    texts = [result.article.summary_heading, result.article.summary] + [
        t for s in result.article.sections.all() for t in [s.heading] + [c.text for c in s.claims.all()]
    ]
    for furniture in [
        "Medical Advisory Board",
        "Educational purpose",
        "Under Review",
        "Personalize",
        "Which best describes",
        "Professional Medical Disclaimer",
        "follow-up",
        "Last updated",
    ]:
        assert not any(furniture in text for text in texts), furniture
    assert Claim.objects.count() == 22


def test_example_page_with_missing_references_is_refused_naming_5_6_and_7(example_page):
    with pytest.raises(ImportRefused) as excinfo:
        review_import_pages([example_page])

    report = "\n".join(excinfo.value.messages)
    for number, line in [(5, 45), (6, 46), (7, 47)]:
        assert f"baclofen-back-pain.txt:{line}: reference {number} is cited" in report
    assert "reference 4 is cited" not in report
    assert nothing_written()


def test_allow_missing_imports_a_draft_that_records_the_problems_and_cannot_be_published(example_page):
    [result] = review_import_pages([example_page], publish=True, allow_missing=True)

    article = Article.objects.get()
    assert article.current_publication is None
    assert result.published is None
    assert [p["number"] for p in article.import_problems] == [5, 6, 7]
    problems = article.citation_problems()
    assert [p.key for p in problems] == ["missing-5", "missing-6", "missing-7"]
    assert "line 45" in problems[0].message
    assert "Section 4 “Recent Research on Baclofen for Back Pain”, claim 1" == problems[0].field
    assert Reference.objects.count() == 4


def test_reimporting_the_same_page_updates_the_article_and_duplicates_nothing(demo_page):
    review_import_pages([demo_page], publish=True)
    counts = (Article.objects.count(), Reference.objects.count(), Claim.objects.count(), Publication.objects.count())
    versions = Version.objects.count()

    [result] = review_import_pages([demo_page], publish=True)

    assert (
        Article.objects.count(),
        Reference.objects.count(),
        Claim.objects.count(),
        Publication.objects.count(),
    ) == counts
    assert Version.objects.count() == versions
    assert result.status == "unchanged"


def test_reimporting_a_changed_page_updates_the_same_article(demo_page, write_page):
    review_import_pages([demo_page], publish=True)
    changed = write_page(demo_page.read_text().replace("sedation, excessive weakness", "sedation, marked weakness"))

    [result] = review_import_pages([changed], publish=True)

    assert Article.objects.count() == 1
    assert Claim.objects.filter(text__contains="marked weakness").count() == 1
    assert Claim.objects.filter(text__contains="excessive weakness").count() == 0
    assert result.published.number == 2
    assert Reference.objects.count() == 7


def test_references_are_deduplicated_by_normalised_title_and_year(demo_page, write_page):
    Reference.objects.create(
        key="bmj-2021",
        kind="systematic_review",
        year=2021,
        source="BMJ",
        title="EFFICACY, acceptability and safety of muscle relaxants for adults with non-specific low back pain – systematic review and meta-analysis",
    )

    review_import_pages([demo_page])

    assert Reference.objects.count() == 7
    assert Claim.objects.filter(text__contains="[@bmj-2021]").count() == 1


def test_each_run_is_all_or_nothing_across_files(demo_page, write_page):
    bad = write_page("Question?\n\nNo summary here\n\n", name="bad.txt")

    with pytest.raises(ImportRefused):
        review_import_pages([demo_page, bad], publish=True)

    assert nothing_written()


HEADER = "Is X safe?\n\nLast updated: October 17, 2025View editorial policy\n\n"
SUMMARY = "Summary\n\nX is safe in most adults. 1\n\n"
SECTION = "Evidence\n\n  • A trial showed safety 1\n\n"
REFS = "References\n\nResearch\n\nA trial of X\n\nJournal of X, 2020\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "the file is empty"),
        ("\n\n   \n", None, "the file is empty"),
        ("  • a bullet first 1\n" + SUMMARY + SECTION + REFS, 1, "no question"),
        ("Last updated: October 17, 2025\n" + SECTION + REFS, 1, "no question"),
        (HEADER + SECTION + REFS, 5, "no summary answer"),
        (
            HEADER + "Summary\n\nX is safe. 1\n\nEvidence\n\nMore evidence\n\n  • A trial 1\n\n" + REFS,
            9,
            "the section “Evidence” has no bullets",
        ),
        (HEADER + SUMMARY + SECTION + "Empty section\n\n" + REFS, 13, "the section “Empty section” has no bullets"),
        (
            HEADER + SUMMARY + SECTION + "References\n\nResearch\n\nA trial of X\n\nJournal of X\n",
            19,
            "expected “source, year”",
        ),
        (
            HEADER + SUMMARY + SECTION + "References\n\nPodcast\n\nA trial of X\n\nJournal of X, 2020\n",
            15,
            "expected a kind",
        ),
        (HEADER + SUMMARY + SECTION + "References\n\nResearch\n\nA trial of X\n", 15, "expected a title line"),
        ("Is X safe?\n\nLast updated: Octember 99, 2025\n\n" + SUMMARY + SECTION + REFS, 3, "cannot read the date"),
        (HEADER + SUMMARY + "Evidence\n\n  •   \n\n" + REFS, 11, "an empty bullet"),
        (HEADER + SUMMARY, 7, "no sections"),
    ],
)
def test_malformed_page_is_refused_naming_file_and_line_and_writes_nothing(write_page, text, line, message):
    path = write_page(text)

    with pytest.raises(ImportRefused) as excinfo:
        review_import_pages([path])

    [error] = excinfo.value.messages
    assert error.startswith(f"{path}:{line}: " if line else f"{path}: ")
    assert message in error
    assert nothing_written()


def test_a_file_that_is_not_utf8_is_refused_with_its_line(write_page):
    path = write_page(HEADER.encode() + b"Summary\n\nCaf\xe9 is safe. 1\n")

    with pytest.raises(ImportRefused) as excinfo:
        review_import_pages([path])

    assert excinfo.value.messages == [f"{path}:7: the file is not UTF-8 (byte 0xe9 is invalid)"]
    assert nothing_written()


def test_an_oversized_file_is_refused_before_it_is_read(write_page, settings):
    settings.ORACLE_IMPORT_MAX_BYTES = 100
    path = write_page(HEADER + SUMMARY + SECTION + REFS)

    with pytest.raises(ImportRefused) as excinfo:
        review_import_pages([path])

    assert "pages larger than 100 bytes are refused" in excinfo.value.messages[0]


def test_a_minimal_valid_page_imports(write_page):
    [result] = review_import_pages([write_page(HEADER + SUMMARY + SECTION + REFS)], publish=True)

    assert result.article.question == "Is X safe?"
    assert result.published is not None
    assert Reference.objects.get().key == "trial-x-2020"


def test_command_prints_the_public_url_on_the_address_the_site_runs_on(demo_page, capsys, settings):
    settings.ORACLE_BASE_URL = "http://127.0.0.1:8123"  # what `PORT=8123 make run` writes into .env

    call_command("import_article", str(demo_page), "--publish")

    out = capsys.readouterr().out
    assert out.startswith(
        "http://127.0.0.1:8123/articles/is-baclofen-safe-for-treating-back-pain/  "
        "Is baclofen safe for treating back pain? — published (version 1)\n"
    )


def test_command_prints_a_drafts_admin_page_not_a_public_url_that_would_be_404(demo_page, capsys, settings):
    settings.ORACLE_BASE_URL = "http://127.0.0.1:8123"

    call_command("import_article", str(demo_page))

    article = Article.objects.get()
    assert capsys.readouterr().out == (
        f"http://127.0.0.1:8123/admin/articles/article/{article.pk}/change/  "
        "Is baclofen safe for treating back pain? — imported as a draft (not public until published)\n"
    )


def test_publish_with_allow_missing_exits_nonzero_naming_each_page_not_published_and_why(
    example_page, write_page, capsys
):
    fine = write_page(HEADER + SUMMARY + SECTION + REFS, name="fine.txt")

    with pytest.raises(CommandError) as excinfo:
        call_command("import_article", str(fine), str(example_page), "--publish", "--allow-missing")

    message = str(excinfo.value)
    assert message.startswith("1 of 2 pages not published:\n")
    assert f"  {example_page}: cites references 5, 6, 7 missing from its reference list" in message
    assert str(fine) not in message
    out = capsys.readouterr().out
    assert "Is X safe? — published (version 1)" in out
    assert "Is baclofen safe for treating back pain? — imported as a draft with 3 citation problems; not public" in out
    # --allow-missing did what it says: the draft is kept, with its problems, and the other page is public.
    assert Article.objects.get(slug="is-baclofen-safe-for-treating-back-pain").current_publication is None
    assert Article.objects.get(slug="is-x-safe").current_publication.number == 1


def test_allow_missing_without_publish_is_not_a_failure(example_page, capsys):
    call_command("import_article", str(example_page), "--allow-missing")

    assert "imported as a draft with 3 citation problems" in capsys.readouterr().out


def test_allow_missing_on_a_published_answer_says_the_working_copy_changed_and_readers_still_see_it(
    demo_page, example_page, capsys, client
):
    call_command("import_article", str(demo_page), "--publish")
    capsys.readouterr()

    call_command("import_article", str(example_page), "--allow-missing")

    out = capsys.readouterr().out
    assert (
        "Is baclofen safe for treating back pain? — working copy updated, with 3 citation problems; "
        "readers still see version 1; it cannot be published until they are fixed"
    ) in out
    assert "/articles/is-baclofen-safe-for-treating-back-pain/  " in out  # the page readers still see
    article = Article.objects.get()
    assert [p["number"] for p in article.import_problems] == [5, 6, 7]
    assert Publication.objects.count() == 1 and article.current_publication.number == 1
    assert client.get(article.get_absolute_url()).status_code == 200


def test_publish_of_the_page_readers_already_see_says_so_rather_than_still_see(demo_page, example_page, capsys):
    call_command("import_article", str(demo_page), "--publish")
    call_command("import_article", str(example_page), "--allow-missing")  # the working copy moves away
    capsys.readouterr()

    call_command("import_article", str(demo_page), "--publish")

    assert capsys.readouterr().out.endswith(
        " — working copy updated; readers already see this page's content (version 1)\n"
    )
    assert Publication.objects.count() == 1


def test_reimporting_an_unchanged_draft_says_so(demo_page, capsys):
    call_command("import_article", str(demo_page))
    capsys.readouterr()

    call_command("import_article", str(demo_page))

    assert capsys.readouterr().out.endswith(" — unchanged draft (not public until published)\n")


def test_command_fails_with_the_report_and_nonzero_status(example_page):
    with pytest.raises(CommandError) as excinfo:
        call_command("import_article", str(example_page))

    assert "reference 5 is cited" in str(excinfo.value)
    assert nothing_written()


def test_command_exit_status_is_nonzero_for_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("import_article", str(tmp_path / "nope.txt"))

    assert "nope.txt: cannot read the file" in str(excinfo.value)


def test_import_records_a_revision_with_a_comment(demo_page):
    [result] = review_import_pages([demo_page])

    version = Version.objects.get_for_object(result.article).get()
    # the file's name, not the server path it was read from (staff see it in the history)
    assert version.revision.comment == f"Imported from {demo_page.name}"
    assert Version.objects.filter(revision=version.revision, content_type__model="claim").count() == 22
