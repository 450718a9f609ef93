"""The change form's live preview: the unsaved form rendered by the answer page's renderer (text as
typed, per audience, citations numbered as readers will see them, unknown keys marked), nothing
saved (no row, no revision), for who may edit articles, CSRF-protected; and no review data in it."""

import pytest
from django.test import Client
from reversion.models import Revision, Version

from articles.admin.live_preview import content_from_form
from articles.models import Article, Claim, Section
from articles.rendering import render_body_html
from articles.snapshots import load_article, snapshot_article
from references.models import Reference
from tests.helpers import UserFactory, change_url, form_fields, make_article

pytestmark = pytest.mark.django_db

URL = "/admin/articles/article/live-preview/"


@pytest.fixture
def form(client, editor, article):
    """The article's change form as the browser would send it."""
    client.force_login(editor)
    return form_fields(client.get(change_url(article)).content.decode(), "article_form")


def counts():
    return (
        Article.objects.count(),
        Section.objects.count(),
        Claim.objects.count(),
        Reference.objects.count(),
        Revision.objects.count(),
        Version.objects.count(),
        list(Article.objects.values_list("summary", "edit_version")),
        list(Claim.objects.order_by("pk").values_list("text", flat=True)),
    )


def test_the_unsaved_form_is_rendered_as_the_saved_article_would_be(form, article):
    """Unchanged, the form's content is exactly the article's snapshot: the same renderer, the same page."""
    content = content_from_form(form)
    assert content == snapshot_article(load_article(article.pk))
    assert render_body_html(content) == render_body_html(snapshot_article(load_article(article.pk)))


def test_typed_text_is_previewed_and_nothing_is_saved(client, form):
    before = counts()
    form["summary"] = "Typed just now, **not saved**."
    form["sections-0-claims-0-text"] = "A new claim <script>alert(1)</script>"
    response = client.post(URL, form)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.json()["html"]
    assert "Typed just now, <strong>not saved</strong>." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "<script" not in html  # the frame runs nothing
    assert "Live preview" in html
    assert counts() == before


def test_citations_are_numbered_as_readers_will_see_them(client, form):
    cited = list(Reference.objects.order_by("key").values_list("key", flat=True))
    # the summary now cites the last reference first: it becomes [1], and the reference list follows
    form["summary"] = f"Short answer [@{cited[-1]}] and [@{cited[0]}]"
    html = client.post(URL, form).json()["html"]
    assert 'id="cite-1-1" aria-label="Reference 1"' in html
    references = html[html.index('class="reference-list"') :]
    first, other = (Reference.objects.get(key=key).title for key in (cited[-1], cited[0]))
    assert references.index(first) < references.index(other)


def test_unknown_keys_are_marked_and_listed(client, form):
    form["sections-1-claims-1-text"] = "Claim [@no-such-ref]"
    answer = client.post(URL, form).json()
    assert answer["unknown"] == ["no-such-ref"]
    assert (
        '<a class="citation-missing" title="Unknown reference" rel="noopener noreferrer">?no-such-ref</a>'
        in answer["html"]
    )


def test_deleted_and_reordered_rows_are_previewed_as_they_will_be(client, form):
    form["sections-0-DELETE"] = "on"
    form["sections-1-claims-0-position"], form["sections-1-claims-1-position"] = "5", "1"
    content = content_from_form(form)
    assert [s["heading"] for s in content["sections"]] == ["Heading 2"]
    assert [c["text"].split(" [")[0] for c in content["sections"][0]["claims"]] == ["Claim 2.2", "Claim 2.1"]


def test_a_new_row_added_in_the_page_is_previewed(client, form):
    form["sections-1-claims-TOTAL_FORMS"] = "3"
    form["sections-1-claims-2-text"] = "A claim added in the page"
    form["sections-1-claims-2-position"] = "2"
    assert "A claim added in the page" in client.post(URL, form).json()["html"]


def test_each_audience_sees_its_version(client, form):
    form["summary_patient"] = "Plain words for patients."
    form["sections-1-audience"] = "professional"
    for audience, marker in (("patient", 'data-audience="patient"'), ("", '<html lang="en">')):
        html = client.post(URL, {**form, "preview_audience": audience}).json()["html"]
        assert marker in html
        assert "Plain words for patients." in html and "audience-only audience-professional" in html
    html = client.post(URL, {**form, "preview_audience": "<script>"}).json()["html"]
    assert '<html lang="en">' in html  # not an audience: the default


def test_who_may_not_edit_articles_gets_403_and_anonymous_readers_log_in(client, form):
    anonymous = Client()
    assert anonymous.post(URL, form).status_code == 302
    pharmacist = Client()
    pharmacist.force_login(UserFactory(username="pharmacist", groups=["Pharmacists"]))
    assert pharmacist.post(URL, form).status_code == 403
    assert client.get(URL).status_code == 405


def test_a_post_without_the_csrf_token_is_refused(editor, form):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(URL, {k: v for k, v in form.items() if k != "csrfmiddlewaretoken"}).status_code == 403


def test_no_comment_or_review_data_reaches_the_preview(client, editor, board_member, form, article):
    """The preview is the reader's page: the review panel, comments and the audit trail stay in the admin."""
    from reviews.comments import comment_thread_open
    from reviews.services import review_request_changes, review_start, review_submit

    review = review_submit(article=article, by=editor, change_summary="First draft")
    review_start(review=review, by=board_member)
    comment_thread_open(review=review, anchor="summary", body="SECRET-COMMENT-TEXT", by=board_member)
    review_request_changes(review=review, by=board_member, comment="SECRET-REVIEW-COMMENT")
    html = client.post(URL, form).json()["html"]
    for secret in ("SECRET-COMMENT-TEXT", "SECRET-REVIEW-COMMENT", "Dr. Bo Reviewer"):
        assert secret not in html


def test_an_empty_add_form_previews_without_error(client, editor):
    client.force_login(editor)
    page = form_fields(client.get("/admin/articles/article/add/").content.decode(), "article_form")
    response = client.post(URL, page)
    assert response.status_code == 200 and response.json()["unknown"] == []


def test_a_large_answer_previews_in_a_bounded_number_of_queries(client, editor, django_assert_max_num_queries):
    big = make_article(sections=8, claims_per_section=10, references=30)
    client.force_login(editor)
    page = form_fields(client.get(change_url(big)).content.decode(), "article_form")
    with django_assert_max_num_queries(6):  # session, user, permissions, the cited references
        assert client.post(URL, page).status_code == 200


def test_the_preview_document_needs_nothing_the_csp_forbids(client, form):
    """The frame inherits the admin page's CSP: no inline script or style in the document, and the
    change form keeps the site's policy (no frame or script exception was made for the preview)."""
    html = client.post(URL, form).json()["html"]
    assert "<script" not in html and "<style" not in html and " style=" not in html
    policy = client.get(change_url(Article.objects.get())).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_the_preview_links_name_the_answers_public_address(client, form, article):
    html = client.post(URL, form).json()["html"]
    assert f"next=/articles/{article.slug}/" in html.replace("%2F", "/")
    assert "live-preview" not in html.split("<body>", 1)[1].split("Live preview", 1)[1]
