"""The articles app's admin classes, one module per screen. None is registered here: `oracle.admin`
registers every model once, composing these with the review workflow's mixins."""

from articles.admin.article import ArticleAdmin
from articles.admin.checks import ContentCheckSettingsAdmin
from articles.admin.error_reports import ErrorReportAdmin, ErrorReportsPanelMixin
from articles.admin.records import (
    CitedReferenceMixin,
    FollowUpQuestionAdmin,
    PublicationAdmin,
    SitePageAdmin,
    TopicAdmin,
    WithdrawalAdmin,
)

__all__ = [
    "ArticleAdmin",
    "CitedReferenceMixin",
    "ContentCheckSettingsAdmin",
    "ErrorReportAdmin",
    "ErrorReportsPanelMixin",
    "FollowUpQuestionAdmin",
    "PublicationAdmin",
    "SitePageAdmin",
    "TopicAdmin",
    "WithdrawalAdmin",
]
