"""Two board members acting on the same cycle at the same moment, on real PostgreSQL connections."""

import threading

import pytest
from django.db import connection, connections

from articles.models import Publication
from reviews.models import Review, ReviewApproval, ReviewTransition
from reviews.services import review_approve
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and two connections"),
]


def race(*actions):
    """Run each action in its own thread (own connection), released together; collect outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("required", [1, 2])
def test_simultaneous_approvals_record_exactly_what_the_quorum_allows(
    under_review, board_member, second_board_member, settings, required
):
    settings.ORACLE_REQUIRED_APPROVALS = required
    third = UserFactory(username="board3", groups=["Medical Advisory Board"])

    outcomes = race(
        *(
            lambda u=u: review_approve(review=Review.objects.get(pk=under_review.pk), by=u)
            for u in (board_member, second_board_member, third)
        )
    )

    review = Review.objects.get(pk=under_review.pk)
    assert review.state == Review.State.APPROVED
    assert Publication.objects.count() == 1
    assert ReviewApproval.objects.filter(review=review).count() == required
    assert ReviewTransition.objects.filter(review=review, name="approve").count() == required
    succeeded = [o for o in outcomes if isinstance(o, Review)]
    assert len(succeeded) == required
    assert all(not isinstance(o, Review) for o in outcomes if o not in succeeded)


def test_simultaneous_submissions_open_one_cycle(draft, editor):
    from reviews.services import review_submit

    outcomes = race(lambda: review_submit(article=draft, by=editor), lambda: review_submit(article=draft, by=editor))

    assert Review.objects.filter(article=draft).count() == 1
    assert sum(isinstance(o, Review) for o in outcomes) == 1
