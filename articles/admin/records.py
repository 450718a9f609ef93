"""Admin screens for the articles app's other models: publications and withdrawals (records, read
only), trust pages, topics, readers' follow-up questions, and what the bibliography shows of the
articles citing a reference."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from articles.cadence import topic_reschedule_reviews
from articles.follow_ups import follow_up_make_draft
from articles.models import Article, FollowUpQuestion
from core import people
from core.admin import ReadOnlyAdminMixin, person_column


class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Publications are immutable: listed and viewed, never added, changed or deleted here."""

    list_display = ["question", "number", "origin", "reviewed_on", "published_at", "published_by_name"]
    list_filter = ["origin", "reviewed_on"]
    search_fields = ["question", "article__slug"]
    list_select_related = ["published_by"]
    fields = [
        "article",
        "number",
        "question",
        "origin",
        "reviewed_on",
        "published_at",
        "published_by_name",
        "change_summary",
        "how_it_was_made",
    ]
    readonly_fields = fields
    published_by_name = person_column("published_by", _("published by"))

    @admin.display(description=_("how it was made"))
    def how_it_was_made(self, obj):
        """What readers are told, and for staff only: each editor's and client's words added and
        removed since the previous version (articles/provenance.py)."""
        from articles.provenance import provenance_sentence

        provenance = obj.provenance or {}
        if not provenance:
            return _("Not recorded (published before provenance was).")
        since = provenance.get("since_version")
        rows = [
            (e["name"], _("editor"), e["added"], e["removed"], e["saves"]) for e in provenance.get("editors") or ()
        ] + [
            (
                c["client"],
                f"{c['kind']}" + (f": {c['system']}" if c.get("system") else ""),
                c["added"],
                c["removed"],
                c["saves"],
            )
            for c in provenance.get("clients") or ()
        ]
        table = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((who, kind, f"+{a}" if a else "0", f"−{r}" if r else "0", saves) for who, kind, a, r, saves in rows),
        )
        return format_html(
            '<p>{}</p><p>{}</p><div class="provenance-table" role="region" tabindex="0" aria-label="{}"><table><caption>{}</caption><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table></div>',
            _("Readers see:"),
            provenance_sentence(obj),
            _("Words changed per person"),
            _("Changes since version %(n)s") % {"n": since} if since else _("Changes since the article was created"),
            _("who"),
            _("as"),
            _("words added"),
            _("words removed"),
            _("saves"),
            table,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*people.related("published_by"))


class SitePageAdmin(VersionAdmin):
    """Trust pages: staff edit the text; every change is kept in the page's history."""

    list_display = ["title", "slug", "updated_at"]
    fields = ["slug", "title", "body"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "review_interval_months"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "review_interval_months" in form.changed_data:
            topic_reschedule_reviews(obj)


class FollowUpQuestionAdmin(admin.ModelAdmin):
    """Readers' questions: triage them, and turn one into a new draft answer in one action."""

    list_display = ["short_text", "article", "status", "audience", "created_at", "draft_link"]
    list_filter = ["status", "audience", "created_at"]
    list_select_related = ["article", "draft"]
    search_fields = ["text", "article__question"]
    date_hierarchy = "created_at"
    fields = ["article", "text", "email", "audience", "created_at", "status", "draft_link"]
    readonly_fields = ["article", "text", "email", "audience", "created_at", "draft_link"]
    actions = ["make_draft", "mark_answered", "mark_dismissed"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("question"))
    def short_text(self, obj):
        return str(obj)

    @admin.display(description=_("draft answer"))
    def draft_link(self, obj):
        if not obj.draft_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[obj.draft_id]), obj.draft
        )

    @admin.action(description=_("Create a draft answer from the selected questions"), permissions=["make_draft"])
    def make_draft(self, request, queryset):
        for question in queryset.select_related("article"):
            if question.draft_id:
                self.message_user(request, f"“{question}” already has a draft: {question.draft}.", messages.WARNING)
                continue
            draft = follow_up_make_draft(question=question, by=request.user)
            self.message_user(
                request,
                format_html(
                    'Created the draft <a href="{}">{}</a>.',
                    reverse("admin:articles_article_change", args=[draft.pk]),
                    draft,
                ),
                messages.SUCCESS,
            )

    def has_make_draft_permission(self, request):
        return request.user.has_perm("articles.add_article")

    @admin.action(description=_("Mark as answered"), permissions=["change"])
    def mark_answered(self, request, queryset):
        self._set_status(request, queryset, FollowUpQuestion.Status.ANSWERED)

    @admin.action(description=_("Dismiss"), permissions=["change"])
    def mark_dismissed(self, request, queryset):
        self._set_status(request, queryset, FollowUpQuestion.Status.DISMISSED)

    def _set_status(self, request, queryset, status):
        for question in queryset:
            question.status = status
            question.save(update_fields=["status"])
        self.message_user(
            request, f"{queryset.count()} question(s) marked {FollowUpQuestion.Status(status).label.lower()}."
        )


class WithdrawalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["article", "at", "by_name", "reason"]
    fields = ["article", "publication", "at", "by_name", "reason"]
    readonly_fields = fields
    by_name = person_column("by", _("by"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", *people.related("by"))


class CitedReferenceMixin:
    """For the reference admin: which articles cite it, and no deleting one a publication cites."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "cited_by"]

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), (_("Cited by"), {"fields": ["cited_by"]})]

    def delete_view(self, request, object_id, extra_context=None):
        reference = self.get_object(request, object_id)
        if reference is not None:
            citing = list(reference.publication_citations.select_related("publication")[:5])
            if citing:
                messages.error(
                    request,
                    "This reference cannot be deleted: published answers cite it, and what readers were shown must "
                    "stay traceable to its sources. It is " + "; ".join(str(c) for c in citing) + ".",
                )
                return redirect("admin:references_reference_change", reference.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description=_("cited by"))
    def cited_by(self, obj):
        if not obj.pk:
            return "—"
        citing = Article.objects.citing(obj.key)
        if not citing:
            return _("Not cited by any article.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                ((reverse("admin:articles_article_change", args=[a.pk]), a.question) for a in citing),
            ),
        )
