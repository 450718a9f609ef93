import nested_admin
import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles import evidence
from articles import problems as problems_of
from articles.answer_page import answer_page_context
from articles.cadence import article_schedule_review, topic_reschedule_reviews
from articles.content import article_restore
from articles.edit_merge import merge_refused_edit
from articles.follow_ups import follow_up_make_draft
from articles.models import (
    Article,
    ArticleLocked,
    Claim,
    FollowUpQuestion,
    Publication,
    Section,
    SitePage,
    Topic,
    Withdrawal,
    assert_unlocked,
)
from articles.publishing import article_withdraw_from_public
from articles.rendering import render_body_html
from articles.snapshots import load_article, snapshot_article
from articles.templatetags.oracle import person
from references.admin import ReferenceAdmin as BaseReferenceAdmin
from references.models import Reference
from references.services import unknown_keys


class ReadOnlyAdminMixin:
    """Records: viewable by those allowed, never added, changed or deleted — by anyone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Positions are set by dragging rows (nested_admin's sortable), not typed.
ORDER_BY_DRAGGING = {
    models.PositiveIntegerField: {"widget": forms.HiddenInput},
}


def _is_locked_view(request, obj) -> bool:
    """Show a locked article read-only; a POST still reaches form validation, which refuses it
    with the editor's text kept on the page (nothing they typed is lost)."""
    article = obj.article if isinstance(obj, Section) else obj
    return bool(article is not None and getattr(article, "is_locked", False) and request.method != "POST")


