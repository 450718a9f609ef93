"""The review queue (reviews/admin/queue.py): it opens on what awaits the person looking, filters
"Assigned to me", "Overdue" and by stage, shows each cycle's stage, assignee and due date at a
constant cost in queries; and people are named the same way on every page the board and the
editors use (display name with a board member's credentials, never a username)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import BoardMember, ReviewStage, Workflow, WorkflowStage
from reviews.roles import BOARD, PHARMACISTS
from reviews.services import review_approve, review_request_changes, review_start, review_submit
from tests.helpers import UserFactory, every_checklist_item, make_article, save_revision

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/review/"


def selected(page: str) -> str:
    """The queue filter's selected choice, as shown."""
    start = page.index('id="changelist-filter"')
    chunk = page[start:]
    marker = chunk.index('class="selected"')
    return chunk[marker : marker + 300].split(">", 2)[2].split("<", 1)[0].strip()


def submit(editor, n, topic=None):
    return review_submit(
        article=make_article(question=f"Is thing {n} safe?", slug=f"thing-{n}", topic=topic), by=editor
    )


def test_a_board_member_lands_on_what_is_assigned_to_them_else_awaiting_review(client, editor, board_member):
    client.force_login(board_member)
    assert selected(client.get(QUEUE).content.decode()).startswith("Awaiting review (0)")

    review = submit(editor, 1)  # suggested: the only board member
    page = client.get(QUEUE).content.decode()
    assert selected(page).startswith("Assigned to me (1)") and "Is thing 1 safe?" in page
    assert "Dr. Bo Reviewer, MD, FACP" in page  # the assignee column

    ReviewStage.objects.filter(review=review).update(assignee=None)
    assert selected(client.get(QUEUE).content.decode()).startswith("Awaiting review (1)")
    review_start(review=review, by=board_member)
    assert selected(client.get(QUEUE).content.decode()).startswith("Under review by me (1)")


def test_an_explicit_all_still_lists_everything(client, editor, board_member):
    submit(editor, 1)
    review_request_changes(
        review=review_start(review=submit(editor, 2), by=board_member), by=board_member, comment="No."
    )
    client.force_login(board_member)
    page = client.get(QUEUE, {"queue": "all"}).content.decode()
    assert selected(page) == "All" and "Is thing 1 safe?" in page and "Is thing 2 safe?" in page
    assert "Is thing 2 safe?" not in client.get(QUEUE).content.decode()  # the default: assigned to me


def test_an_editor_lands_on_changes_requested_else_their_submissions(client, editor, board_member):
    submit(editor, 1)
    client.force_login(editor)
    page = client.get(QUEUE).content.decode()
    assert selected(page).startswith("Submitted by me (1)") and "Is thing 1 safe?" in page

    review_request_changes(
        review=review_start(review=submit(editor, 2), by=board_member), by=board_member, comment="No."
    )
    page = client.get(QUEUE).content.decode()
    assert selected(page).startswith("Changes requested (1)")
    assert "Is thing 2 safe?" in page and "Is thing 1 safe?" not in page


def test_overdue_and_stage_filters_and_the_due_column(client, editor, board_member):
    late, on_time = submit(editor, 1), submit(editor, 2)
    ReviewStage.objects.filter(review=late).update(due_at=timezone.now() - timedelta(days=2))
    client.force_login(board_member)

    page = client.get(QUEUE, {"queue": "overdue"}).content.decode()
    assert "Is thing 1 safe?" in page and "Is thing 2 safe?" not in page
    assert "(overdue)" in page

    pharmacists = Group.objects.get(name=PHARMACISTS)
    ReviewStage.objects.filter(review=on_time).update(name="Pharmacist sign-off", group=pharmacists)
    page = client.get(QUEUE, {"queue": "all", "stage": "Pharmacist sign-off"}).content.decode()
    assert "Is thing 2 safe?" in page and "Is thing 1 safe?" not in page


