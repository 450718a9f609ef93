"""The reviews app's models, one module per concept (Django finds them through this package)."""

from reviews.models.board import BoardMember
from reviews.models.checklists import ChecklistAttestation, ChecklistItem
from reviews.models.currency import ReReviewQueue, ReviewDueNotice, SourceAlert, SourceEvent, SourceEventDecision
from reviews.models.stages import ReviewStage, StageReminder, Workflow, WorkflowStage
from reviews.models.workflow import Review, ReviewApproval, ReviewTransition

__all__ = [
    "BoardMember",
    "ChecklistAttestation",
    "ChecklistItem",
    "ReReviewQueue",
    "Review",
    "ReviewApproval",
    "ReviewDueNotice",
    "ReviewStage",
    "ReviewTransition",
    "SourceAlert",
    "SourceEvent",
    "SourceEventDecision",
    "StageReminder",
    "Workflow",
    "WorkflowStage",
]
