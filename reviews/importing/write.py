"""Importing answer pages captured from the previous site: writing them as drafts, and publishing
them as reviewed there. Parsing the text format is `reviews.importing.parse`.

All files or none: every file is parsed and checked before anything is written, and the writes of
one run share one transaction.
"""

from dataclasses import dataclass
from pathlib import Path

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from reversion.models import Version

from articles.content import content_replace
from articles.models import Article, Publication, ReviewStatus
from articles.publishing import article_publish
from articles.snapshots import load_article, snapshot_article
from references.citations import format_marker
from references.models import Reference
from references.services import reference_find_duplicate, reference_make_key
from reviews.importing.parse import PageFormatError, ParsedPage, parse_page, read_page_text
from reviews.models import Review
from reviews.services import ReviewRefused, _log, _set_article_status, content_fingerprint


@dataclass
class ImportResult:
    article: Article
    created: bool
    changed: bool
    published: Publication | None
    problems: list[dict]

    @property
    def live_number(self) -> int | None:
        """The version readers see, if any (after this import)."""
        live = self.article.current_publication if self.article.current_publication_id else None
        return live.number if live else None

    @property
    def status(self) -> str:
        """What the import did, as the user should read it: to the working copy, and to what readers see."""
        if self.published:
            return f"published (version {self.published.number})"
        live = self.live_number
        readers = f"readers still see version {live}" if live else "not public"
        if self.problems:
            count = len(self.problems)
            problems = f"{count} citation problem{'s' if count > 1 else ''}"
            if self.created:
                done = f"imported as a draft with {problems}"
            elif self.changed:
                done = f"{'working copy' if live else 'draft'} updated, with {problems}"
            else:
                done = f"unchanged; the {'working copy' if live else 'draft'} still has {problems}"
            return f"{done}; {readers}; it cannot be published until they are fixed"
        if self.created:
            return "imported as a draft (not public until published)"
        if not self.changed:
            return "unchanged" if live else "unchanged draft (not public until published)"
        return f"{'working copy' if live else 'draft'} updated; {readers}"


class ImportRefused(Exception):
    """Nothing was written: every message names a file and, where known, a line."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def _missing_report(page: ParsedPage) -> list[str]:
    return [
        f"{page.path}:{lines[0]}: reference {number} is cited (line{'s' if len(lines) > 1 else ''} "
        f"{', '.join(map(str, lines))}) but the page's reference list has no entry {number}"
        for number, lines in page.missing_references().items()
    ]


def parse_pages(paths) -> list[ParsedPage]:
    """Parse every file, collecting every file's errors before giving up."""
    pages, errors = [], []
    for path in paths:
        try:
            pages.append(parse_page(path, read_page_text(path, settings.ORACLE_IMPORT_MAX_BYTES)))
        except PageFormatError as exc:
            errors.append(str(exc))
    if errors:
        raise ImportRefused(errors)
    return pages


def import_pages(paths, *, allow_missing: bool = False, by=None, publisher=None) -> list[ImportResult]:
    """Import answer pages, all or nothing: on any error no file of the run is written.

    `publisher(article, page) -> Publication`, when given, publishes each imported article whose
    content differs from what readers see (the review workflow supplies it, so the publication is
    recorded in its audit trail).
    """
    pages = parse_pages(paths)
    if not allow_missing:
        report = [message for page in pages for message in _missing_report(page)]
        if report:
            raise ImportRefused(
                report
                + ["Nothing was imported. Add the missing references, or use --allow-missing to import as drafts."]
            )
    slugs: dict[str, str] = {}
    for page in pages:
        slug = slugify(page.question)[:120].strip("-")
        if not slug:
            raise ImportRefused([f"{page.path}: the question “{page.question}” gives no usable address (slug)"])
        if slug in slugs:
            raise ImportRefused([f"{page.path}: same question as {slugs[slug]}; import one of them"])
        slugs[slug] = page.path
    results = []
    with transaction.atomic():
        for page, slug in zip(pages, slugs.keys(), strict=True):
            try:
                results.append(_import_page(page, slug, publisher=publisher, by=by))
            except ValidationError as exc:
                # Leaving the atomic block by this exception rolls back every file of the run.
                raise ImportRefused([f"{page.path}: {m}" for m in exc.messages] + ["Nothing was imported."]) from None
    return results


