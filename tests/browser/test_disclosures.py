"""Conflicts of interest and schedules, in a real browser: a board member whose disclosure names
baclofen sees the overlap on the review page, declares it and approves; a second member without a
conflict completes the review; the answer page shows both declarations next to "Reviewed by". The
board then schedules the answer's withdrawal and sees it in the schedules list. axe-core (serious
and critical) and sideways scrolling at 1,280 and 390 px on the review page and the schedules list."""

import datetime

from playwright.sync_api import expect

from tests.helpers import (
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    UserFactory,
    log_in,
    make_article,
    tell_readers,
)

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "Is baclofen safe for back pain?"
STATEMENT = "I am a paid consultant to Acme Pharma, which makes baclofen."


def _answer():
    reference = ReferenceFactory(title="Baclofen for acute low back pain: a randomised trial")
    article = make_article(
        question=QUESTION, slug="is-baclofen-safe-for-back-pain", sections=1, claims_per_section=1, references=1
    )
    section = SectionFactory(article=article, heading="Side effects", position=5)
    ClaimFactory(section=section, text=f"Baclofen often causes drowsiness [@{reference.key}]", position=0)
    return article


def test_a_member_with_a_matching_disclosure_declares_it_and_readers_see_the_line(
    browser, live_server, transactional_db, admin_page_problems, screenshot
):
    from reviews.models import BoardMember, Disclosure, Review, Schedule
    from reviews.services import review_start, review_submit

    editor = UserFactory(username="editor", first_name="Eddie", last_name="Editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    member = BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD, FACP")
    Disclosure.objects.create(
        member=member,
        organisation="Acme Pharma Inc.",
        relationship=Disclosure.Relationship.CONSULTANT,
        products="baclofen\ntizanidine",
        starts_on=datetime.date(2024, 1, 1),
    )
    second = UserFactory(username="pharm", first_name="Pia", last_name="Pharm", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=second, display_name="Dr. Pia Pharm", credentials="PharmD")
    article = _answer()
    review = review_start(review=review_submit(article=article, by=editor, change_summary="First draft"), by=board)

    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # to inject axe-core
    page = context.new_page()
    problems = []
    log_in(page, live_server, "board", "Bo")

    # the review page: the overlap, with where it is named
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/workspace/")
    overlaps = page.locator(".workspace-coi .coi-overlaps")
    expect(overlaps).to_contain_text("“baclofen” (Consultant, Acme Pharma Inc.)")
    expect(overlaps).to_contain_text("the question")
    problems += admin_page_problems(page, "disclosures-1-review-page")

    # approving without declaring: refused, said plainly
    tell_readers(page)  # the class of change and the literature date (kept on refusal)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("ul.messagelist li.error")).to_contain_text("Declare your conflicts of interest")

    # declares the conflict and approves: recorded, but it needs a member without one
    page.get_by_label("I have a relevant conflict:").check()
    page.fill("#conflict-statement", STATEMENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("ul.messagelist li.warning")).to_contain_text("needs an approval from another board member")
    problems += admin_page_problems(page, "disclosures-2-conflict-declared")
    assert Review.objects.get().state == "under_review"
    context.close()

    # the second member: no disclosure matches; declares none and approves
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server, "pharm", "Pia")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/workspace/")
    expect(page.locator(".workspace-coi .coi-none")).to_have_text(
        "None of your current disclosures matches this answer."
    )
    expect(page.locator(".coi-overlaps--reviewer")).to_contain_text("baclofen")  # the reviewer's, shown too
    page.get_by_label("No relevant conflict").check()
    tell_readers(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.locator("ul.messagelist li.success")).to_have_text("Approved and published as version 1.")

    # readers: the declarations next to "Reviewed by"
    page.goto(f"{live_server.url}/articles/{article.slug}/")
    expect(page.locator(".review-note")).to_contain_text("Reviewed by Dr. Bo Reviewer, MD, FACP and Dr. Pia Pharm")
    lines = page.locator(".review-disclosures")
    expect(lines).to_have_text(
        [
            f"Dr. Bo Reviewer, MD, FACP declared a relevant conflict: {STATEMENT} "
            "[Consultant, Acme Pharma Inc. (baclofen, tizanidine)]",
            "Dr. Pia Pharm, PharmD: No relevant conflicts declared.",
        ]
    )
    screenshot(page, "disclosures-3-answer-page", full_page=False)

    # the board schedules the answer's withdrawal, and sees it in the schedules list
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    with page.expect_navigation():
        page.get_by_role("link", name="Schedule a withdrawal").click()
    page.fill("#id_due_at", f"{datetime.date.today() + datetime.timedelta(days=30)}T09:00")
    page.fill("#id_reason", "Superseded by the new guideline.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("Scheduled")
    assert Schedule.objects.get().kind == "withdraw"
    page.goto(f"{live_server.url}/admin/reviews/schedule/?state__exact=pending")
    expect(page.locator("#result_list")).to_contain_text(QUESTION)
    problems += admin_page_problems(page, "disclosures-4-schedules-list")
    context.close()

    assert not problems, "\n".join(problems)
