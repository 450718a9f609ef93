"""Review emails are durable effects: one per recipient, enqueued with the decision, sent by the
worker. A mail server that is down never turns a committed decision into an error, and each
message is sent exactly once when it is back."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from core.models import Effect
from reviews.models import Review
from tests.helpers import CHANGE_FOR_READERS, UserFactory, effects_due_now, run_effects

pytestmark = pytest.mark.django_db

EMAIL = "reviews.notifications.send_email"


def review_url(article):
    return f"/admin/articles/article/{article.pk}/review/"


class RefusingOneRecipient(EmailBackend):
    """A mail server that refuses one address (a full mailbox) and takes the others."""

    def send_messages(self, messages):
        if any("board2@" in to for m in messages for to in m.to):
            raise ConnectionError("452 mailbox full")
        return super().send_messages(messages)


def test_with_the_mail_server_down_submit_and_approve_answer_normally_and_mail_goes_once_it_is_back(
    client, draft, editor, board_member, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.helpers.FailingMailBackend"
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):  # the in-process attempt after commit fails
        response = client.post(review_url(draft), {"transition": "submit", "comment": "Ready"})
    assert response.status_code == 302
    review = Review.objects.get(article=draft)
    assert review.state == Review.State.SUBMITTED
    client.force_login(board_member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url(draft), {"transition": "start_review", "review": review.pk})
        response = client.post(
            review_url(draft),
            {"transition": "approve", "review": review.pk, "declaration": "none", **CHANGE_FOR_READERS},
            follow=True,
        )
    assert response.status_code == 200
    assert "Approved and published as version 1." in response.content.decode()
    emails = list(Effect.objects.filter(name=EMAIL).order_by("pk"))
    assert [e.args["to"] for e in emails] == [board_member.email, editor.email]
    assert all(e.status == "pending" and "mail server unreachable" in e.last_error for e in emails)
    assert not mail.outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    effects_due_now()
    run_effects()
    effects_due_now()
    run_effects()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([board_member.email, editor.email])
    assert "approved" in next(m for m in mail.outbox if m.to == [editor.email]).subject.lower()


def test_each_recipient_is_its_own_effect_so_a_retry_never_resends_to_the_others(draft, editor, board_member, settings):
    from reviews.services import review_submit

    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    UserFactory(username="board2", groups=["Medical Advisory Board"])
    UserFactory(username="board3", groups=["Medical Advisory Board"])
    settings.EMAIL_BACKEND = "tests.reviews.test_review_email_effects.RefusingOneRecipient"
    review_submit(article=draft, by=editor)
    run_effects()
    assert sorted(m.to[0] for m in mail.outbox) == ["board3@example.org", "board@example.org"]
    refused = Effect.objects.get(name=EMAIL, args__to="board2@example.org")
    assert refused.status == "pending" and "452 mailbox full" in refused.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    effects_due_now()
    run_effects()
    assert sorted(m.to[0] for m in mail.outbox) == ["board2@example.org", "board3@example.org", "board@example.org"]


def test_the_message_says_what_happened_when_the_decision_was_taken(draft, editor, board_member, settings):
    """Rendered with the decision: a later rename of the question does not change a queued email."""
    from articles.models import Article
    from reviews.services import review_submit

    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    review_submit(article=draft, by=editor)
    Article.objects.filter(pk=draft.pk).update(question="Renamed later?")
    run_effects()
    (message,) = mail.outbox
    assert draft.question in message.subject + message.body and "Renamed later?" not in message.body
