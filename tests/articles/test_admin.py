import pytest
from reversion.models import Version

from articles.models import Article, Claim
from references.models import Reference
from reviews.importing.write import review_import_pages
from tests.helpers import ReferenceFactory, UserFactory, change_url, form_fields

pytestmark = pytest.mark.django_db


def test_editor_can_edit_a_claim_and_the_save_is_versioned_with_the_user(client, editor, demo):
    client.force_login(editor)
    data = form_fields(client.get(change_url(demo)).content.decode(), "article_form")
    key = "sections-1-claims-0-text"
    data[key] = data[key].replace("significant", "well-documented")

    response = client.post(change_url(demo), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Claim.objects.filter(text__contains="well-documented").count() == 1
    latest = Version.objects.get_for_object(demo).first()
    assert latest.revision.user == editor
    assert Claim.objects.count() == 22


def test_unknown_citation_key_in_a_claim_is_refused_naming_key_and_claim(client, editor, demo):
    client.force_login(editor)
    data = form_fields(client.get(change_url(demo)).content.decode(), "article_form")
    data["sections-0-claims-1-text"] = "A new statement [@made-up-2024]"
    before = list(Claim.objects.values_list("text", flat=True))

    response = client.post(change_url(demo), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown reference key “made-up-2024” in claim “A new statement [@made-up-2024]”." in page
    assert list(Claim.objects.values_list("text", flat=True)) == before


def test_unknown_citation_key_in_the_summary_is_refused(client, editor, demo):
    client.force_login(editor)
    data = form_fields(client.get(change_url(demo)).content.decode(), "article_form")
    data["summary"] = "Changed [@nope]"

    response = client.post(change_url(demo), data)

    assert "Unknown reference key “nope” in the summary answer." in response.content.decode()
    assert Article.objects.get(pk=demo.pk).summary.startswith("Baclofen is not recommended")


def test_change_form_lists_citation_problems_of_an_imported_draft(client, editor, example_page):
    [result] = review_import_pages([example_page], allow_missing=True)
    client.force_login(editor)

    page = client.get(change_url(result.article)).content.decode()

    assert "citation-problems" in page
    assert "reference 5 is cited on line 45 of the imported page but missing from its reference list" in page
    assert "Section 4 “Recent Research on Baclofen for Back Pain”, claim 1" in page


def test_change_form_says_when_every_claim_cites_a_source_that_exists(client, editor, demo):
    client.force_login(editor)

    assert "Every claim cites a source that exists." in client.get(change_url(demo)).content.decode()


def test_preview_renders_the_draft_like_the_public_page(client, editor, demo):
    claim = Claim.objects.get(text__startswith="Tizanidine is considered")
    claim.text = "DRAFT CHANGE [@" + Reference.objects.order_by("id")[2].key + "]"
    claim.save()
    client.force_login(editor)

    page = client.get(f"/admin/articles/article/{demo.pk}/preview/").content.decode()

    assert "Draft preview" in page
    assert "DRAFT CHANGE" in page
    assert '<h1 class="answer-question">Is baclofen safe for treating back pain?</h1>' in page
    assert "pending human review" in page
    assert "DRAFT CHANGE" not in client.get(demo.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_admin_pages_are_closed_to_non_staff(client, demo, who):
    if who == "reader":
        client.force_login(UserFactory(username="reader", is_staff=False))

    for url in [change_url(demo), f"/admin/articles/article/{demo.pk}/preview/", "/admin/references/reference/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_staff_without_article_permissions_cannot_preview(client, demo):
    client.force_login(UserFactory(username="nobody-in-particular"))

    assert client.get(f"/admin/articles/article/{demo.pk}/preview/").status_code == 403


def test_reference_admin_shows_which_articles_cite_it(client, editor, demo):
    cited = Reference.objects.get(key="pharmacological-management-2021")
    uncited = ReferenceFactory(key="pharmacological-management-2021-b")
    client.force_login(editor)

    cited_page = client.get(f"/admin/references/reference/{cited.pk}/change/").content.decode()
    uncited_page = client.get(f"/admin/references/reference/{uncited.pk}/change/").content.decode()

    assert demo.question in cited_page
    assert "Not cited by any article." in uncited_page


def test_publications_are_read_only_in_the_admin(client, admin_user, demo):
    client.force_login(admin_user)
    publication = demo.publications.get()

    assert client.get(f"/admin/articles/publication/{publication.pk}/change/").status_code == 200
    assert client.post(f"/admin/articles/publication/{publication.pk}/delete/", {"post": "yes"}).status_code == 403
    assert demo.publications.count() == 1


def test_live_citation_check_reports_unknown_keys(client, editor, demo):
    client.force_login(editor)

    response = client.get(
        "/admin/articles/article/citation-check/", {"key": ["pharmacological-management-2021", "ghost"]}
    )

    assert response.json() == {"unknown": ["ghost"]}


def test_live_citation_check_is_for_staff_with_article_permissions_only(client, demo):
    assert client.get("/admin/articles/article/citation-check/", {"key": "x"}).status_code == 302
    client.force_login(UserFactory(username="staff-without-permissions"))
    assert client.get("/admin/articles/article/citation-check/", {"key": "x"}).status_code == 403


def test_live_citation_check_refuses_absurdly_many_keys(client, editor):
    client.force_login(editor)

    response = client.get("/admin/articles/article/citation-check/", {"key": [f"k{i}" for i in range(501)]})

    assert response.status_code == 400
    assert "At most 500 keys" in response.json()["error"]


def test_change_form_loads_the_live_check(client, editor, demo):
    client.force_login(editor)

    page = client.get(change_url(demo)).content.decode()

    assert 'id="citation-check-config" data-url="/admin/articles/article/citation-check/"' in page
    assert "articles/admin/citation_check.js" in page
