import pytest
from django.core.exceptions import ValidationError

from articles.models import Article, Publication
from articles.publishing import PublishRefused, article_publish
from tests.helpers import ArticleFactory, ClaimFactory, SectionFactory, make_article

pytestmark = pytest.mark.django_db


def test_publishing_freezes_content_and_numbers_versions():
    article = make_article()

    first = article_publish(article=article, origin=Publication.Origin.APPROVAL)
    second = article_publish(article=article, origin=Publication.Origin.APPROVAL, change_summary="Re-review")

    article.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert article.current_publication == second
    assert first.content["sections"][0]["claims"][0]["text"].startswith("Claim 1.1")
    assert 'id="ref-1"' in first.html


def test_publication_cannot_be_changed_after_it_is_made():
    publication = article_publish(article=make_article(), origin=Publication.Origin.APPROVAL)
    publication.question = "Rewritten"

    with pytest.raises(ValidationError, match="immutable"):
        publication.save()

    assert Publication.objects.get(pk=publication.pk).question != "Rewritten"


def test_unknown_citation_blocks_publication_naming_key_and_place():
    article = ArticleFactory(summary="Answer.")
    ClaimFactory(section=SectionFactory(article=article, heading="Risks"), text="Risky [@ghost-2020]")

    with pytest.raises(PublishRefused) as excinfo:
        article_publish(article=article, origin=Publication.Origin.APPROVAL)

    assert excinfo.value.messages == ["Section 1 “Risks”, claim 1: unknown reference key “ghost-2020”"]
    assert not Publication.objects.exists()
    assert Article.objects.get(pk=article.pk).current_publication is None


def test_an_article_without_sections_cannot_be_published():
    with pytest.raises(PublishRefused, match="no sections"):
        article_publish(article=ArticleFactory(), origin=Publication.Origin.APPROVAL)


def test_published_article_cannot_be_deleted_while_publications_exist():
    from django.db.models import ProtectedError

    article = make_article()
    article_publish(article=article, origin=Publication.Origin.APPROVAL)

    with pytest.raises(ProtectedError):
        Article.objects.get(pk=article.pk).delete()


def test_model_validation_names_the_unknown_key_and_the_field():
    article = ArticleFactory.build(summary="See [@nobody-1999; @nobody-2000]")

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert excinfo.value.message_dict["summary"] == [
        "Unknown reference key “nobody-1999” in the summary answer.",
        "Unknown reference key “nobody-2000” in the summary answer.",
    ]


def test_claim_validation_names_the_unknown_key_and_the_claim():
    claim = ClaimFactory.build(section=SectionFactory(), text="Works well [@nope]")

    with pytest.raises(ValidationError) as excinfo:
        claim.full_clean()

    assert excinfo.value.message_dict["text"] == ["Unknown reference key “nope” in claim “Works well [@nope]”."]
