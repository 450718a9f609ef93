"""What readers may see of an answer: the one lookup with its 404 and 410 rules, for the public
pages and the API alike.

An answer is public while it has a current publication. A withdrawn one is gone (410, with the
reason readers are given); anything else — never published, a draft — does not exist for readers
(404), except, with `ORACLE_SHOW_PENDING`, a never-approved answer whose first review is open.
"""

import re

from django.conf import settings
from django.http import Http404

from articles.models import Article

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")
NOT_FOUND = "No published answer at this address."


class AnswerWithdrawn(Exception):
    """The answer was withdrawn from public view: `withdrawal` says when and why."""

    def __init__(self, article, withdrawal):
        self.article, self.withdrawal = article, withdrawal
        super().__init__(withdrawal.reason)


def current_answer(slug: str, queryset=None, *, allow_pending: bool = False) -> Article:
    """The article at `slug`, with the publication readers see now as `current_publication`.

    Raises Http404, or AnswerWithdrawn. With `allow_pending` (and ORACLE_SHOW_PENDING on), a
    never-approved article in its first open review is returned with no publication.
    """
    if not SLUG_RE.match(slug):
        raise Http404(NOT_FOUND)
    queryset = queryset if queryset is not None else Article.objects.select_related("current_publication")
    article = queryset.filter(slug=slug).first()
    if article is None:
        raise Http404(NOT_FOUND)
    if article.current_publication_id is None:
        withdrawal = article.withdrawals.select_related("publication").first()
        if withdrawal is not None:
            raise AnswerWithdrawn(article, withdrawal)
        if not (allow_pending and settings.ORACLE_SHOW_PENDING and article.has_open_review):
            raise Http404(NOT_FOUND)
    return article
