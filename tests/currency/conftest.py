"""Shared for keeping answers current: an answer approved by the board, and re-approving it."""

from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article
from reviews.services import review_approve, review_start, review_submit


def reapprove(article, *, editor, board, change_summary="Update") -> Article:
    """Take the article's working copy through a whole review cycle; the article, re-read."""
    review = review_submit(article=article, by=editor, change_summary=change_summary)
    review_start(review=review, by=board)
    review_approve(review=review, by=board)
    return Article.objects.select_related("current_publication").get(pk=article.pk)


def published_file(article) -> Path:
    return Path(settings.ORACLE_PUBLISH_DIR) / "articles" / article.slug / "index.html"


@pytest.fixture
def approved(under_review, board_member):
    review_approve(review=under_review, by=board_member)
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)
