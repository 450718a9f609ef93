"""The articles app's models, one module per concept (Django finds them through this package)."""

from articles.models.checks import ContentCheckSettings, Severity
from articles.models.content import MAX_CLAIM_CHARS, MAX_SUMMARY_CHARS, Article, Claim, ReviewStatus, Section, Topic
from articles.models.lock import ArticleLocked, EditConflict, assert_unlocked
from articles.models.publications import Publication, PublicationCitation, RelatedAnswer, Withdrawal
from articles.models.readers import ErrorReport, ErrorReportEvent, FollowUpQuestion, SitePage

__all__ = [
    "MAX_CLAIM_CHARS",
    "MAX_SUMMARY_CHARS",
    "Article",
    "ArticleLocked",
    "Claim",
    "ContentCheckSettings",
    "EditConflict",
    "ErrorReport",
    "ErrorReportEvent",
    "FollowUpQuestion",
    "Publication",
    "PublicationCitation",
    "RelatedAnswer",
    "ReviewStatus",
    "Section",
    "Severity",
    "SitePage",
    "Topic",
    "Withdrawal",
    "assert_unlocked",
]
