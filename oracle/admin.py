"""The one place every model is registered with the admin.

The apps export admin classes and mixins, lowest first (`references` ← `articles` ← `reviews` ←
`api`); the screens that several apps contribute to are composed here, so no app reaches above
itself and nothing depends on the order of INSTALLED_APPS.
"""

from django.contrib import admin

from api.admin import ApiTokenAdmin
from api.models import ApiToken
from articles import admin as articles_admin
from articles.models import (
    Article,
    ContentCheckSettings,
    ErrorReport,
    FollowUpQuestion,
    Publication,
    SitePage,
    Topic,
    Withdrawal,
)
from core.admin import EffectAdmin
from core.models import Effect
from references.admin import ReferenceAdmin as BibliographyAdmin
from references.models import Reference
from reviews import admin as reviews_admin
from reviews.admin.stages import WorkflowAdmin
from reviews.models import (
    BoardMember,
    ChecklistItem,
    ReReviewQueue,
    Review,
    ReviewTransition,
    Schedule,
    SourceAlert,
    SourceEvent,
    Workflow,
)

admin.site.site_header = "Oracle editorial"
admin.site.site_title = "Oracle editorial"
admin.site.index_title = "Answers, references and reviews"


class ArticleAdmin(reviews_admin.ReviewPanelMixin, articles_admin.ErrorReportsPanelMixin, articles_admin.ArticleAdmin):
    """The article: content (articles) with its readers' open error reports, and the review panel,
    audit trail and source alerts (reviews)."""


class ReferenceAdmin(reviews_admin.SourceEventsReferenceMixin, articles_admin.CitedReferenceMixin, BibliographyAdmin):
    """A reference: the bibliography entry, the articles citing it, and its source events."""


class ReviewAdmin(reviews_admin.ReviewCommentsMixin, reviews_admin.ReviewAdmin):
    """A review cycle: the queue, the review page and its decisions, and the comments on its content."""


REGISTRY = {
    Reference: ReferenceAdmin,
    Article: ArticleAdmin,
    Publication: articles_admin.PublicationAdmin,
    Withdrawal: articles_admin.WithdrawalAdmin,
    SitePage: articles_admin.SitePageAdmin,
    Topic: articles_admin.TopicAdmin,
    ContentCheckSettings: articles_admin.ContentCheckSettingsAdmin,
    FollowUpQuestion: articles_admin.FollowUpQuestionAdmin,
    ErrorReport: articles_admin.ErrorReportAdmin,
    Review: ReviewAdmin,
    ReviewTransition: reviews_admin.ReviewTransitionAdmin,
    BoardMember: reviews_admin.BoardMemberAdmin,
    ChecklistItem: reviews_admin.ChecklistItemAdmin,
    Workflow: WorkflowAdmin,
    ReReviewQueue: reviews_admin.ReReviewQueueAdmin,
    SourceAlert: reviews_admin.SourceAlertAdmin,
    SourceEvent: reviews_admin.SourceEventAdmin,
    Schedule: reviews_admin.ScheduleAdmin,
    ApiToken: ApiTokenAdmin,
    # Durable effects (core/tasks.py). django-tasks-db's own task-result admin is not discovered
    # (core/admin_site.py): its rows are transport; staff watch and retry effects here.
    Effect: EffectAdmin,
}

for model, model_admin in REGISTRY.items():
    admin.site.register(model, model_admin)
