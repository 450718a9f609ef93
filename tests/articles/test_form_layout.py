"""The article change form's server side of "a form that fits on a screen" (issue 16, Deliver 4): the
table of contents (every part of the form in page order, the sections as shown, headings as typed
on a refused save, what a locked article still has), no row title repeating each claim, and the
order of sections and claims saved as the positions the page sends (what the editor saw), a forged
position refused with nothing stored. The folding, jumping and moving themselves are in
tests/browser/test_article_form_layout.py."""

import pytest
from django.test import Client

from articles.models import Article, Claim, Section
from reviews.services import review_submit
from tests.helpers import UserFactory, change_url, form_fields, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article(sections=3, claims_per_section=3, question="Is ibuprofen safe with lisinopril?")


def editor_client():
    client = Client()
    client.force_login(UserFactory(username="editor", groups=["Editors"]))
    return client


def toc(response) -> list:
    return [
        (entry["target"], entry["label"], [(c["target"], c["label"]) for c in entry.get("children", [])])
        for entry in response.context["form_toc"]
    ]


def stored(article) -> list[tuple[str, list[str]]]:
    return [
        (section.heading, [claim.text.split(" [")[0] for claim in section.claims.all()])
        for section in Section.objects.filter(article=article).prefetch_related("claims")
    ]


def test_the_contents_list_every_part_of_the_form_in_page_order(article):
    response = editor_client().get(change_url(article))
    entries = toc(response)
    assert [label for _, label, _ in entries] == [
        "Medical Advisory Board review",  # the review panel's entry (reviews/admin/article.py)
        "Summary answer",
        "Summary for each audience",
        "Citations",
        "Readers",
        "Re-review",
        "Source alerts",
        "Sections",
        "Audit trail",
        "Comment trail",
    ]
    sections = dict((label, children) for _, label, children in entries)["Sections"]
    assert sections == [("sections-0", "1. Heading 1"), ("sections-1", "2. Heading 2"), ("sections-2", "3. Heading 3")]
    html = response.content.decode()
    # every entry names something on the page
    for target, _, children in entries:
        for name in [target, *(child for child, _ in children)]:
            assert f'id="{name}"' in html, name
    assert '<nav class="form-toc" id="form-toc" aria-labelledby="form-toc-heading">' in html


def test_the_contents_follow_the_order_and_headings_of_a_refused_save(article):
    client = editor_client()
    data = form_fields(client.get(change_url(article)).content.decode(), "article_form")
    data["sections-0-position"], data["sections-2-position"] = "2", "0"  # the last section moved to the top
    data["sections-2-heading"] = "When to see a doctor"
    data["sections-1-heading"] = ""  # refused: a heading is required
    response = client.post(change_url(article), data)
    assert response.status_code == 200 and response.context["errors"]
    sections = next(children for _, label, children in toc(response) if label == "Sections")
    assert sections == [
        ("sections-2", "1. When to see a doctor"),
        ("sections-1", "2. Untitled section"),
        ("sections-0", "3. Heading 1"),
    ]
    assert [heading for heading, _ in stored(article)] == ["Heading 1", "Heading 2", "Heading 3"]  # nothing saved


def test_a_locked_article_lists_its_parts_without_boxes_to_jump_to(article):
    editor = UserFactory(username="author", groups=["Editors"])
    review_submit(article=article, by=editor, change_summary="Check")
    response = editor_client().get(change_url(article))
    labels = [label for _, label, _ in toc(response)]
    assert "Summary answer" not in labels  # read-only: no box
    sections = next(children for _, label, children in toc(response) if label == "Sections")
    assert [label for _, label in sections] == ["1. Heading 1", "2. Heading 2", "3. Heading 3"]


def test_a_claims_text_is_in_its_box_only(article):
    html = editor_client().get(change_url(article)).content.decode()
    text = Claim.objects.filter(section__article=article).order_by("section__position", "position").first().text
    assert html.count(text[:9]) == 1  # the textarea's; no row title above it
    assert 'aria-label="Section 1, claim 1 text"' in html


def test_the_order_saved_is_the_order_the_page_sends(article):
    client = editor_client()
    data = form_fields(client.get(change_url(article)).content.decode(), "article_form")
    # as the Move buttons leave the form: section 3 first, and in section 2 its claim 3 first
    data.update({"sections-0-position": "1", "sections-1-position": "2", "sections-2-position": "0"})
    data.update({"sections-1-claims-0-position": "1", "sections-1-claims-1-position": "2"})
    data["sections-1-claims-2-position"] = "0"
    assert client.post(change_url(article), data).status_code == 302
    assert stored(article) == [
        ("Heading 3", ["Claim 3.1", "Claim 3.2", "Claim 3.3"]),
        ("Heading 1", ["Claim 1.1", "Claim 1.2", "Claim 1.3"]),
        ("Heading 2", ["Claim 2.3", "Claim 2.1", "Claim 2.2"]),
    ]
    # and the form opens again in that order, each box named by its new place
    html = client.get(change_url(article)).content.decode()
    assert html.index("Heading 3") < html.index("Heading 1") < html.index("Heading 2")
    assert html.index("Claim 2.3") < html.index("Claim 2.1")


@pytest.mark.parametrize("position", ["-1", "first", ""])
def test_a_forged_position_is_refused_and_nothing_is_stored(article, position):
    client = editor_client()
    data = form_fields(client.get(change_url(article)).content.decode(), "article_form")
    data["sections-1-claims-2-position"] = position
    data["sections-1-claims-2-text"] = "Changed text [@x]"
    version = Article.objects.get(pk=article.pk).edit_version
    response = client.post(change_url(article), data)
    assert response.status_code == 200 and response.context["errors"]
    # said on the row, where the editor sees it, and what they typed is still in the form
    assert "The order of this row could not be read." in response.content.decode()
    assert form_fields(response.content.decode(), "article_form")["sections-1-claims-2-text"] == "Changed text [@x]"
    assert Article.objects.get(pk=article.pk).edit_version == version
    assert "Changed text" not in str(stored(article))


def test_a_forged_section_position_is_refused_too(article):
    client = editor_client()
    data = form_fields(client.get(change_url(article)).content.decode(), "article_form")
    data["sections-2-position"] = "9999999999999999999999"  # a number, but not one the database stores
    response = client.post(change_url(article), data)
    assert response.status_code == 200 and response.context["errors"]
    assert "The order of this row could not be read." in response.content.decode()


def test_a_new_article_has_contents_too(article):
    response = editor_client().get("/admin/articles/article/add/")
    assert response.status_code == 200
    entries = toc(response)
    assert entries[0][1] == "Summary answer"  # no review panel before the first save
    assert ("sections-group", "Sections", []) in entries
