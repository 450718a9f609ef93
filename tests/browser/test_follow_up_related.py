"""Issue 16, Deliver 7 and 8 in a real browser: the answer page says how it was made (drafted with
an automated system, edited, approved: never a machine as its author) and lists related answers;
a reader asks a follow-up and sees the reviewed answers that match it at once. axe-core (every
impact, as for every public page) and no sideways scrolling at 1,280 and 390 px; screenshots."""

import re

import reversion
from playwright.sync_api import expect

from tests.helpers import UserFactory, edit, make_article, reapprove

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PIPELINE = "literature-pipeline v2"
QUESTION = "Is baclofen safe for treating back pain?"
FOLLOW_UP = "Is baclofen safe to take with alcohol in the evening?"
AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return {passed: results.passes.length, violations: results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))};
}"""


def _problems(page, axe_source, screenshot, name) -> list[str]:
    problems = []
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        too_wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if too_wide > 0:
            problems.append(f"{name} at {label} px: {too_wide} px wider than the window")
        page.add_script_tag(content=axe_source)
        result = page.evaluate(AXE_RUN)
        assert result["passed"] > 10, f"{name}: axe-core checked almost nothing"
        problems += [f"{name} at {label} px: {v['id']} ({v['impact']}: {v['help']})" for v in result["violations"]]
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size(DESKTOP)
    return problems


def _world():
    from django.core.cache import cache

    from api.models import ApiRevision, ApiToken, ClientKind
    from api.services import api_token_create
    from articles.models import Article, Topic
    from reviews.models import BoardMember
    from tests.helpers import publish_directly

    cache.clear()
    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    back = Topic.objects.create(name="Back pain", slug="back-pain")
    token = ApiToken(
        owner=editor, name="literature pipeline", scopes=["drafts:write"], client_kind=ClientKind.AUTOMATED
    )
    token.system_name = PIPELINE
    api_token_create(token=token)

    for question, summary, topic in (
        ("Which exercises help chronic back pain?", "Walking and core exercise help", back),
        ("Is baclofen safe with alcohol?", "Baclofen and alcohol together cause drowsiness", None),
        ("Can I use baclofen in the evening?", "Baclofen in the evening", None),
    ):
        slug = re.sub(r"[^a-z]+", "-", question.lower()).strip("-")
        publish_directly(make_article(question=question, slug=slug, summary=summary, topic=topic, references=1))

    # the answer: drafted by the pipeline through the API (its revision records the client), edited, approved
    article = make_article(
        question=QUESTION, slug="is-baclofen-safe", summary="Baclofen is not advised for back pain", topic=back
    )
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.add_meta(ApiRevision, **ApiRevision.values_for(token))
        Article.objects.get(pk=article.pk).save()
        for section in article.sections.all():
            section.save()
            for claim in section.claims.all():
                claim.save()
    edit(article, editor, summary=article.summary.replace("not advised", "not recommended"))
    reapprove(article, editor=editor, board=board)
    return article


def test_a_reader_sees_how_it_was_made_related_answers_and_matches_for_a_follow_up(
    browser, live_server, transactional_db, axe_source, screenshot
):
    article = _world()
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append((page.url, m.text)))
    problems = []

    page.goto(f"{live_server.url}/articles/{article.slug}/")
    made = page.locator("section.provenance")
    expect(made.get_by_role("heading", name="How this answer was made")).to_be_visible()
    expect(made.locator(".provenance-note")).to_contain_text(
        f"Drafted with an automated system ({PIPELINE}), edited by 1 editor, "
        "reviewed and approved by Dr. Bo Reviewer, MD, FACP on"
    )
    expect(page.locator("article.answer")).not_to_contain_text(f"by {PIPELINE}")
    related = page.get_by_role("navigation", name="Related answers")
    links = related.get_by_role("link")
    expect(links).to_have_count(3)
    expect(links.first).to_have_text("Which exercises help chronic back pain?")  # the same topic first
    made.scroll_into_view_if_needed()
    screenshot(page, "provenance-1-answer-header", full_page=False)
    related.scroll_into_view_if_needed()
    screenshot(page, "provenance-2-related-answers", full_page=False)
    problems += _problems(page, axe_source, screenshot, "provenance-3-answer-page")

    page.locator("details.follow-up-details summary").click()
    page.fill("#follow-up-text", FOLLOW_UP)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send my question").click()
    assert navigation.value.status == 200
    assert "/follow-up/thanks/?r=" in page.url and "alcohol" not in page.url
    expect(page.get_by_role("status")).to_contain_text("We have passed your question to our editors.")
    matches = page.locator(".follow-up-matches").get_by_role("link")
    expect(matches.first).to_have_text("Is baclofen safe with alcohol?")
    expect(page.locator(".follow-up-matches")).not_to_contain_text(QUESTION)  # not the one they asked about
    screenshot(page, "provenance-4-follow-up-matches", full_page=False)
    problems += _problems(page, axe_source, screenshot, "provenance-5-follow-up-page")

    matches.first.click()
    expect(page.locator("h1")).to_have_text("Is baclofen safe with alcohol?")
    context.close()

    from articles.models import FollowUpQuestion

    assert FollowUpQuestion.objects.get().text == FOLLOW_UP  # still queued for the editors
    assert not problems, "\n".join(problems)
    assert errors == []


def test_an_administrator_declares_a_client_and_sees_how_an_answer_was_made(
    browser, live_server, transactional_db, admin_page_problems
):
    from api.models import ApiToken
    from articles.models import Publication
    from tests.helpers import log_in

    article = _world()
    UserFactory(username="root", first_name="Ada", last_name="Admin", is_superuser=True, is_staff=True)
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server, "root", "Ada")
    problems = []

    page.goto(f"{live_server.url}/admin/api/apitoken/add/")
    page.select_option("#id_owner", label="editor")
    page.fill("#id_name", "second pipeline")
    page.get_by_label("An automated drafting system").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()  # the model or pipeline is required
    expect(page.locator(".field-system_name .errorlist")).to_contain_text("Name the model or pipeline")
    problems += admin_page_problems(page, "provenance-6-token-refused")
    page.fill("#id_system_name", "summariser v1")
    page.get_by_label("drafts:write").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("Copy it now")
    assert ApiToken.objects.get(name="second pipeline").system_name == "summariser v1"

    publication = Publication.objects.get(article=article)
    page.goto(f"{live_server.url}/admin/articles/publication/{publication.pk}/change/")
    made = page.locator(".field-how_it_was_made")
    expect(made).to_contain_text("Drafted with an automated system (literature-pipeline v2)")
    expect(made.locator("tbody tr").first).to_contain_text("Eddie Editor")
    problems += admin_page_problems(page, "provenance-7-publication-admin")
    context.close()
    assert not problems, "\n".join(problems)
