"""A content check set to block refuses submission by every path — the service, the article page,
the API — listing each blocking finding by place; a warning never refuses; a configuration change
takes effect at once. The panel shows them on the change form (live, from the unsaved form) and on
the review page (the cycle's pinned content)."""

import json

import pytest
from django.contrib.messages import get_messages

from api.models import ApiToken, Scope
from api.services import api_token_create
from articles.models import Article, ContentCheckSettings, Severity
from reviews.models import Review
from reviews.services import ReviewRefused, review_start, review_submit
from tests.helpers import ClaimFactory, UserFactory, make_article

pytestmark = pytest.mark.django_db

ALWAYS = "Section 1 “Heading 1”, claim 1: says “always”: an absolute word is rarely true of medical evidence."
NEVER = "Section 2 “Heading 2”, claim 2: says “never”: an absolute word is rarely true of medical evidence."


def configure(**fields):
    config = ContentCheckSettings.current()
    for name, value in fields.items():
        setattr(config, name, value)
    config.save()


@pytest.fixture
def absolute():
    """An article whose claims 1.1 and 2.2 use absolute words; otherwise submittable."""
    article = make_article(sections=2, claims_per_section=2)
    claims = {(c.section.position, c.position): c for c in ClaimFactory._meta.model.objects.select_related("section")}
    for key, word in (((0, 0), "always"), ((1, 1), "never")):
        claim = claims[key]
        claim.text = claim.text.replace("Claim", f"It {word} helps: claim")
        claim.save()
    return article


def test_a_warning_never_refuses_submission(absolute, editor):
    assert ContentCheckSettings.current().absolute_words == Severity.WARNING
    review = review_submit(article=absolute, by=editor)
    assert review.state == "submitted"


def test_a_blocking_check_refuses_the_service_listing_every_finding(absolute, editor):
    configure(absolute_words=Severity.BLOCK)

    with pytest.raises(ReviewRefused) as excinfo:
        review_submit(article=absolute, by=editor)

    assert excinfo.value.messages == ["This article cannot be submitted for review:", ALWAYS, NEVER]
    assert not Review.objects.exists() and not Article.objects.get(pk=absolute.pk).is_locked


def test_turning_the_check_off_again_lets_it_through(absolute, editor):
    configure(absolute_words=Severity.BLOCK)
    with pytest.raises(ReviewRefused):
        review_submit(article=absolute, by=editor)
    configure(absolute_words=Severity.OFF)
    assert review_submit(article=absolute, by=editor).state == "submitted"


def test_the_article_page_refuses_naming_each_place(client, absolute, editor):
    configure(absolute_words=Severity.BLOCK)
    client.force_login(editor)

    response = client.post(f"/admin/articles/article/{absolute.pk}/review/", {"transition": "submit"})

    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert ALWAYS in said and NEVER in said
    assert not Review.objects.exists()


