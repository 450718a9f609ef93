"""Conflicts of interest: disclosures, their overlap with an answer, the approver's declaration,
the rule that a stated conflict needs another member's approval, and the line readers see."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.answer_page import conflicts_note
from articles.models import Article, Publication
from reviews.disclosures import (
    CONFLICT,
    NO_CONFLICT,
    approvals_may_complete,
    normalise,
    overlaps_for,
)
from reviews.models import BoardMember, Disclosure, ReviewApproval
from reviews.services import ReviewRefused, review_approve, review_start, review_submit
from tests.helpers import CHANGE_FOR_READERS, ClaimFactory, ReferenceFactory, SectionFactory, UserFactory, make_article

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


def disclose(user, organisation="Acme Pharma Inc.", products="baclofen", **fields):
    member = user.board_member
    fields = {"relationship": Disclosure.Relationship.CONSULTANT, "starts_on": LAST_YEAR, **fields}
    disclosure = Disclosure(member=member, organisation=organisation, products=products, **fields)
    disclosure.full_clean()
    disclosure.save()
    return disclosure


def baclofen_answer():
    reference = ReferenceFactory(title="Baclofen for acute low back pain", source="Acme Pharma Press")
    article = make_article(
        question="Is baclofen safe for back pain?",
        slug="baclofen-back-pain",
        sections=1,
        claims_per_section=1,
        references=1,
    )
    article.summary = f"Short answer [@{reference.key}]"
    article.save()
    section = SectionFactory(article=article, heading="Muscle relaxants", position=9)
    ClaimFactory(section=section, text=f"Baclofen® causes drowsiness [@{reference.key}]", position=0)
    return article


@pytest.fixture
def member_b(db):
    user = UserFactory(username="member-b", groups=["Medical Advisory Board"])
    BoardMember.objects.create(user=user, display_name="Dr. Bea Second", credentials="PharmD")
    return user


@pytest.fixture
def answer_review(editor, board_member):
    review = review_submit(article=baclofen_answer(), by=editor)
    return review_start(review=review, by=board_member)


# --- disclosures ---------------------------------------------------------------------------


def test_products_are_cleaned_into_one_per_line_without_repeats(board_member):
    disclosure = disclose(board_member, products=" baclofen ,Tizanidine;\n\nBACLOFEN\n  ")
    assert disclosure.product_list == ["baclofen", "Tizanidine"]
    assert Disclosure.objects.get().products == "baclofen\nTizanidine"


def test_an_end_date_before_the_start_date_is_refused(board_member):
    with pytest.raises(ValidationError) as error:
        disclose(board_member, starts_on=TODAY, ends_on=TODAY - datetime.timedelta(days=1))
    assert "end date is before the start date" in str(error.value)
    assert not Disclosure.objects.exists()


def test_an_organisation_of_only_spaces_is_refused(board_member):
    with pytest.raises(ValidationError):
        disclose(board_member, organisation="   ")


# --- overlap ---------------------------------------------------------------------------------


def test_a_product_named_in_the_answer_overlaps_with_every_place_it_appears(answer_review, board_member):
    disclose(board_member)
    found = overlaps_for(board_member, answer_review.content)
    baclofen = next(o for o in found if o["term"] == "baclofen")
    assert "the question" in baclofen["where"]
    assert "section 1's heading" not in baclofen["where"]
    assert any(w.startswith("section ") and "claim" in w for w in baclofen["where"])  # "Baclofen®" matches
    assert any("(title)" in w for w in baclofen["where"])
    # the organisation, without its legal suffix, is the reference's publisher
    acme = next(o for o in found if o["term"] == "Acme Pharma Inc.")
    assert acme["where"] == [next(w for w in acme["where"] if "journal or publisher" in w)]


def test_no_overlap_for_unrelated_disclosures_or_parts_of_words(answer_review, board_member):
    disclose(board_member, organisation="Zeta Labs", products="clofen\nibuprofen")
    assert overlaps_for(board_member, answer_review.content) == []


def test_only_current_disclosures_count(answer_review, board_member):
    disclose(board_member, ends_on=TODAY - datetime.timedelta(days=1))  # ended yesterday
    disclose(board_member, organisation="Beta", starts_on=TODAY + datetime.timedelta(days=3))  # not yet
    assert overlaps_for(board_member, answer_review.content) == []
    disclose(board_member, organisation="Gamma", ends_on=TODAY)  # ends today: still current
    assert [o["term"] for o in overlaps_for(board_member, answer_review.content)] == ["baclofen"]


def test_normalisation_is_case_accent_and_punctuation_insensitive():
    assert normalise("Bäclofen™-Tablets, (Lioresal®)") == "baclofen tablets lioresal"


def test_a_user_without_a_board_profile_has_no_overlaps(answer_review, editor):
    assert overlaps_for(editor, answer_review.content) == []


# --- the declaration -------------------------------------------------------------------------


def test_a_declaration_sent_by_a_person_is_required(answer_review, board_member):
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=answer_review, by=board_member, declaration="")
    assert "Declare your conflicts of interest" in str(refused.value)
    assert not ReviewApproval.objects.exists()


def test_a_stated_conflict_needs_a_statement(answer_review, board_member):
    with pytest.raises(ReviewRefused) as refused:
        review_approve(review=answer_review, by=board_member, declaration=CONFLICT, conflict_statement="  ")
    assert "State your relevant conflict" in str(refused.value)
    assert not ReviewApproval.objects.exists()


def test_the_declaration_and_the_overlaps_shown_are_stored_with_the_approval(answer_review, board_member):
    disclose(board_member)
    review_approve(review=answer_review, by=board_member, declaration=NO_CONFLICT)
    approval = ReviewApproval.objects.get()
    assert approval.declaration == NO_CONFLICT
    assert {o["term"] for o in approval.overlaps} == {"baclofen", "Acme Pharma Inc."}
    # frozen: editing the disclosure later changes nothing stored
    Disclosure.objects.update(organisation="Renamed")
    assert ReviewApproval.objects.get().overlaps == approval.overlaps


def test_a_stated_conflict_does_not_complete_the_review_until_a_member_without_one_approves(
    answer_review, board_member, member_b
):
    disclose(board_member)
    review = review_approve(
        review=answer_review,
        by=board_member,
        declaration=CONFLICT,
        conflict_statement="I consult for Acme Pharma, which makes baclofen.",
    )
    assert review.state == "under_review" and review.publication_id is None
    assert "does not complete the review on its own" in review.transitions.last().comment

    review = review_approve(review=review, by=member_b, declaration=NO_CONFLICT)
    assert review.state == "approved"
    signatures = Publication.objects.get().reviewed_by
    assert signatures[0]["conflicts"]["declared"] == CONFLICT
    assert signatures[0]["conflicts"]["disclosures"] == [
        {"organisation": "Acme Pharma Inc.", "relationship": "Consultant", "products": ["baclofen"]}
    ]
    assert signatures[1]["conflicts"] == {"declared": NO_CONFLICT}


def test_two_stated_conflicts_do_not_complete_it_either(answer_review, board_member, member_b):
    review_approve(review=answer_review, by=board_member, declaration=CONFLICT, conflict_statement="Acme.")
    review = review_approve(review=answer_review, by=member_b, declaration=CONFLICT, conflict_statement="Also.")
    assert review.state == "under_review"


def test_the_rule_takes_any_list_of_approvals():
    none, conflict, unasked = (ReviewApproval(declaration=d) for d in (NO_CONFLICT, CONFLICT, ""))
    assert approvals_may_complete([none])[0]
    assert approvals_may_complete([unasked])[0]
    assert approvals_may_complete([conflict, none])[0]
    assert not approvals_may_complete([conflict])[0]
    assert not approvals_may_complete([conflict, unasked])[0]


def test_programs_that_are_not_asked_store_no_declaration_and_readers_see_nothing(answer_review, board_member):
    review = review_approve(review=answer_review, by=board_member)
    assert ReviewApproval.objects.get().declaration == ""
    assert conflicts_note(review.publication) == []


# --- readers ---------------------------------------------------------------------------------


def test_the_answer_page_shows_the_declarations_next_to_reviewed_by(client, answer_review, board_member, member_b):
    disclose(board_member)
    review_approve(
        review=answer_review, by=board_member, declaration=CONFLICT, conflict_statement="Consultant <b>Acme</b>."
    )
    review_approve(review=answer_review, by=member_b, declaration=NO_CONFLICT)
    article = Article.objects.get(pk=answer_review.article_id)
    page = client.get(f"/articles/{article.slug}/").content.decode()
    assert "Reviewed by Dr. Bo Reviewer, MD, FACP and Dr. Bea Second, PharmD" in page
    assert "Dr. Bo Reviewer, MD, FACP declared a relevant conflict: Consultant &lt;b&gt;Acme&lt;/b&gt;." in page
    assert "[Consultant, Acme Pharma Inc. (baclofen)]" in page
    assert "Dr. Bea Second, PharmD: No relevant conflicts declared." in page
    assert "<b>Acme</b>" not in page


def test_publications_that_predate_declarations_show_no_line(client, answer_review, board_member):
    review_approve(review=answer_review, by=board_member)
    page = client.get(f"/articles/{answer_review.article.slug}/").content.decode()
    assert "Reviewed by Dr. Bo Reviewer" in page
    assert "conflict" not in page.lower()


def test_the_answer_api_and_feed_carry_no_statement(client, answer_review, board_member):
    review_approve(review=answer_review, by=board_member, declaration=CONFLICT, conflict_statement="SECRET-STATEMENT")
    # only the completing member's declaration matters here: complete it with another member
    other = UserFactory(username="other", groups=["Medical Advisory Board"])
    review_approve(review=answer_review, by=other, declaration=NO_CONFLICT)
    slug = answer_review.article.slug
    for url in ("/feed/", reverse("api:answer", kwargs={"slug": slug}), "/sitemap.xml", "/api/answers/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"SECRET-STATEMENT" not in response.content, url
    # the reader page carries it: that is where readers are told (escaped)
    assert b"SECRET-STATEMENT" in client.get(f"/articles/{slug}/").content


# --- the admin -------------------------------------------------------------------------------


def member_change(user):
    return reverse("admin:reviews_boardmember_change", args=[user.board_member.pk])


def inline_post(user, rows):
    member = user.board_member
    data = {
        "user": member.user_id,
        "display_name": member.display_name,
        "credentials": member.credentials,
        "is_listed": "on",
        "disclosure_set-TOTAL_FORMS": str(len(rows)),
        "disclosure_set-INITIAL_FORMS": "0",
        "disclosure_set-MIN_NUM_FORMS": "0",
        "disclosure_set-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"disclosure_set-{i}-{k}": v for k, v in row.items()})
        data[f"disclosure_set-{i}-member"] = member.pk
    return data


ROW = {"organisation": "Acme", "relationship": "speaker", "products": "baclofen", "starts_on": "2025-01-01"}


def test_a_member_adds_their_own_disclosure_in_the_admin(client, board_member):
    client.force_login(board_member)
    response = client.post(member_change(board_member), inline_post(board_member, [ROW]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Disclosure.objects.get().member.user == board_member


def test_a_bad_date_in_the_admin_is_refused_and_nothing_is_saved(client, board_member):
    client.force_login(board_member)
    response = client.post(member_change(board_member), inline_post(board_member, [ROW | {"ends_on": "2024-01-01"}]))
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert not Disclosure.objects.exists()


def test_a_member_may_not_edit_another_members_disclosures(client, board_member, member_b):
    client.force_login(member_b)
    response = client.post(member_change(board_member), inline_post(board_member, [ROW]))
    assert response.status_code == 403
    assert not Disclosure.objects.exists()


def test_an_administrator_edits_anyones(client, board_member, admin_user):
    client.force_login(admin_user)
    response = client.post(member_change(board_member), inline_post(board_member, [ROW]))
    assert response.status_code == 302
    assert Disclosure.objects.get().member.user == board_member


def test_a_member_cannot_change_their_own_public_profile_through_the_disclosures_form(client, board_member):
    client.force_login(board_member)
    client.post(member_change(board_member), inline_post(board_member, [ROW]) | {"display_name": "Dr. Forged"})
    assert BoardMember.objects.get(user=board_member).display_name == "Dr. Bo Reviewer"


# --- the review page -------------------------------------------------------------------------


def decide(review):
    return reverse("admin:reviews_review_decide", args=[review.pk])


def test_the_review_page_shows_the_approvers_overlaps(client, answer_review, board_member):
    disclose(board_member)
    client.force_login(board_member)
    page = client.get(reverse("admin:reviews_review_workspace", args=[answer_review.pk])).content.decode()
    assert "Your current disclosures that this answer names" in page
    assert "“baclofen” (Consultant, Acme Pharma Inc.)" in page


def test_the_review_page_says_when_nothing_matches(client, answer_review, board_member):
    client.force_login(board_member)
    page = client.get(reverse("admin:reviews_review_workspace", args=[answer_review.pk])).content.decode()
    assert "None of your current disclosures matches this answer." in page


def test_approving_on_the_review_page_without_declaring_is_refused_and_keeps_what_was_typed(
    client, answer_review, board_member
):
    client.force_login(board_member)
    response = client.post(
        decide(answer_review),
        {
            "transition": "approve",
            "state": "under_review",
            "comment": "Fine.",
            "conflict_statement": "draft text",
            **CHANGE_FOR_READERS,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Declare your conflicts of interest before approving" in page
    assert "draft text" in page
    assert not ReviewApproval.objects.exists()


def test_approving_from_the_article_page_also_needs_the_declaration(client, answer_review, board_member):
    client.force_login(board_member)
    url = reverse("admin:articles_article_review", args=[answer_review.article_id])
    client.post(url, {"transition": "approve", "review": answer_review.pk, **CHANGE_FOR_READERS})
    assert not ReviewApproval.objects.exists()


def test_a_stated_conflict_on_the_review_page_says_another_member_is_needed(client, answer_review, board_member):
    client.force_login(board_member)
    response = client.post(
        decide(answer_review),
        {
            "transition": "approve",
            "state": "under_review",
            "declaration": CONFLICT,
            "conflict_statement": "Acme.",
            **CHANGE_FOR_READERS,
        },
        follow=True,
    )
    assert "needs an approval from another board member who declares no relevant conflict" in (
        response.content.decode()
    )
    assert ReviewApproval.objects.get().conflict_statement == "Acme."


def test_the_demo_answer_shows_the_board_members_declaration(client):
    import io

    from django.core.management import call_command

    call_command("setup_demo", stdout=io.StringIO())
    page = client.get("/articles/is-baclofen-safe-for-treating-back-pain/").content.decode()
    assert "Dr. Bo Reviewer, MD, FACP: No relevant conflicts declared." in page


def test_a_stated_conflict_on_the_article_page_says_another_member_is_needed(client, answer_review, board_member):
    client.force_login(board_member)
    url = reverse("admin:articles_article_review", args=[answer_review.article_id])
    response = client.post(
        url,
        {
            "transition": "approve",
            "review": answer_review.pk,
            "declaration": CONFLICT,
            "conflict_statement": "Acme.",
            **CHANGE_FOR_READERS,
        },
        follow=True,
    )
    assert "who declares no relevant conflict" in response.content.decode()
    assert ReviewApproval.objects.get().declaration == CONFLICT
