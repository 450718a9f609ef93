"""The article change form: optimistic locking of a whole answer, and the claim form's grades."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from articles import evidence
from articles.content import FORM_FIELDS
from articles.models import Article, ArticleLocked, Claim, Section, assert_unlocked
from core import people


class ArticleForm(forms.ModelForm):
    change_summary = forms.CharField(
        label=_("Change summary"),
        required=False,
        max_length=300,
        help_text=_("Optional: what you changed and why. Shown in the article's history."),
    )

    class Meta:
        model = Article
        fields = list(FORM_FIELDS)

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
        "by": people.display_name(newest.user, default=_("someone")) if newest is not None else _("someone"),
        "at": newest.date_created if newest is not None else None,
        "comment": newest.comment if newest is not None else "",
        "diff": diff,
        "from_revision": since,
        "to_revision": newest,
    }


POSITION = re.compile(r"-?\d+")


class OrderedRowForm(forms.ModelForm):
    """A section or claim row: its position is a hidden field the page's Move buttons (or dragging) set
    in the order shown. One that is not a number (a forged or broken POST) is refused with an error the
    editor can see on the row, as a negative one is, and never reaches nested_admin's row sort (which
    reads it as a number), so the form comes back with everything typed in it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            name = self.add_prefix("position")
            raw = self.data.get(name)
            if raw not in (None, "") and not POSITION.fullmatch(str(raw).strip()):
                data = self.data.copy()
                data[name] = ""
                self.data = data

    def _post_clean(self):
        super()._post_clean()  # the model's own validation (its integer range) adds its errors here
        if "position" in self.errors:  # a hidden field: its own error would show nowhere
            self.add_error(
                None,
                _("The order of this row could not be read. Move it up or down again (or reload the page), then save."),
            )


class SectionForm(OrderedRowForm):
    class Meta:
        model = Section
        fields = ["heading", "audience", "position"]


class ClaimForm(OrderedRowForm):
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
        # The claims table has column headings only: give each box a name of its own, so a screen
        # reader says which claim it is in ("Section 2, claim 3 text").
        self.fields["text"].widget.attrs["aria-label"] = _("%(claim)s text") % {"claim": claim_name(self.prefix)}
        self.fields["grade"].widget.attrs["aria-label"] = _("%(claim)s evidence grade") % {
            "claim": claim_name(self.prefix)
        }


CLAIM_PREFIX = re.compile(r"(?:^|-)(?P<section>\d+|__prefix__)-claims-(?P<claim>\d+|__prefix__)$")


def claim_name(prefix: str | None) -> str:
    """ "Section 2, claim 3" for the form prefix "sections-1-claims-2"; "New claim" for a row the
    editor adds in the page (its prefix is a template's, "…-claims-__prefix__")."""
    match = CLAIM_PREFIX.search(prefix or "")
    if match is None or "__prefix__" in match.group(0):
        return str(_("New claim"))
    return str(
        _("Section %(section)s, claim %(claim)s")
        % {"section": int(match["section"]) + 1, "claim": int(match["claim"]) + 1}
    )