def _resolve_references(page: ParsedPage, by=None) -> dict[int, Reference]:
    by_number, taken = {}, set()
    for parsed in page.references:
        reference = reference_find_duplicate(title=parsed.title, year=parsed.year)
        if reference is None:
            reference = Reference(
                key=reference_make_key(title=parsed.title, year=parsed.year, taken=taken),
                kind=parsed.kind,
                title=parsed.title,
                source=parsed.source,
                year=parsed.year,
            )
            try:
                reference.full_clean()
            except ValidationError as exc:
                raise ValidationError(f"line {parsed.line}: {'; '.join(exc.messages)}") from None
            with reversion.create_revision():
                reversion.set_user(by)
                reversion.set_comment(f"Imported from {Path(page.path).name}")
                reference.save()
        taken.add(reference.key)
        by_number[parsed.number] = reference
    return by_number


def _import_page(page: ParsedPage, slug: str, *, publisher, by) -> ImportResult:
    references = _resolve_references(page, by)
    problems = [
        {
            "key": f"missing-{number}",
            "number": number,
            "lines": lines,
            "message": f"reference {number} is cited on line{'s' if len(lines) > 1 else ''} "
            f"{', '.join(map(str, lines))} of the imported page but missing from its reference list",
        }
        for number, lines in page.missing_references().items()
    ]

    def with_markers(parsed) -> str:
        keys = [references[n].key if n in references else f"missing-{n}" for n in parsed.citations]
        return f"{parsed.text} {format_marker(list(dict.fromkeys(keys)))}" if keys else parsed.text

    new_content = {
        "question": page.question,
        "summary_heading": page.summary_heading,
        "summary": with_markers(page.summary),
        "sections": [
            {"heading": s.heading, "claims": [{"text": with_markers(c)} for c in s.claims]} for s in page.sections
        ],
    }
    article = Article.objects.filter(slug=slug).first()
    created = article is None
    changed = created or _content_of(article) != new_content or article.import_problems != problems
    if changed:
        with reversion.create_revision():
            reversion.set_user(by)
            reversion.set_comment(f"Imported from {Path(page.path).name}")
            article = article or Article(slug=slug)
            article.question = page.question
            article.summary_heading = page.summary_heading
            article.summary = new_content["summary"]
            article.import_problems = problems
            if page.last_updated and not article.current_publication_id:
                article.last_reviewed_on = page.last_updated
            article.save()
            content_replace(article, new_content["sections"])
    published = None
    if publisher and not problems:
        live = article.current_publication
        if live is None or _content_of_snapshot(live.content) != new_content:
            published = publisher(article, page)
            article.refresh_from_db()
    return ImportResult(article=article, created=created, changed=changed, published=published, problems=problems)


def _content_of(article: Article) -> dict:
    article = load_article(article.pk)
    return _content_of_snapshot(snapshot_article(article))


def _content_of_snapshot(content: dict) -> dict:
    """The part of a snapshot that an imported page determines (what re-import compares)."""
    return {key: content[key] for key in ("question", "summary_heading", "summary")} | {
        "sections": [
            {"heading": s["heading"], "claims": [{"text": c["text"]} for c in s["claims"]]} for s in content["sections"]
        ]
    }


def review_record_import(*, article: Article, reviewed_on, source: str, by=None) -> Publication:
    """Publish an imported page as reviewed on the previous site, recorded in the audit trail."""
    loaded = load_article(article.pk)
    problems = loaded.publication_problems()
    if problems:
        raise ReviewRefused(problems)
    content = snapshot_article(loaded)
    revision = Version.objects.get_for_object(article).select_related("revision").first().revision
    review = Review(article=article, revision=revision, content=content, content_hash=content_fingerprint(content))
    review.record_import()
    review.submitted_by = by
    review.publication = article_publish(
        article=article,
        origin=Publication.Origin.IMPORT,
        by=by,
        reviewed_on=reviewed_on,
        revision=revision,
        content=content,
        change_summary="Imported from the previous site",
    )
    review.save()
    _log(
        review,
        "import",
        ReviewStatus.NEW,
        by=by,
        comment=f"Imported from {Path(source).name} at {timezone.now():%Y-%m-%d %H:%M %Z}; "
        f"the page said “Last updated {reviewed_on:%B} {reviewed_on.day}, {reviewed_on.year}”.",
    )
    _set_article_status(article.pk, review.state)
    return review.publication


def review_import_pages(paths, *, publish: bool = False, allow_missing: bool = False, by=None):
    """`import_article`: import pages, publishing each as reviewed on the previous site if asked."""

    def publisher(article, page):
        return review_record_import(
            article=article, reviewed_on=page.last_updated or timezone.localdate(), source=page.path, by=by
        )

    return import_pages(paths, allow_missing=allow_missing, by=by, publisher=publisher if publish else None)
