"""Review workflows in the admin: the board sets, per topic or site-wide, the ordered stages a
cycle goes through (name, the group that signs it, quorum, required, due days). A cycle copies
them when submitted, so an edit here changes only the cycles submitted afterwards. The stages of
one cycle are shown read-only on its review (`ReviewStageInline`)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import LabelledInlineMixin, ReadOnlyAdminMixin
from core.people import display_name
from reviews.models import ReviewStage, WorkflowStage


class WorkflowStageInline(LabelledInlineMixin, admin.TabularInline):
    model = WorkflowStage
    fields = ["position", "name", "group", "quorum", "required", "due_days"]
    extra = 0
    min_num = 1


class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "topic_or_site", "stage_names"]
    list_select_related = ["topic"]
    search_fields = ["name", "topic__name"]
    fields = ["name", "topic"]
    inlines = [WorkflowStageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stages")

    @admin.display(description=_("for"), ordering="topic__name")
    def topic_or_site(self, obj):
        return obj.topic or _("Every topic without a workflow of its own (site-wide)")

    @admin.display(description=_("stages, in order"))
    def stage_names(self, obj):
        return " → ".join(
            f"{s.name}{'' if s.required else ' (optional)'}" for s in sorted(obj.stages.all(), key=lambda s: s.position)
        )


class ReviewStageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewStage
    fields = [
        "position",
        "name",
        "group",
        "required",
        "quorum_shown",
        "state",
        "assignee_name",
        "due_at",
        "completed_at",
    ]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "assignee__board_member")

    @admin.display(description=_("quorum"))
    def quorum_shown(self, obj):
        return obj.required_quorum

    @admin.display(description=_("assignee"))
    def assignee_name(self, obj):
        return display_name(obj.assignee, default="—")
