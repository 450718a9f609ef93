"""The article admin: the change form editors work in, its previews (the live one beside the form), citing by
search, the live citation check and withdrawal.

Not registered here: `oracle.admin` registers every model once, composing this class with the
review workflow's panel (`reviews.admin`).
"""

import nested_admin
import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from reversion.admin import VersionAdmin

from articles import problems
from articles.admin.checks import checks_panel_context, content_checks_view, saved_form_boxes
from articles.admin.cite import NewReferenceForm, cite_search_view, new_reference_view
from articles.admin.form_toc import form_toc
from articles.admin.forms import ArticleForm
from articles.admin.history import ArticleHistoryMixin
from articles.admin.inlines import SectionInline, is_locked_view
from articles.admin.live_preview import content_from_form, live_preview_view
from articles.answer_page import preview_context
from articles.audiences import Audience
from articles.cadence import article_schedule_review
from articles.content import FORM_FIELDS, SUMMARY_VARIANT_FIELDS
from articles.edit_merge import merge_refused_edit
from articles.models import Article
from articles.publishing import article_withdraw_from_public
from articles.snapshots import load_article, snapshot_article
from references.services import unknown_keys


class IdsFirstPaginator(Paginator):
    """A page of a long list in two steps: the page's ids from the ordering's index alone (an
    index-only scan skips a deep offset cheaply: page 500 of 100,000 articles), then those rows,
    with what they join, only."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


class ArticleAdmin(ArticleHistoryMixin, VersionAdmin, nested_admin.NestedModelAdmin):
    """Editors' article screen: the answer's content with its sections and claims, checks, previews."""

    form = ArticleForm
    list_display = ["question", "review_status", "is_published", "last_reviewed_on", "updated_at"]
    list_filter = ["review_status", ("current_publication", admin.EmptyFieldListFilter), "last_reviewed_on"]
    search_fields = ["question", "slug", "summary"]
    prepopulated_fields = {"slug": ["question"]}
    readonly_fields = ["citation_problems", "reader_links", "last_reviewed_on", "next_review_due"]
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
                "fields": list(SUMMARY_VARIANT_FIELDS),
                "description": _(
                    "Optional versions of the summary in language suited to each reader. A reader who chose an "
                    "audience sees its version where there is one, else the summary above. They are reviewed "
                    "with the rest of the article."
                ),
            },
        ),
        (_("Citations"), {"fields": ["citation_problems"]}),
        (_("Readers"), {"fields": ["reader_links", "last_reviewed_on"]}),
        (_("Re-review"), {"fields": ["literature_through", "review_interval_months", "next_review_due"]}),
    ]

    class Media:
        js = [
            "articles/admin/citation_check.js",
            "articles/admin/cite.js",
            "articles/admin/live_preview.js",
            "articles/admin/form_layout.js",
            "articles/admin/checks_panel.js",
        ]
        css = {
            "all": [
                "articles/admin/history.css",
                "articles/admin/cite.css",
                "articles/admin/form_layout.css",
                "articles/admin/checks_panel.css",
            ]
        }

    # Keys one live check may ask about; more than any real article cites.
    MAX_CHECKED_KEYS = 500

    # The list of 100,000 answers: a full count on every page view costs more than the page itself.
    show_full_result_count = False
    paginator = IdsFirstPaginator
    # What the screens never read of the current publication: its rendered pages and search data.
    PUBLICATION_BULK = ("content", "html", "head_html", "page_html", "summary_text", "body_text", "search_vector")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("current_publication")
            .defer(*(f"current_publication__{name}" for name in self.PUBLICATION_BULK))
        )

    def get_readonly_fields(self, request, obj=None):
        if is_locked_view(request, obj):
            return [*(name for name in FORM_FIELDS if name != "review_interval_months"), *self.readonly_fields]
        if obj is not None and obj.pk and obj.publications.exists():
            # Readers' links and the public permalinks depend on a published article's address.
            return ["slug", *self.readonly_fields]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_locked_view(request, obj) or not self.has_change_permission(request, obj):
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
        editable = not is_locked_view(request, kwargs.get("obj")) and (
            self.has_change_permission(request, kwargs.get("obj")) if kwargs.get("obj") else True
        )
        if editable:
            # citing by search and the live preview: only where the text can be edited
            context["cite_search_url"] = reverse("admin:articles_article_cite_search")
            if request.user.has_perm("references.add_reference"):
                context["new_reference_url"] = reverse("admin:articles_article_new_reference")
                context["new_reference_form"] = NewReferenceForm()
            context["live_preview_url"] = reverse("admin:articles_article_live_preview")
            context["preview_audiences"] = [("", "Everyone (no audience chosen)"), *Audience.choices]
        context["require_cited_claims"] = settings.ORACLE_REQUIRE_CITED_CLAIMS
        context["checks_panel"] = self._checks_panel(request, kwargs.get("obj"), editable)
        context["form_toc"] = form_toc(context)
        conflict = getattr(context.get("adminform") and context["adminform"].form, "edit_conflict", None)
        if conflict is not None:
            merge = getattr(request, "oracle_edit_merge", None)
            conflict = {**conflict, "taken": merge.taken if merge else [], "clashes": merge.clashes if merge else []}
        context["edit_conflict"] = conflict
        obj = kwargs.get("obj")
        if is_locked_view(request, obj):
            # nothing can be saved while locked: offer no save buttons that could only fail
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False, show_delete=False
            )
        if obj is not None and obj.current_publication_id and request.user.has_perm("articles.withdraw_article"):
            context["withdraw_url"] = reverse("admin:articles_article_withdraw_from_public", args=[obj.pk])
        return super().render_change_form(request, context, *args, **kwargs)

    def _checks_panel(self, request, obj, editable: bool) -> dict:
        """The content checks of the saved article (refreshed from the unsaved form where it can be edited)."""
        content = snapshot_article(load_article(obj.pk)) if obj is not None and obj.pk else content_from_form({})
        panel = checks_panel_context(
            content,
            boxes=saved_form_boxes(content) if editable else None,
            live_url=reverse("admin:articles_article_content_checks") if editable else "",
        )
        if request.user.has_perm("articles.change_contentchecksettings"):
            panel["settings_url"] = reverse("admin:articles_contentchecksettings_changelist")
        return panel

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
        unresolved = problems.citation_problems(loaded)
        uncited = problems.uncited_claims(loaded) if settings.ORACLE_REQUIRE_CITED_CLAIMS else []
        if not unresolved and not uncited:
            return format_html('<span class="citations-ok">✓ {}</span>', _("Every claim cites a source that exists."))
        return format_html(
            '<ul class="citation-problems">{}{}</ul>',
            format_html_join("", "<li><strong>{}</strong>: {}</li>", ((p.field, p.message) for p in unresolved)),
            format_html_join("", "<li>{}</li>", ((text,) for text in uncited)),
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
                "cite/search/",
                self.admin_site.admin_view(require_GET(lambda request: cite_search_view(self, request))),
                name="articles_article_cite_search",
            ),
            path(
                "cite/new-reference/",
                self.admin_site.admin_view(require_POST(lambda request: new_reference_view(self, request))),
                name="articles_article_new_reference",
            ),
            path(
                "live-preview/",
                self.admin_site.admin_view(require_POST(lambda request: live_preview_view(self, request))),
                name="articles_article_live_preview",
            ),
            path(
                "content-checks/",
                self.admin_site.admin_view(require_POST(lambda request: content_checks_view(self, request))),
                name="articles_article_content_checks",
            ),
            path(
                "citation-check/",
                self.admin_site.admin_view(self.citation_check_view),
                name="articles_article_citation_check",
            ),
        ] + super().get_urls()

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
        context = preview_context(snapshot_article(article), review_state="draft", page_path=request.path)
        context.update(
            self.admin_site.each_context(request),
            article=article,
            problems=article.citation_problems(),
            opts=self.opts,
        )
        return TemplateResponse(request, "articles/article_preview.html", context)
