"""The reviews app's models, one module per concept (Django finds them through this package)."""

from reviews.models.board import BoardMember
from reviews.models.checklists import ChecklistAttestation, ChecklistItem
from reviews.models.comments import Comment, CommentEvent, CommentThread
from reviews.models.currency import ReReviewQueue, ReviewDueNotice, SourceAlert, SourceEvent, SourceEventDecision
from reviews.models.disclosures import Disclosure
from reviews.models.schedules import Schedule, ScheduleEvent
from reviews.models.stages import ReviewStage, StageReminder, Workflow, WorkflowStage
from reviews.models.workflow import Review, ReviewApproval, ReviewTransition

__all__ = [
    "BoardMember",
    "ChecklistAttestation",
    "ChecklistItem",
    "Disclosure",
    "Comment",
    "CommentEvent",
    "CommentThread",
    "ReReviewQueue",
    "Review",
    "ReviewApproval",
    "ReviewDueNotice",
    "ReviewStage",
    "ReviewTransition",
    "Schedule",
    "ScheduleEvent",
    "SourceAlert",
    "SourceEvent",
    "SourceEventDecision",
    "StageReminder",
    "Workflow",
    "WorkflowStage",
]
