import nested_admin
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from articles.models import Article, ArticleLocked, Claim, Publication, Section, assert_unlocked, unknown_keys
from articles.pages import answer_page_context
from articles.rendering import render_body_html
from articles.snapshots import load_article, snapshot_article
from references.admin import ReferenceAdmin as BaseReferenceAdmin
from references.models import Reference


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
    class Meta:
        model = Article
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                assert_unlocked(self.instance.pk)
            except ArticleLocked as exc:
                raise forms.ValidationError(
                    f"{exc.messages[0]} Nothing was saved; your changes are still in the form below."
                ) from None
        return cleaned


class ClaimInline(LockAwareInlineMixin, nested_admin.NestedTabularInline):
    model = Claim
    extra = 0
    fields = ["text", "position"]
    sortable_field_name = "position"
    formfield_overrides = {
        **ORDER_BY_DRAGGING,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 100})},
    }


class SectionInline(LockAwareInlineMixin, nested_admin.NestedStackedInline):
    model = Section
    extra = 0
    fields = ["heading", "position"]
    sortable_field_name = "position"
    formfield_overrides = {
        **ORDER_BY_DRAGGING,
        models.CharField: {"widget": forms.TextInput(attrs={"size": 80})},
    }
    inlines = [ClaimInline]


@admin.register(Article)
class ArticleAdmin(VersionAdmin, nested_admin.NestedModelAdmin):
    form = ArticleForm
    list_display = ["question", "review_status", "is_published", "last_reviewed_on", "updated_at"]
    list_filter = ["review_status", ("current_publication", admin.EmptyFieldListFilter), "last_reviewed_on"]
    search_fields = ["question", "slug", "summary"]
    prepopulated_fields = {"slug": ["question"]}
    readonly_fields = ["citation_problems", "reader_links", "last_reviewed_on"]
    inlines = [SectionInline]
    fieldsets = [
        (None, {"fields": ["question", "slug", "summary_heading", "summary"]}),
        (_("Citations"), {"fields": ["citation_problems"]}),
        (_("Readers"), {"fields": ["reader_links", "last_reviewed_on"]}),
    ]

    class Media:
        js = ["articles/admin/citation_check.js"]

    # Keys one live check may ask about; more than any real article cites.
    MAX_CHECKED_KEYS = 500

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("current_publication")

    def get_readonly_fields(self, request, obj=None):
        if _is_locked_view(request, obj):
            return ["question", "slug", "summary_heading", "summary", *self.readonly_fields]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if _is_locked_view(request, obj) else self.prepopulated_fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.is_locked and request.method == "GET":
            messages.warning(request, f"This article is locked: {obj.lock_reason}")
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, **kwargs):
        context["citation_check_url"] = reverse("admin:articles_article_citation_check")
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.display(boolean=True, description=_("published"), ordering="current_publication")
    def is_published(self, obj):
        return obj.current_publication_id is not None

    @admin.display(description=_("citation problems"))
    def citation_problems(self, obj):
        if not obj.pk:
            return _("Save the article to check its citations.")
        problems = load_article(obj.pk).citation_problems()
        if not problems:
            return format_html('<span class="citations-ok">✓ {}</span>', _("Every citation resolves to a reference."))
        return format_html(
            '<ul class="citation-problems">{}</ul>',
            format_html_join("", "<li><strong>{}</strong>: {}</li>", ((p.field, p.message) for p in problems)),
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
            path(
                "citation-check/",
                self.admin_site.admin_view(self.citation_check_view),
                name="articles_article_citation_check",
            ),
        ] + super().get_urls()

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
class PublicationAdmin(admin.ModelAdmin):
    """Publications are immutable: listed and viewed, never added, changed or deleted here."""

    list_display = ["question", "number", "origin", "reviewed_on", "published_at", "published_by"]
    list_filter = ["origin", "reviewed_on"]
    search_fields = ["question", "article__slug"]
    list_select_related = ["published_by"]
    fields = ["article", "number", "question", "origin", "reviewed_on", "published_at", "published_by", "change_summary"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reference)
class ReferenceAdmin(BaseReferenceAdmin):
    readonly_fields = ["cited_by", *BaseReferenceAdmin.readonly_fields]
    fieldsets = [*BaseReferenceAdmin.fieldsets, (_("Cited by"), {"fields": ["cited_by"]})]

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
