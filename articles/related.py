"""Related answers: up to three other answers listed on each answer page, chosen when the page is
rendered (same topic first, then text similarity: `articles.search.similar_publications`), so
serving the page stays one lookup.

A page's list is derived data, stored twice: `Publication.related_answers` (what the renderer
shows, no query) and `RelatedAnswer` rows (which pages list an answer). A withdrawal re-renders,
in its own transaction, every page that lists the withdrawn answer (`related_drop`); a new
publication enqueues `refresh_related_answers`, which re-renders the pages that list it (its
question may have changed) or should now list it (its topic's answers, the answers most like it).
Each re-render retires the page's cached copies and re-writes its static file
(`publication_rerender_page` → `answer_pages_changed`).
"""

from django.db import transaction

from articles.search import CANDIDATES, similar_publications
from core.tasks import effect

RELATED_LIMIT = 3
# Pages checked when an answer is published, beyond those already listing it: its topic's
# newest answers and the answers whose text is most like it.
SHOULD_LIST_CANDIDATES = 50


def _text_of(question: str, summary_text: str) -> str:
    return f"{question} {summary_text}"


def related_for(*, article_id: int, topic_id: int | None, text: str) -> list[dict]:
    """What the page of `article_id` lists now: answers readers can see (current publications of
    other articles), those of its topic first, each group best match first."""
    from articles.models import Publication

    visible = (
        Publication.objects.current()
        .exclude(article_id=article_id)
        .select_related("article")
        .only("question", "published_at", "article__slug", "article__topic_id")
    )
    chosen = []
    if topic_id is not None:
        chosen = similar_publications(
            visible.filter(article__topic_id=topic_id), text, limit=RELATED_LIMIT, require_match=False
        )
    if len(chosen) < RELATED_LIMIT:
        others = visible.exclude(article_id__in=[p.article_id for p in chosen])
        chosen += similar_publications(others, text, limit=RELATED_LIMIT - len(chosen))
    return [{"article_id": p.article_id, "slug": p.article.slug, "question": p.question} for p in chosen]


def related_of(publication, article) -> list[dict]:
    return related_for(
        article_id=article.pk,
        topic_id=article.topic_id,
        text=_text_of(publication.question, publication.summary_text),
    )


def related_links_write(publication, related: list[dict]) -> None:
    """The reverse index of a publication's list (its `related_answers` is written by the caller)."""
    from articles.models import RelatedAnswer

    RelatedAnswer.objects.filter(publication=publication).delete()
    RelatedAnswer.objects.bulk_create(
        RelatedAnswer(publication=publication, article_id=item["article_id"], position=i)
        for i, item in enumerate(related, start=1)
    )


def related_refresh(publication, article) -> bool:
    """Choose the current publication's related answers again; when the list changed, store it
    and re-render the page (retiring its caches and re-writing its file). Whether it changed.
    The publication's row is locked first: two refreshes of one page at once take turns."""
    from articles.models import Publication
    from articles.publishing import publication_rerender_page

    publication.related_answers = (
        Publication.objects.select_for_update().only("related_answers").get(pk=publication.pk).related_answers
    )
    related = related_of(publication, article)
    if related == publication.related_answers:
        return False
    Publication.objects.filter(pk=publication.pk).update(related_answers=related)
    publication.related_answers = related
    related_links_write(publication, related)
    publication_rerender_page(publication, article=article)
    return True


def _listing(article_id: int):
    from articles.models import Publication

    return Publication.objects.current().filter(related_links__article_id=article_id).select_related("article")


def related_drop(*, article_id: int) -> int:
    """In a withdrawal's transaction (the answer is no longer current): every page listing it
    chooses again and is re-rendered, so no reader page links to it once the withdrawal commits."""
    return sum(related_refresh(p, p.article) for p in _listing(article_id))


@effect
def refresh_related_answers(*, article_id: int) -> None:
    """After `article_id` was published or withdrawn (run once both that and any transaction
    racing it have committed): its own page and the pages that list it or should list it choose
    again. What makes a race converge: a page published while the answer it lists was being
    withdrawn is refreshed by its own publication's run of this effect (if the withdrawal
    committed first) or by the withdrawal's (which then sees the page's committed list)."""
    from articles.models import Article, Publication

    article = Article.objects.select_related("current_publication").filter(pk=article_id).first()
    pages = {p.pk: p for p in _listing(article_id)}
    if article is not None and article.current_publication is not None:
        own = Publication.objects.select_related("article").get(pk=article.current_publication_id)
        pages.setdefault(own.pk, own)
        current = Publication.objects.current().exclude(article_id=article_id).select_related("article")
        publication = article.current_publication
        candidates = similar_publications(
            current, _text_of(publication.question, publication.summary_text), limit=SHOULD_LIST_CANDIDATES
        )
        if article.topic_id is not None:
            candidates += list(
                current.filter(article__topic_id=article.topic_id).order_by("-published_at")[:CANDIDATES]
            )
        for p in candidates:
            pages.setdefault(p.pk, p)
    for page in pages.values():
        with transaction.atomic():
            related_refresh(page, page.article)