def test_the_queue_costs_the_same_queries_however_many_reviews(client, editor, board_member, second_board_member):
    client.force_login(board_member)
    submit(editor, 0)
    client.get(QUEUE, {"queue": "all"})

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE, {"queue": "all"}).status_code == 200
        return len(queries)

    few = cost()
    for n in range(1, 7):
        review = submit(editor, n)
        if n % 2:
            review_start(review=review, by=second_board_member)
    assert cost() == few


@pytest.fixture
def named_people(db):
    """Two credentialed board members whose usernames must never show."""
    ann = UserFactory(username="zqxann", email="a@example.org", groups=[BOARD])
    BoardMember.objects.create(user=ann, display_name="Dr. Ann Lee", credentials="MD")
    bob = UserFactory(username="zqxbob", email="b@example.org", groups=[BOARD])
    BoardMember.objects.create(user=bob, display_name="Dr. Bob Ray", credentials="MD, PhD")
    edd = UserFactory(
        username="zqxedd", email="e@example.org", first_name="Eddie", last_name="Editor", groups=["Editors"]
    )
    return ann, bob, edd


def test_people_are_named_by_display_name_and_credentials_on_every_review_page(client, named_people):
    ann, bob, edd = named_people
    article = make_article(question="Is naming safe?", slug="naming")
    first = save_revision(edd, "First draft", article.save)
    second = save_revision(ann, "A board member's correction", article.save)  # ann edited: bob approves
    review = review_submit(article=article, by=edd)
    review_start(review=review, by=bob)
    review_approve(review=review, by=bob, comment="Fine.", ticked=every_checklist_item(review))
    client.force_login(bob)

    pages = {
        "queue": f"{QUEUE}?queue=all",
        "review": f"{QUEUE}{review.pk}/change/",
        "review page": review.workspace_url(),
        "audit trail": "/admin/reviews/reviewtransition/",
        "article": f"/admin/articles/article/{article.pk}/change/",
        "history": f"/admin/articles/article/{article.pk}/history/",
        "diff": f"/admin/articles/article/{article.pk}/history/diff/?from={first.pk}&to={second.pk}",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        for username in ("zqxann", "zqxbob", "zqxedd"):
            assert username not in page, (name, username)
        expected = {"Dr. Ann Lee, MD"} if name in ("history", "diff") else {"Dr. Bob Ray, MD, PhD", "Eddie Editor"}
        for person in expected:
            assert person in page, (name, person)


def test_a_two_stage_cycle_shows_its_second_stage_and_assignee_in_the_queue(client, editor, board_member):
    topic_article = make_article(question="Is a pharmacist stage safe?", slug="pharma-stage")
    from articles.models import Topic

    topic = Topic.objects.create(name="Drugs", slug="drugs")
    topic_article.topic = topic
    topic_article.save()
    pharmacist = UserFactory(username="pharma", first_name="Pat", last_name="Chemist", groups=[PHARMACISTS])
    workflow = Workflow.objects.create(name="Two", topic=topic)
    WorkflowStage.objects.create(
        workflow=workflow, position=1, name="Clinical review", group=Group.objects.get(name=BOARD)
    )
    WorkflowStage.objects.create(
        workflow=workflow, position=2, name="Pharmacist sign-off", group=Group.objects.get(name=PHARMACISTS)
    )
    review = review_start(review=review_submit(article=topic_article, by=editor), by=board_member)
    review_approve(review=review, by=board_member, ticked=every_checklist_item(review))

    client.force_login(pharmacist)
    page = client.get(QUEUE).content.decode()
    assert selected(page).startswith("Assigned to me (1)")
    assert "Pharmacist sign-off" in page and "Pat Chemist" in page and "Under review" in page


def listed(page: str) -> int:
    """The cycles the queue's table lists."""
    table = page.split('id="result_list"', 1)[1].split("</table>", 1)[0]
    return table.split("<tbody>", 1)[1].count("<tr")


def test_scheduled_publications_and_withdrawals_are_visible_in_the_queue(client, editor, board_member):
    from articles.models import Article
    from articles.publishing import article_publish
    from reviews.schedules import schedule_cancel, schedule_withdrawal

    scheduled = review_start(review=submit(editor, 1), by=board_member)
    due = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    review_approve(
        review=scheduled,
        by=board_member,
        ticked=every_checklist_item(scheduled),
        publish_on=due.strftime("%Y-%m-%dT%H:%M"),
    )
    live = make_article(question="Is thing 2 safe?", slug="thing-2")
    article_publish(article=live, origin="approval")
    withdrawal = schedule_withdrawal(
        article=Article.objects.get(pk=live.pk), by=board_member, due_at=due, reason="Superseded."
    )
    review_start(review=review_submit(article=Article.objects.get(pk=live.pk), by=editor), by=board_member)
    submit(editor, 3)  # nothing scheduled

    client.force_login(board_member)
    page = client.get(QUEUE + "?queue=scheduled").content.decode()
    assert "Scheduled (2)" in page and listed(page) == 2
    assert "Is thing 1 safe?" in page and "Is thing 2 safe?" in page and "Is thing 3 safe?" not in page
    assert page.count("Publishes ") == 1 and page.count("Withdrawn ") == 1
    assert "/admin/reviews/schedule/?state__exact=pending" in page  # where the board cancels them

    schedule_cancel(schedule=withdrawal, by=board_member)
    page = client.get(QUEUE + "?queue=scheduled").content.decode()
    assert "Scheduled (1)" in page and listed(page) == 1 and "Withdrawn " not in page


def test_the_record_pages_name_people_the_same_way(client, named_people):
    """Source events and alerts, publications, withdrawals and schedules: the person who acted by
    display name (with credentials), never by username — in the lists and on each record's page."""
    from datetime import date

    from articles.models import Article, Publication, Withdrawal
    from articles.publishing import article_withdraw_from_public
    from references.models import Reference
    from reviews.models import Schedule, SourceAlert, SourceEvent
    from reviews.schedules import schedule_withdrawal
    from reviews.source_events import alert_resolve, reference_record_event

    ann, bob, edd = named_people
    article = make_article(question="Is naming safe?", slug="naming")
    review = review_start(review=review_submit(article=article, by=edd), by=bob)
    review_approve(review=review, by=bob, ticked=every_checklist_item(review))
    reference = Reference.objects.filter(key__in=list(review.content["references"])).first()
    reference_record_event(reference=reference, kind="retracted", occurred_on=date(2026, 1, 5), by=ann, notify=False)
    alert_resolve(alert=SourceAlert.objects.get(), by=ann, comment="Re-checked: the claim stands without it.")
    schedule_withdrawal(
        article=Article.objects.get(pk=article.pk), by=bob, due_at=timezone.now() + timedelta(days=3), reason="Old."
    )
    other = make_article(question="Is withdrawing safe?", slug="withdrawing")
    again = review_start(review=review_submit(article=other, by=edd), by=bob)
    review_approve(review=again, by=bob, ticked=every_checklist_item(again))
    article_withdraw_from_public(article=Article.objects.get(pk=other.pk), by=ann, reason="Superseded.")
    client.force_login(bob)

    pages = {
        "source events": ("/admin/reviews/sourceevent/", "Dr. Ann Lee, MD"),
        "source event": (f"/admin/reviews/sourceevent/{SourceEvent.objects.get().pk}/change/", "Dr. Ann Lee, MD"),
        "source alerts": ("/admin/reviews/sourcealert/?open=no", "Dr. Ann Lee, MD"),
        "publications": ("/admin/articles/publication/", "Dr. Bob Ray, MD, PhD"),
        "publication": (
            f"/admin/articles/publication/{Publication.objects.first().pk}/change/",
            "Dr. Bob Ray, MD, PhD",
        ),
        "withdrawals": ("/admin/articles/withdrawal/", "Dr. Ann Lee, MD"),
        "withdrawal": (f"/admin/articles/withdrawal/{Withdrawal.objects.get().pk}/change/", "Dr. Ann Lee, MD"),
        "schedule": (f"/admin/reviews/schedule/{Schedule.objects.get().pk}/change/", "Dr. Bob Ray, MD, PhD"),
    }
    for name, (url, person) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        for username in ("zqxann", "zqxbob", "zqxedd"):
            assert username not in page, (name, username)
        assert person in page, (name, person)
