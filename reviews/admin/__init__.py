"""The review workflow's admin classes and mixins, one module per screen. None is registered here:
`oracle.admin` registers every model once."""

from reviews.admin.article import ReviewPanelMixin
from reviews.admin.board import BoardMemberAdmin
from reviews.admin.checklists import ChecklistItemAdmin
from reviews.admin.comments import ReviewCommentsMixin
from reviews.admin.queue import ReviewAdmin, ReviewTransitionAdmin
from reviews.admin.rereview import ReReviewQueueAdmin
from reviews.admin.schedules import ScheduleAdmin
from reviews.admin.source_events import SourceAlertAdmin, SourceEventAdmin, SourceEventsReferenceMixin

__all__ = [
    "BoardMemberAdmin",
    "ChecklistItemAdmin",
    "ReReviewQueueAdmin",
    "ReviewAdmin",
    "ReviewCommentsMixin",
    "ReviewPanelMixin",
    "ReviewTransitionAdmin",
    "ScheduleAdmin",
    "SourceAlertAdmin",
    "SourceEventAdmin",
    "SourceEventsReferenceMixin",
]
