"""`manage.py import_source_events FILE.csv --by USERNAME`: a board member's file takes effect, an
editor's (or an unattributed one) is proposals for the board, and the output says which."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from articles.models import Article
from references.models import Reference
from reviews.models import SourceAlert, SourceEvent
from reviews.services import review_approve
from tests.helpers import ReferenceFactory

pytestmark = pytest.mark.django_db

ROWS = (
    "identifier,event,date,replacement,notice_url,note\n"
    "10.1000/s0,retracted,2024-03-05,,https://example.org/notice,Fabricated data\n"
    "10.1000/s1,superseded,2024-06-01,10.1000/newer,,\n"
)


@pytest.fixture
def approved(under_review, board_member):
    review_approve(review=under_review, by=board_member)
    article = Article.objects.select_related("current_publication").get(pk=under_review.article_id)
    for n, citation in enumerate(article.current_publication.citations.order_by("number")):
        Reference.objects.filter(pk=citation.reference_id).update(doi=f"10.1000/s{n}")
    ReferenceFactory(doi="10.1000/newer", title="A newer guideline the editor typed", year=2025)
    return article


def _run(write_page, *args) -> str:
    out = io.StringIO()
    call_command("import_source_events", str(write_page(ROWS, "events.csv")), *args, stdout=out)
    return out.getvalue()


def _marks():
    return list(Reference.objects.order_by("pk").values_list("retracted_on", "superseded_by"))


@pytest.mark.parametrize("who", ["editor", None])
def test_a_file_from_an_editor_or_no_one_is_proposals_that_readers_do_not_see(
    client, write_page, approved, editor, who, django_capture_on_commit_callbacks
):
    before = _marks()

    with django_capture_on_commit_callbacks(execute=True):
        output = _run(write_page, *(["--by", editor.username] if who else []))

    assert "Proposed 2 event(s): readers see nothing of them until a member of the Medical Advisory Board" in output
    assert "/admin/reviews/sourceevent/?state=proposed" in output
    events = list(SourceEvent.objects.order_by("source"))
    assert [(e.source, e.recorded_by, e.state) for e in events] == [
        ("events.csv:2", editor if who else None, SourceEvent.State.PROPOSED),
        ("events.csv:3", editor if who else None, SourceEvent.State.PROPOSED),
    ]
    assert _marks() == before and not SourceAlert.objects.exists() and not mail.outbox
    page = client.get(approved.get_absolute_url()).content.decode()
    assert "Retracted" not in page and "A newer guideline the editor typed" not in page


def test_a_file_from_a_board_member_takes_effect_and_says_so(
    client, write_page, approved, board_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = _run(write_page, "--by", board_member.username)

    assert "Recorded 2 event(s), confirmed by Dr. Bo Reviewer, MD, FACP for the board; 2 alert(s) opened" in output
    assert [e.state for e in SourceEvent.objects.all()] == [SourceEvent.State.CONFIRMED] * 2
    assert SourceAlert.objects.open().count() == 2 and mail.outbox
    page = client.get(approved.get_absolute_url()).content.decode()
    assert "Retracted on March 5, 2024." in page
    assert "Superseded by “A newer guideline the editor typed” (2025)." in page


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "--by nobody: no active user has this username."),
        ("inactive", "--by inactive: no active user has this username."),
        ("visitor", "Nothing was recorded: visitor may not record source events."),
    ],
)
def test_an_unknown_inactive_or_unpermitted_importer_is_refused_and_nothing_is_written(
    write_page, approved, username, message
):
    from tests.helpers import UserFactory

    UserFactory(username="inactive", is_active=False, groups=["Medical Advisory Board"])
    UserFactory(username="visitor")  # staff without the bibliography's permissions
    before = _marks()

    with pytest.raises(CommandError) as refused:
        _run(write_page, "--by", username)

    assert str(refused.value) == message
    assert not SourceEvent.objects.exists() and _marks() == before
