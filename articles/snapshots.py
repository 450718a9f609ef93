"""Freezing the working copy into plain data: what a publication (and a preview) renders."""

from django.db.models import Prefetch

from articles.models import Article, Claim, Section
from references.citations import extract_keys
from references.models import Reference


def load_article(pk: int) -> Article:
    """The article with its sections and claims, in three queries whatever their number."""
    return Article.objects.prefetch_related(
        Prefetch(
            "sections", queryset=Section.objects.prefetch_related(Prefetch("claims", queryset=Claim.objects.all()))
        )
    ).get(pk=pk)


def snapshot_article(article: Article) -> dict:
    sections = [
        {
            "heading": section.heading,
            "audience": section.audience,
            # a grade only when set, so ungraded content keeps the fingerprint it always had
            "claims": [
                {"text": claim.text, **({"grade": claim.grade} if claim.grade else {})}
                for claim in section.claims.all()
            ],
        }
        for section in article.sections.all()
    ]
    variants = article.summary_variants()
    texts = [article.summary, *variants.values()] + [
        claim["text"] for section in sections for claim in section["claims"]
    ]
    keys = list(dict.fromkeys(key for text in texts for key in extract_keys(text)))
    references = {ref.key: ref.as_snapshot() for ref in Reference.objects.filter(key__in=keys)}
    return {
        "question": article.question,
        "slug": article.slug,
        "summary_heading": article.summary_heading,
        "summary": article.summary,
        "summary_variants": variants,
        "sections": sections,
        # only the cited references, in citation order
        "references": {key: references[key] for key in keys if key in references},
        # only when set, so content without it keeps the fingerprint it always had
        **({"literature_through": article.literature_through.isoformat()} if article.literature_through else {}),
    }
