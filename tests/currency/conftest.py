"""Shared for keeping answers current: an answer approved by the board."""

import pytest

from articles.models import Article
from reviews.services import review_approve


@pytest.fixture
def approved(under_review, board_member):
    review_approve(review=under_review, by=board_member)
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)
