"""Two editors on the same draft: the second save is refused with what changed, never a silent overwrite."""

import pytest
from django.test import Client
from reversion.models import Version

from articles.models import Article, Claim, EditConflict
from tests.helpers import UserFactory, change_url, form_fields

pytestmark = pytest.mark.django_db


def open_form(user, article):
    client = Client()
    client.force_login(user)
    return client, form_fields(client.get(change_url(article)).content.decode(), "article_form")


CLAIM = "sections-1-claims-0-text"


def test_the_second_of_two_editors_is_refused_and_shown_what_the_first_changed(editor, demo):
    other = UserFactory(username="editor2", first_name="Ada", last_name="Second", groups=["Editors"])
    first, first_data = open_form(editor, demo)
    second, second_data = open_form(other, demo)
    claims_before = Claim.objects.count()

    first_data[CLAIM] = first_data[CLAIM].replace("significant", "well-documented")
    first_data["change_summary"] = "Sharper wording"
    assert first.post(change_url(demo), first_data).status_code == 302

    second_data["summary"] = "SECOND EDITOR'S SUMMARY " + second_data["summary"]
    refused = second.post(change_url(demo), second_data)
    page = refused.content.decode()

    assert refused.status_code == 200
    assert "Not saved:" in page and "while you were editing it" in page
    assert "Saved by" in page and "Sharper wording" in page  # who, and their note
    assert "<ins>well</ins>" in page or "<ins>well-documented</ins>" in page  # what they changed, word by word
    assert "SECOND EDITOR&#x27;S SUMMARY" in page  # the refused editor's text is still in the form
    stored = Article.objects.get(pk=demo.pk)
    assert not stored.summary.startswith("SECOND")
    assert Claim.objects.filter(text__contains="well-documented").count() == 1  # the first save survives
    assert Claim.objects.count() == claims_before


def test_saving_again_after_reading_the_conflict_applies_the_second_version(editor, demo):
    other = UserFactory(username="editor2", groups=["Editors"])
    first, first_data = open_form(editor, demo)
    second, second_data = open_form(other, demo)
    first_data[CLAIM] = first_data[CLAIM].replace("significant", "well-documented")
    assert first.post(change_url(demo), first_data).status_code == 302
    second_data["summary"] = "Second take. " + second_data["summary"]
    refused = second.post(change_url(demo), second_data)

    again = form_fields(refused.content.decode(), "article_form")  # what the browser now holds
    accepted = second.post(change_url(demo), again)

    assert accepted.status_code == 302
    assert Article.objects.get(pk=demo.pk).summary.startswith("Second take.")
    # the claim the second editor never touched keeps the first editor's change: only their own edit applied
    assert Claim.objects.filter(text__contains="well-documented").count() == 1
    # nothing is lost: both saves are in the history
    comments = [v.revision.user.username for v in Version.objects.get_for_object(demo)[:2]]
    assert comments == ["editor2", "editor"]


def test_each_content_save_moves_the_version_and_workflow_saves_do_not(demo):
    article = Article.objects.get(pk=demo.pk)
    start = article.edit_version

    article.summary_heading = "In short"
    article.save()
    Article.objects.get(pk=demo.pk).save(update_fields=["review_status"])

    assert Article.objects.get(pk=demo.pk).edit_version == start + 1


def test_a_stale_copy_cannot_overwrite_a_newer_save_in_code_either(demo):
    a = Article.objects.get(pk=demo.pk)
    b = Article.objects.get(pk=demo.pk)
    a.summary = a.summary + " First."
    a.save()

    b.summary = "Overwrite"
    with pytest.raises(EditConflict) as excinfo:
        b.save()

    assert "nothing was saved" in excinfo.value.messages[0]
    assert Article.objects.get(pk=demo.pk).summary.endswith(" First.")


def test_a_post_without_the_version_it_was_opened_at_is_refused(editor, demo):
    client, data = open_form(editor, demo)
    del data["seen_version"]
    data["summary"] = "No version given"

    response = client.post(change_url(demo), data)

    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    assert Article.objects.get(pk=demo.pk).summary != "No version given"


def test_a_field_both_changed_keeps_the_refused_editors_text_and_is_named(editor, demo):
    other = UserFactory(username="editor2", groups=["Editors"])
    first, first_data = open_form(editor, demo)
    second, second_data = open_form(other, demo)
    first_data["summary"] = "First editor's summary [@guideline-directed-2025]"
    first_data[CLAIM] = first_data[CLAIM].replace("significant", "well-documented")
    assert first.post(change_url(demo), first_data).status_code == 302

    second_data["summary"] = "Second editor's summary [@guideline-directed-2025]"
    page = second.post(change_url(demo), second_data).content.decode()
    held = form_fields(page, "article_form")

    assert "You both changed 1 field" in page and "The summary answer" in page
    assert held["summary"] == "Second editor's summary [@guideline-directed-2025]"  # theirs to decide
    assert "well-documented" in held[CLAIM]  # untouched by them: now the saved version
    assert "1 field you had not changed now shows their version" in page
    assert Article.objects.get(pk=demo.pk).summary == "First editor's summary [@guideline-directed-2025]"
