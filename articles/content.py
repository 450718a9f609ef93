"""What an answer's content is, and the one way it is replaced.

The content fields are declared here once — the summary's audience versions derived from the
audiences — and every list of them (the admin form, the locked read-only view, the history and its
diffs, the merge of a refused edit, restore) reads them from here. Sections and claims are replaced
by `content_build` + `content_save` only: the write API's drafts, the importer and restoring a
past version all go through them.
"""

import reversion
from django.db import transaction
from django.utils import timezone

from articles.audiences import READERS, Audience
from articles.change_notes import parse_day
from articles.models import Article, Claim, Section, assert_unlocked

SUMMARY_VARIANT_FIELDS = tuple(f"summary_{audience}" for audience in Audience.values)
# (field, label), in the order editors see them; what the history and its diffs compare.
CONTENT_FIELDS = (
    ("question", "Question"),
    ("slug", "Address (slug)"),
    ("summary_heading", "Summary heading"),
    ("summary", "Summary answer"),
    *((f"summary_{a}", f"Summary for {READERS[a]}") for a in Audience.values),
    ("literature_through", "Literature reviewed through"),
)
# Content fields that are dates: in histories and diffs as ISO text ("" when empty).
DATE_FIELDS = ("literature_through",)
# What the article form edits: the content fields, with the topic after the address, and the
# answer's own re-review interval.
FORM_FIELDS = (
    "question",
    "slug",
    "topic",
    "summary_heading",
    "summary",
    *SUMMARY_VARIANT_FIELDS,
    "literature_through",
    "review_interval_months",
)
# What changing an answer's content takes (the write API checks them; the Editors role has them).
EDIT_CONTENT_PERMISSIONS = (
    "articles.change_article",
    "articles.add_section",
    "articles.change_section",
    "articles.delete_section",
    "articles.add_claim",
    "articles.change_claim",
    "articles.delete_claim",
)
# The article's own text fields that restore and the import set (the slug has rules of its own).
TEXT_FIELDS = tuple(name for name, _ in CONTENT_FIELDS if name != "slug")


def content_build(article: Article, sections: list[dict]) -> list[tuple[Section, list[Claim]]]:
    """The sections and claims `article` should have, built (not saved) from `sections`
    ([{"heading", "audience"?, "id"?, "claims": [{"text", "grade"?, "id"?}]}]).

    Existing rows are reused — by "id" when given (restoring a version puts each row back under
    its own id), else by position — so the history's diffs compare a claim with its own earlier
    text. A claim keeps its evidence grade only while its text is unchanged, unless the input
    gives one: an editor confirmed the grade for the old statement, not for a new one.
    """
    existing = list(article.sections.prefetch_related("claims")) if article.pk else []
    by_id = {section.pk: section for section in existing}
    claims_by_id = {claim.pk: claim for section in existing for claim in section.claims.all()}
    built = []
    for s_pos, given in enumerate(sections):
        if given.get("id"):
            section = by_id.get(given["id"]) or Section(pk=given["id"])
            old_claims = list(section.claims.all()) if section.pk in by_id else []
        elif s_pos < len(existing):
            section, old_claims = existing[s_pos], list(existing[s_pos].claims.all())
        else:
            section, old_claims = Section(), []
        section.heading, section.audience, section.position = given["heading"], given.get("audience") or "", s_pos
        claims = []
        for c_pos, given_claim in enumerate(given.get("claims", [])):
            if given_claim.get("id"):
                claim = claims_by_id.get(given_claim["id"]) or Claim(pk=given_claim["id"])
            else:
                claim = old_claims[c_pos] if c_pos < len(old_claims) else Claim()
            if "grade" in given_claim:
                claim.grade = given_claim["grade"] or ""
            elif claim.text != given_claim["text"]:
                claim.grade = ""
            claim.text, claim.position = given_claim["text"], c_pos
            claims.append(claim)
        built.append((section, claims))
    return built


def content_save(article: Article, built: list[tuple[Section, list[Claim]]]) -> None:
    """Save what `content_build` built and delete every other section and claim of the article."""
    kept_sections, kept_claims = [], []
    for section, claims in built:
        section.article = article
        section.save()
        kept_sections.append(section.pk)
        for claim in claims:
            claim.section = section
            claim.save()
            kept_claims.append(claim.pk)
    Claim.objects.filter(section__article=article).exclude(pk__in=kept_claims).delete()
    article.sections.exclude(pk__in=kept_sections).delete()
    # Re-add the article last so the revision follows exactly the sections and claims it now has.
    if reversion.is_active():
        reversion.add_to_revision(article)


def content_replace(article: Article, sections: list[dict]) -> None:
    content_save(article, content_build(article, sections))


def article_restore(*, article: Article, revision, by) -> Article:
    """Make a past version the working copy again, as a new revision (history is never rewritten).

    Refused while the article is locked by an open review. A published article keeps its
    address: readers' links and permalinks depend on it.
    """
    from articles.history import content_at

    content = content_at(revision, article.pk)
    with transaction.atomic():
        current = Article.objects.select_for_update().get(pk=article.pk)
        assert_unlocked(current.pk)
        with reversion.create_revision():
            reversion.set_user(by)
            when = timezone.localtime(revision.date_created)
            reversion.set_comment(f"Restored the version of {when:%Y-%m-%d %H:%M} (revision {revision.pk})")
            for name in TEXT_FIELDS:
                setattr(current, name, parse_day(content[name]) if name in DATE_FIELDS else content[name])
            if not current.publications.exists():
                current.slug = content["slug"]
            current.save()
            content_replace(current, content["sections"])
    return current
