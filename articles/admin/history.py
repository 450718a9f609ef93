"""An article's version history in the admin: every revision, a word diff of any two, restore."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from reversion.models import Version

from articles.content import article_restore
from articles.history import content_at, diff_content
from articles.models import ArticleLocked
from core import people


class ArticleHistoryMixin:
    """History, diff and restore views for the article admin (reversion's own views replaced)."""

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
        versions = Version.objects.get_for_object(article).select_related(*people.related("revision__user"))
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

    def recover_view(self, request, version_id, extra_context=None):
        """reversion's "recover": only for a deleted article, from a version of an article.

        A live article (locked or not) is refused with a message pointing at its history, where
        restoring makes a new revision: reverting one in place would overwrite the current content
        (and a locked one's lock raises mid-revert)."""
        version = get_object_or_404(Version.objects.get_for_model(self.model).select_related("revision"), pk=version_id)
        live = self.model._default_manager.filter(pk=version.object_id).first()
        if live is not None:
            messages.error(
                request,
                f"“{live}” was not deleted, so there is nothing to recover: restore one of its versions "
                "from its history instead (that saves a new draft revision and keeps the current one).",
            )
            return redirect("admin:articles_article_history", live.pk)
        try:
            return super().recover_view(request, version_id, extra_context)
        except (ArticleLocked, ValidationError) as exc:
            messages.error(request, f"Cannot recover: {exc.messages[0]}")
            return redirect("admin:articles_article_changelist")

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # reversion's own view reverts in place inside a rolled-back transaction; ours never do.
        return redirect("admin:articles_article_history", object_id)

    def diff_view(self, request, pk):
        """Field by field, word by word: what changed between two revisions (or since nothing)."""
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