def test_the_api_refuses_with_422_and_every_finding(client, absolute, editor):
    configure(absolute_words=Severity.BLOCK)
    secret = api_token_create(token=ApiToken(owner=editor, name="pipeline", scopes=[str(Scope.DRAFTS_WRITE)]))

    response = client.post(
        f"/api/drafts/{absolute.pk}/submit/",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert response.status_code == 422
    assert [e["message"] for e in response.json()["errors"]] == [ALWAYS, NEVER]
    assert not Review.objects.exists()


def test_the_api_sets_the_literature_date_and_keeps_it_when_not_sent(client, editor):
    from tests.helpers import ReferenceFactory

    ReferenceFactory(key="acp", doi="10.7326/M16-2367")
    secret = api_token_create(token=ApiToken(owner=editor, name="pipeline", scopes=[str(Scope.DRAFTS_WRITE)]))
    headers = {"content_type": "application/json", "HTTP_AUTHORIZATION": f"Bearer {secret}"}
    draft = {
        "question": "Does heat help?",
        "summary": "Yes [@acp].",
        "sections": [{"heading": "Evidence", "claims": ["Heat helps [@acp]."]}],
    }
    created = client.post("/api/drafts/", json.dumps(draft), **headers).json()
    # the draft says what stops its submission before it is tried
    assert created["problems"] == [
        "Literature reviewed through: is not set: enter the date up to which the evidence was searched (under “Re-review”)."
    ]
    refused = client.post(f"/api/drafts/{created['id']}/submit/", "{}", **headers)
    assert refused.status_code == 422
    assert [e["message"] for e in refused.json()["errors"]] == [
        "Literature reviewed through: is not set: enter the date up to which the evidence was searched (under “Re-review”)."
    ]

    future = client.put(
        f"/api/drafts/{created['id']}/",
        json.dumps({**draft, "literature_through": "2999-01-01", "version": created["version"]}),
        **headers,
    )
    assert future.status_code == 400 and Article.objects.get(pk=created["id"]).literature_through is None

    updated = client.put(
        f"/api/drafts/{created['id']}/",
        json.dumps({**draft, "literature_through": "2025-06-30", "version": created["version"]}),
        **headers,
    ).json()
    assert updated["literature_through"] == "2025-06-30" and updated["problems"] == []
    kept = client.put(f"/api/drafts/{created['id']}/", json.dumps({**draft, "version": updated["version"]}), **headers)
    assert kept.json()["literature_through"] == "2025-06-30"
    assert client.post(f"/api/drafts/{created['id']}/submit/", "{}", **headers).status_code == 201


# --- the panel ---------------------------------------------------------------------------------


def _panel(html: str) -> str:
    start = html.index('id="checks-panel"')
    return html[start : html.index("</section>", start)]


def test_the_change_form_shows_each_check_with_its_findings_linking_to_the_box(client, absolute, editor):
    client.force_login(editor)
    panel = _panel(client.get(f"/admin/articles/article/{absolute.pk}/change/").content.decode())

    assert 'data-url="/admin/articles/article/content-checks/"' in panel
    assert "Nothing blocks submission" in panel
    assert '<a href="#id_sections-0-claims-0-text">Section 1 “Heading 1”, claim 1</a>: says “always”' in panel
    assert '<a href="#id_sections-1-claims-1-text">Section 2 “Heading 2”, claim 2</a>: says “never”' in panel
    assert "Configure the checks" not in panel  # editors do not set the site's checks


def test_the_board_may_configure_the_checks_from_the_panel(client, absolute, board_member):
    client.force_login(board_member)
    panel = _panel(client.get(f"/admin/articles/article/{absolute.pk}/change/").content.decode())
    assert '<a href="/admin/articles/contentchecksettings/">Configure the checks</a>' in panel


def _form(article, **changes):
    data = {
        "summary": article.summary,
        "literature_through": "2025-06-30",
        "sections-TOTAL_FORMS": "1",
        "sections-0-heading": "Evidence",
        "sections-0-position": "0",
        "sections-0-claims-TOTAL_FORMS": "2",
        "sections-0-claims-0-text": "Heat helps [@ref-0].",
        "sections-0-claims-0-position": "1",
        "sections-0-claims-1-text": "heat helps.",
        "sections-0-claims-1-position": "0",
    }
    data.update(changes)
    return data


def test_the_live_check_reads_the_unsaved_form_and_saves_nothing(client, absolute, editor):
    client.force_login(editor)
    before = Article.objects.get(pk=absolute.pk).edit_version

    response = client.post("/admin/articles/article/content-checks/", _form(absolute))

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["blocking"] == 1
    # the rows as the editor arranged them: row 1 is first, so row 0 repeats it
    assert '<a href="#id_sections-0-claims-0-text">Section 1 “Evidence”, claim 2</a>: says the same as' in body["html"]
    assert Article.objects.get(pk=absolute.pk).edit_version == before


def test_the_live_check_names_the_missing_literature_date(client, absolute, editor):
    client.force_login(editor)
    html = client.post("/admin/articles/article/content-checks/", _form(absolute, literature_through="")).json()["html"]
    assert '<a href="#id_literature_through">Literature reviewed through</a>: is not set' in html


def test_the_live_check_is_for_editors_only(client, absolute):
    reader = UserFactory(username="reader", is_staff=True)
    client.force_login(reader)
    assert client.post("/admin/articles/article/content-checks/", _form(absolute)).status_code == 403
    client.logout()
    assert client.post("/admin/articles/article/content-checks/", _form(absolute)).status_code == 302  # to log in


def test_the_live_check_refuses_get_and_a_post_without_csrf(absolute, editor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.get("/admin/articles/article/content-checks/").status_code == 405
    assert strict.post("/admin/articles/article/content-checks/", _form(absolute)).status_code == 403


def test_the_live_check_costs_the_same_queries_however_long_the_answer(
    client, absolute, editor, django_assert_max_num_queries
):
    client.force_login(editor)
    small = _form(absolute)
    big = _form(absolute, **{"sections-TOTAL_FORMS": "6"})
    for s in range(6):
        big[f"sections-{s}-heading"] = f"Heading {s}"
        big[f"sections-{s}-position"] = str(s)
        big[f"sections-{s}-claims-TOTAL_FORMS"] = "8"
        for c in range(8):
            big[f"sections-{s}-claims-{c}-text"] = f"Claim {s}.{c} always [@ref-{c % 4}]"
            big[f"sections-{s}-claims-{c}-position"] = str(c)
    client.post("/admin/articles/article/content-checks/", small)  # warm the session

    # session, user, permissions ×2; the cited references, the checks' configuration
    with django_assert_max_num_queries(6) as small_queries:
        client.post("/admin/articles/article/content-checks/", small)
    with django_assert_max_num_queries(len(small_queries)):
        assert client.post("/admin/articles/article/content-checks/", big).json()["warnings"] > 40


def test_the_review_page_checks_the_pinned_content(client, absolute, editor, board_member):
    review = review_start(review=review_submit(article=absolute, by=editor), by=board_member)
    pinned = review.content
    pinned["sections"][0]["claims"][1]["text"] = "It is guaranteed to work."
    Review.objects.filter(pk=review.pk).update(content=pinned)
    client.force_login(board_member)

    panel = _panel(client.get(f"/admin/reviews/review/{review.pk}/workspace/").content.decode())

    assert "<strong>Section 1 “Heading 1”, claim 1</strong>: says “always”" in panel
    assert "<strong>Section 1 “Heading 1”, claim 2</strong>: says “guaranteed”" in panel  # the pinned text
    assert "data-url" not in panel  # read-only: no live check


def test_the_settings_screen_is_one_row_for_the_board_and_forbidden_to_editors(client, editor, board_member):
    client.force_login(board_member)
    assert client.get("/admin/articles/contentchecksettings/").url == "/admin/articles/contentchecksettings/1/change/"
    page = client.get("/admin/articles/contentchecksettings/1/change/")
    assert page.status_code == 200 and "Target reading grade" in page.content.decode()
    fields = {
        "reading_level": "block",
        "reading_target_grade": "6",
        "absolute_words": "warning",
        "absolute_word_list": "always\nproven",
        "ungraded_claims": "off",
        "unlocated_references": "warning",
        "old_guidelines": "warning",
        "guideline_max_age_years": "3",
        "duplicate_claims": "block",
        "audience_without_claims": "warning",
    }
    assert client.post("/admin/articles/contentchecksettings/1/change/", fields).status_code == 302
    config = ContentCheckSettings.current()
    assert (config.reading_level, config.guideline_max_age_years, config.words()) == ("block", 3, ["always", "proven"])
    assert client.get("/admin/articles/contentchecksettings/add/").status_code == 403

    client.force_login(editor)
    assert (
        client.post("/admin/articles/contentchecksettings/1/change/", {**fields, "reading_level": "off"}).status_code
        == 403
    )
    assert ContentCheckSettings.current().reading_level == "block"