class LockAwareInlineMixin:
    def has_add_permission(self, request, obj=None):
        return not _is_locked_view(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _is_locked_view(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_locked_view(request, obj) and super().has_delete_permission(request, obj)


class ArticleForm(forms.ModelForm):
    change_summary = forms.CharField(
        label=_("Change summary"),
        required=False,
        max_length=300,
        help_text=_("Optional: what you changed and why. Shown in the article's history."),
    )

    class Meta:
        model = Article
        fields = [
            "question",
            "slug",
            "topic",
            "summary_heading",
            "summary",
            "summary_patient",
            "summary_professional",
            "summary_student",
            "review_interval_months",
        ]

    # The version this form was opened at, and the newest revision then: a save from an older
    # version is refused with what changed in between (never a silent overwrite).
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edit_conflict = None
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.edit_version
            self.fields["seen_revision"].initial = _newest_revision_id(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                assert_unlocked(self.instance.pk)
            except ArticleLocked as exc:
                raise forms.ValidationError(
                    f"{exc.messages[0]} Nothing was saved; your changes are still in the form below."
                ) from None
            self._check_edit_version(cleaned)
        return cleaned

    def _check_edit_version(self, cleaned):
        # The row stays locked until the admin's transaction ends, so no save can slip in between
        # this check and ours (PostgreSQL; Article.save's compare-and-set covers the rest).
        current = (
            Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("edit_version", flat=True)
        ).first()
        seen = cleaned.get("seen_version")
        if seen == current:
            return
        if seen is None:
            raise forms.ValidationError(_("This form is out of date: reload the page and make your change again."))
        self.edit_conflict = edit_conflict(self.instance.pk, since_revision_id=cleaned.get("seen_revision"))
        # A second save, after reading what changed, is a deliberate choice to apply this version on top.
        data = self.data.copy()
        data[self.add_prefix("seen_version")] = current
        data[self.add_prefix("seen_revision")] = _newest_revision_id(self.instance.pk) or ""
        self.data = data
        who = self.edit_conflict["by"]
        raise forms.ValidationError(
            _(
                "Not saved: %(who)s saved this answer while you were editing it (you opened version %(seen)s, "
                "it is now version %(current)s). Your changes are still in the form below, and what you had "
                "not changed now shows their version; what they changed is shown above. Check it, then save "
                "again to apply your changes on top of theirs."
            )
            % {"who": who, "seen": seen, "current": current}
        )


def _newest_revision_id(article_id: int) -> int | None:
    return (
        (Version.objects.get_for_object_reference(Article, article_id).order_by("-revision_id"))
        .values_list("revision_id", flat=True)
        .first()
    )


def edit_conflict(article_id: int, *, since_revision_id: int | None) -> dict:
    """Who saved the article since `since_revision_id`, and what they changed (for the editor who lost the race)."""
    from reversion.models import Revision

    from articles.history import content_at, diff_content

    newest = Revision.objects.filter(pk=_newest_revision_id(article_id)).select_related("user").first()
    since = Revision.objects.filter(pk=since_revision_id).first() if since_revision_id else None
    if (
        since is not None
        and not Version.objects.get_for_object_reference(Article, article_id).filter(revision=since).exists()
    ):
        since = None  # not a revision of this article: compare with nothing rather than trust it
    diff = None
    if newest is not None and (since is None or since.pk != newest.pk):
        diff = diff_content(
            content_at(since, article_id),
            content_at(newest, article_id),
            old_date=since.date_created if since else None,
            new_date=newest.date_created,
        )
    return {
        "by": person(newest.user, default=_("someone")) if newest is not None else _("someone"),
        "at": newest.date_created if newest is not None else None,
        "comment": newest.comment if newest is not None else "",
        "diff": diff,
        "from_revision": since,
        "to_revision": newest,
    }


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["text", "grade", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the site's scheme is offered (a stored grade of another scheme is kept visible so
        # it can be changed, and its validation error says why).
        current = self.instance.grade
        options = [("", "—"), *evidence.choices()]
        if current and current not in dict(options):
            options.append((current, f"{current} (not in this site's scheme)"))
        self.fields["grade"].choices = options
        # Say which grades this site accepts, as the model's own validation does.
        self.fields["grade"].error_messages["invalid_choice"] = evidence.invalid_grade_message("%(value)s")
        self.fields["grade"].help_text = _("Confirm a grade (%(scheme)s); see the suggestion beside it.") % {
            "scheme": evidence.scheme()["name"]
        }


class ClaimInline(LockAwareInlineMixin, nested_admin.NestedTabularInline):
    model = Claim
    form = ClaimForm
    extra = 0
    fields = ["text", "grade", "suggested_grade", "position"]
    readonly_fields = ["suggested_grade"]
    sortable_field_name = "position"
    formfield_overrides = {
        **ORDER_BY_DRAGGING,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 100})},
    }


class SectionInline(LockAwareInlineMixin, nested_admin.NestedStackedInline):
    model = Section
    extra = 0
    fields = ["heading", "audience", "position"]
    sortable_field_name = "position"
    formfield_overrides = {
        **ORDER_BY_DRAGGING,
        models.CharField: {"widget": forms.TextInput(attrs={"size": 80})},
    }
    inlines = [ClaimInline]


def _suggested_grade(self, obj):
    code = obj.suggested_grade() if obj and obj.pk else ""
    grade = evidence.grade(code)
    if grade is None:
        return "—"
    if obj.grade == code:
        return format_html('<span class="grade-suggestion grade-suggestion--same">{} ✓</span>', grade.label)
    return format_html(
        '<span class="grade-suggestion" title="{}">{}</span>',
        _("From the kinds of the references this claim cites; confirm or choose another."),
        grade.label,
    )


ClaimInline.suggested_grade = admin.display(description=_("suggested"))(_suggested_grade)


@admin.register(Article)
class ArticleAdmin(VersionAdmin, nested_admin.NestedModelAdmin):
    form = ArticleForm
    list_display = ["question", "review_status", "is_published", "last_reviewed_on", "updated_at"]
    list_filter = ["review_status", ("current_publication", admin.EmptyFieldListFilter), "last_reviewed_on"]
    search_fields = ["question", "slug", "summary"]
    prepopulated_fields = {"slug": ["question"]}
    readonly_fields = ["citation_problems", "reader_links", "last_reviewed_on", "next_review_due", "source_alert_list"]
    inlines = [SectionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "question",
                    "slug",
                    "topic",
                    "summary_heading",
                    "summary",
                    "change_summary",
                    "seen_version",
                    "seen_revision",
                ]
            },
        ),
        (
            _("Summary for each audience"),
            {
                "fields": ["summary_patient", "summary_professional", "summary_student"],
                "description": _(
                    "Optional versions of the summary in language suited to each reader. A reader who chose an "
                    "audience sees its version where there is one, else the summary above. They are reviewed "
                    "with the rest of the article."
                ),
            },
        ),
        (_("Citations"), {"fields": ["citation_problems"]}),
        (_("Readers"), {"fields": ["reader_links", "last_reviewed_on"]}),
        (_("Re-review"), {"fields": ["review_interval_months", "next_review_due", "source_alert_list"]}),
    ]

    class Media:
        js = ["articles/admin/citation_check.js"]
        css = {"all": ["articles/admin/history.css"]}

    # Keys one live check may ask about; more than any real article cites.
    MAX_CHECKED_KEYS = 500

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("current_publication")

    def get_readonly_fields(self, request, obj=None):
        if _is_locked_view(request, obj):
            return [
                "question",
                "slug",
                "topic",
                "summary_heading",
                "summary",
                "summary_patient",
                "summary_professional",
                "summary_student",
                *self.readonly_fields,
            ]
        if obj is not None and obj.pk and obj.publications.exists():
            # Readers' links and the public permalinks depend on a published article's address.
            return ["slug", *self.readonly_fields]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if _is_locked_view(request, obj) or not self.has_change_permission(request, obj):
            # nothing to summarise, and no version to check, when nothing can be changed
            form_only = {"change_summary", "seen_version", "seen_revision"}
            return [
                (name, {**opts, "fields": [f for f in opts["fields"] if f not in form_only]})
                for name, opts in fieldsets
            ]
        return fieldsets

    # --- the change summary becomes the revision's comment -----------------------------

    def save_model(self, request, obj, form, change):
        request.oracle_change_summary = form.cleaned_data.get("change_summary", "").strip()
        super().save_model(request, obj, form, change)
        if "review_interval_months" in form.changed_data:
            article_schedule_review(obj)

    def _summarise(self, request):
        summary = getattr(request, "oracle_change_summary", "")
        if summary:
            reversion.set_comment(summary)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._summarise(request)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._summarise(request)
        return entry

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return self.prepopulated_fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            self._merge_if_refused(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _merge_if_refused(self, request, object_id):
        """Before the forms are built: a save from an older version is merged with what was saved
        since (fields this editor left alone take the newer value), so that the form they get back,
        refused, and then save again carries only their own changes."""
        current = Article.objects.filter(pk=object_id).values_list("edit_version", flat=True).first()
        seen = request.POST.get("seen_version", "")
        if current is None or not seen.isdigit() or int(seen) == current:
            return
        revision = request.POST.get("seen_revision", "")
        merge = merge_refused_edit(
            request.POST, article_id=int(object_id), base_revision_id=int(revision) if revision.isdigit() else None
        )
        if merge is not None:
            request.POST = merge.data
            request.oracle_edit_merge = merge

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.is_locked and request.method == "GET":
            messages.warning(request, f"This article is locked: {obj.lock_reason}")
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, **kwargs):
        context["citation_check_url"] = reverse("admin:articles_article_citation_check")
        context["require_cited_claims"] = settings.ORACLE_REQUIRE_CITED_CLAIMS
        conflict = getattr(context.get("adminform") and context["adminform"].form, "edit_conflict", None)
        if conflict is not None:
            merge = getattr(request, "oracle_edit_merge", None)
            conflict = {**conflict, "taken": merge.taken if merge else [], "clashes": merge.clashes if merge else []}
        context["edit_conflict"] = conflict
        obj = kwargs.get("obj")
        if _is_locked_view(request, obj):
            # nothing can be saved while locked: offer no save buttons that could only fail
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False, show_delete=False
            )
        if obj is not None and obj.current_publication_id and request.user.has_perm("articles.withdraw_article"):
            context["withdraw_url"] = reverse("admin:articles_article_withdraw_from_public", args=[obj.pk])
        return super().render_change_form(request, context, *args, **kwargs)

    def view_on_site(self, obj):
        # only a published answer has a public page
        return obj.get_absolute_url() if obj.current_publication_id else None

    @admin.display(boolean=True, description=_("published"), ordering="current_publication")
    def is_published(self, obj):
        return obj.current_publication_id is not None

    @admin.display(description=_("citation problems"))
    def citation_problems(self, obj):
        if not obj.pk:
            return _("Save the article to check its citations.")
        loaded = load_article(obj.pk)
        problems = loaded.citation_problems()
        uncited = problems_of.uncited_claims(loaded) if settings.ORACLE_REQUIRE_CITED_CLAIMS else []
        if not problems and not uncited:
            return format_html('<span class="citations-ok">✓ {}</span>', _("Every claim cites a source that exists."))
        return format_html(
            '<ul class="citation-problems">{}{}</ul>',
            format_html_join("", "<li><strong>{}</strong>: {}</li>", ((p.field, p.message) for p in problems)),
            format_html_join("", "<li>{}</li>", ((text,) for text in uncited)),
        )

    @admin.display(description=_("source alerts"))
    def source_alert_list(self, obj):
        alerts = list(obj.source_alerts.select_related("event__reference", "resolved_by")[:50]) if obj.pk else []
        if not alerts:
            return _("None: no source this answer cites has been retracted or superseded.")
        return format_html(
            '<ul class="source-alerts">{}</ul>',
            format_html_join(
                "",
                '<li class="{}"><a href="{}">{}</a> — {}</li>',
                (
                    (
                        "source-alert--open" if a.is_open else "source-alert--resolved",
                        reverse("admin:reviews_sourcealert_change", args=[a.pk]),
                        str(a.event),
                        _("open") if a.is_open else f"{a.get_resolution_display()} ({a.resolution_comment})",
                    )
                    for a in alerts
                ),
            ),
        )

    @admin.display(description=_("reader pages"))
    def reader_links(self, obj):
        if not obj.pk:
            return "—"
        preview = reverse("admin:articles_article_preview", args=[obj.pk])
        if obj.current_publication_id:
            return format_html(
                '<a href="{}">{}</a> · <a href="{}">{}</a>',
                obj.get_absolute_url(),
                _("Published page"),
                preview,
                _("Preview this draft"),
            )
        return format_html('{} · <a href="{}">{}</a>', _("Not published"), preview, _("Preview this draft"))

    def get_urls(self):
        return [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="articles_article_preview"),
            path("<int:pk>/history/diff/", self.admin_site.admin_view(self.diff_view), name="articles_article_diff"),
            path(
                "<int:pk>/withdraw-from-public/",
                self.admin_site.admin_view(require_POST(self.withdraw_from_public_view)),
                name="articles_article_withdraw_from_public",
            ),
            path(
                "<int:pk>/history/<int:revision_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name="articles_article_restore",
            ),
            path(
                "citation-check/",
                self.admin_site.admin_view(self.citation_check_view),
                name="articles_article_citation_check",
            ),
        ] + super().get_urls()

    # --- history, diff and restore -----------------------------------------------------------

    HISTORY_PAGE_SIZE = 100

    def review_states_at(self, article, dates) -> list[str]:
        """The review state the article was in at each date; the review workflow fills this in."""
        return [""] * len(dates)

    def _article_or_404(self, request, pk, *, change=False):
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = (
            self.has_change_permission(request, article)
            if change
            else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        """Every version: who, when, comment, the review state then; pick two to compare."""
        article = self._article_or_404(request, object_id)
        versions = Version.objects.get_for_object(article).select_related("revision__user__board_member")
        page = Paginator(versions, self.HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        # the version just older than this page's last row, for its "changes" link
        older = list(versions[page.end_index() : page.end_index() + 1]) if rows else []
        previous = ([v.revision_id for v in rows[1:] + older] + [None])[: len(rows)]
        states = self.review_states_at(article, [v.revision.date_created for v in rows])
        published = dict(article.publications.exclude(revision=None).values_list("revision_id", "number"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"History: {article}",
            "page": page,
            "rows": [
                {
                    "version": v,
                    "revision": v.revision,
                    "previous_revision_id": prev,
                    "state": state,
                    "published_as": published.get(v.revision_id),
                }
                for v, state, prev in zip(rows, states, previous, strict=True)
            ],
            "can_restore": self.has_change_permission(request, article) and not article.is_locked,
            "diff_url": reverse("admin:articles_article_diff", args=[article.pk]),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "articles/admin/history.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # reversion's own view reverts in place inside a rolled-back transaction; ours never do.
        return redirect("admin:articles_article_history", object_id)

    def diff_view(self, request, pk):
        """Field by field, word by word: what changed between two revisions (or since nothing)."""
        from articles.history import content_at, diff_content

        article = self._article_or_404(request, pk)
        revisions = {}
        for name in ("from", "to"):
            value = request.GET.get(name, "")
            if value in ("", "0"):
                revisions[name] = None
                continue
            if not value.isdigit():
                return HttpResponseBadRequest(f"“{name}” must be a revision number.")
            version = (
                Version.objects.get_for_object(article)
                .filter(revision_id=int(value))
                .select_related("revision__user")
                .first()
            )
            if version is None:
                raise Http404(f"Revision {value} is not a version of this article.")
            revisions[name] = version.revision
        if revisions["to"] is None:
            return HttpResponseBadRequest("Choose the newer version to compare (“to”).")
        old = content_at(revisions["from"], article.pk)
        new = content_at(revisions["to"], article.pk)
        diff = diff_content(
            old,
            new,
            old_date=revisions["from"].date_created if revisions["from"] else None,
            new_date=revisions["to"].date_created,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Changes: {article}",
            "from_revision": revisions["from"],
            "to_revision": revisions["to"],
            "diff": diff,
            "history_url": reverse("admin:articles_article_history", args=[article.pk]),
        }
        return TemplateResponse(request, "articles/admin/diff.html", context)

    def withdraw_from_public_view(self, request, pk):
        article = self._article_or_404(request, pk)
        try:
            article_withdraw_from_public(article=article, by=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request, "The answer is withdrawn from public view; readers following a link see your reason."
            )
        return redirect("admin:articles_article_change", article.pk)

    def delete_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None and article.publications.exists():
            messages.error(
                request,
                "This article has been published, and published answers are never deleted: readers' links and "
                "the record of what they were shown depend on it. Withdraw it from public view instead.",
            )
            return redirect("admin:articles_article_change", article.pk)
        return super().delete_view(request, object_id, extra_context)

    def restore_view(self, request, pk, revision_id):
        article = self._article_or_404(request, pk, change=True)
        version = (
            Version.objects.get_for_object(article).filter(revision_id=revision_id).select_related("revision").first()
        )
        if version is None:
            raise Http404("Not a version of this article.")
        try:
            article_restore(article=article, revision=version.revision, by=request.user)
        except ArticleLocked as exc:
            messages.error(request, f"Cannot restore: {exc.messages[0]}")
            return redirect("admin:articles_article_history", article.pk)
        messages.success(
            request, f"Restored the version of {version.revision.date_created:%Y-%m-%d %H:%M} as a new draft revision."
        )
        return redirect("admin:articles_article_change", article.pk)

    def citation_check_view(self, request):
        """Which of the given reference keys exist: feeds the live citation list on the form."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        keys = request.GET.getlist("key")
        if len(keys) > self.MAX_CHECKED_KEYS:
            return JsonResponse({"error": f"At most {self.MAX_CHECKED_KEYS} keys per check."}, status=400)
        return JsonResponse({"unknown": unknown_keys(keys)})

    def preview_view(self, request, pk):
        """The working copy rendered exactly as the public page will render it once published."""
        article = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        article = load_article(article.pk)
        content = snapshot_article(article)
        context = answer_page_context(
            question=article.question,
            summary=article.summary,
            body_html=render_body_html(content),
            reviewed_on=article.last_reviewed_on,
            review_state="draft",
            page_path=request.path,
            is_preview=True,
        )
        context.update(
            self.admin_site.each_context(request),
            article=article,
            problems=article.citation_problems(),
            opts=self.opts,
        )
        return TemplateResponse(request, "articles/article_preview.html", context)


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Publications are immutable: listed and viewed, never added, changed or deleted here."""

    list_display = ["question", "number", "origin", "reviewed_on", "published_at", "published_by"]
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
        "published_by",
        "change_summary",
    ]
    readonly_fields = fields


@admin.register(SitePage)
class SitePageAdmin(VersionAdmin):
    """Trust pages: staff edit the text; every change is kept in the page's history."""

    list_display = ["title", "slug", "updated_at"]
    fields = ["slug", "title", "body"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "review_interval_months"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "review_interval_months" in form.changed_data:
            topic_reschedule_reviews(obj)


@admin.register(FollowUpQuestion)
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


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["article", "at", "by", "reason"]
    list_select_related = ["article", "by"]
    fields = ["article", "publication", "at", "by", "reason"]
    readonly_fields = fields


@admin.register(Reference)
class ReferenceAdmin(BaseReferenceAdmin):
    readonly_fields = ["cited_by", *BaseReferenceAdmin.readonly_fields]
    fieldsets = [*BaseReferenceAdmin.fieldsets, (_("Cited by"), {"fields": ["cited_by"]})]

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
