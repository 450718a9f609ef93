"""`manage.py import_source_events FILE.csv`: every row checked first; any bad row, and nothing is written."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from references.models import Reference
from reviews.models import SourceAlert, SourceEvent
from reviews.source_events import SourceEventRefused
from tests.helpers import ReferenceFactory

pytestmark = pytest.mark.django_db

HEADER = "identifier,event,date,replacement,notice_url,note\n"


@pytest.fixture
def sources(approved):
    """The approved answer's four references, with identifiers: DOIs 10.1000/s0…s3, PMIDs 1000…1003."""
    refs = [c.reference for c in approved.current_publication.citations.order_by("number")]
    for n, ref in enumerate(refs):
        Reference.objects.filter(pk=ref.pk).update(doi=f"10.1000/s{n}", pmid=str(1000 + n))
    newer = ReferenceFactory(doi="10.1000/newer", pmid="2000", title="The newer guideline", year=2025)
    return [Reference.objects.get(pk=r.pk) for r in refs] + [newer]


def _run(write_page, text: str, name="events.csv", by=None) -> str:
    out = io.StringIO()
    call_command("import_source_events", str(write_page(text, name)), *(["--by", by] if by else []), stdout=out)
    return out.getvalue()


def _state():
    """Everything the command may write."""
    return (
        list(SourceEvent.objects.order_by("pk").values_list("pk", flat=True)),
        list(SourceAlert.objects.order_by("pk").values_list("pk", "resolved_at")),
        list(
            Reference.objects.order_by("pk").values_list(
                "pk", "retracted_on", "retraction_notice_url", "superseded_by", "superseded_on"
            )
        ),
    )


def test_a_valid_file_records_every_event_alerts_and_tells_the_board_on_commit(
    write_page, sources, approved, board_member, client, django_capture_on_commit_callbacks
):
    text = HEADER + (
        "10.1000/s0,retracted,2024-03-05,,https://example.org/notice,Fabricated data\n"
        "PMID: 1001,superseded,2024-06-01,https://doi.org/10.1000/newer,,\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        output = _run(write_page, text, by=board_member.username)

    retracted, superseded = (Reference.objects.get(pk=r.pk) for r in sources[:2])
    assert (retracted.retracted_on, retracted.retraction_notice_url) == (date(2024, 3, 5), "https://example.org/notice")
    assert (superseded.superseded_by, superseded.superseded_on) == (sources[4], date(2024, 6, 1))
    events = list(SourceEvent.objects.order_by("source"))
    assert [(e.kind, e.source, e.recorded_by, e.note) for e in events] == [
        ("retracted", "events.csv:2", board_member, "Fabricated data"),
        ("superseded", "events.csv:3", board_member, ""),
    ]
    assert SourceAlert.objects.open().filter(article=approved).count() == 2
    assert (
        "Recorded 2 event(s), confirmed by Dr. Bo Reviewer, MD, FACP for the board; 2 alert(s) opened; the board has been emailed."
        in output
    )
    assert len(mail.outbox) == 2  # one message per event, each once
    page = client.get(approved.get_absolute_url()).content.decode()
    assert "Retracted on March 5, 2024." in page
    assert "Superseded by “The newer guideline” (2025)." in page


def test_bad_rows_are_all_reported_by_line_and_nothing_is_written(write_page, sources, approved, board_member):
    from reviews.source_events import reference_record_event

    reference_record_event(reference=sources[3], kind="retracted", occurred_on=date(2023, 1, 1), by=board_member)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    rows = {
        2: "10.1000/unknown,retracted,2024-03-05,,,",
        3: "99999999,retracted,2024-03-05,,,",
        4: "10.1000/s0,retracted,05/03/2024,,,",
        5: f"10.1000/s0,retracted,{future},,,",
        6: "10.1000/s0,withdrawn,2024-03-05,,,",
        7: "10.1000/s1,superseded,2024-03-05,,,",
        8: "10.1000/s2,retracted,2024-03-05,,,",  # valid on its own
        9: "1002,retracted,2024-03-07,,,",  # the same reference and event again, by its PMID
        10: "10.abc,retracted,2024-03-05,,,",
        11: "10.1000/s1,superseded,2024-03-05,10.1000/missing,,",
        12: "10.1000/s0,retracted,2024-03-05,,javascript:alert(1),",
        13: "10.1000/s1,superseded,2024-03-05,10.1000/s1,,",
        14: "10.1000/s3,retracted,2024-03-05,,,",
        15: ",retracted,2024-03-05,,,",
    }
    text = HEADER + "".join(row + "\n" for row in rows.values())
    before = _state()

    with pytest.raises(CommandError) as refused:
        _run(write_page, text)

    lines = str(refused.value).splitlines()
    assert lines[0] == "Nothing was recorded:"
    assert [int(line.split(":")[1]) for line in lines[1:]] == [n for n in rows if n != 8]
    report = dict((int(line.split(":")[1]), line) for line in lines[1:])
    assert "no reference has the identifier “10.1000/unknown”" in report[2]
    assert "no reference has the identifier “99999999”" in report[3]
    assert "“05/03/2024” is not a date; write it as YYYY-MM-DD" in report[4]
    assert f"The date {future} is in the future" in report[5]
    assert "Unknown event “withdrawn”: use retracted or superseded" in report[6]
    assert "A superseded reference needs the reference that replaces it" in report[7]
    assert "the same event for this reference is already on line 8" in report[9]
    assert "“10.abc” is not a DOI" in report[10]
    assert "no reference has the replacement identifier “10.1000/missing”" in report[11]
    assert "“javascript:alert(1)” is not a web address" in report[12]
    assert "A reference cannot supersede itself" in report[13]
    assert "is already recorded as retracted on 2023-01-01" in report[14]
    assert "no DOI or PubMed ID given" in report[15]
    assert all(line.startswith("events.csv:") for line in lines[1:])
    assert _state() == before
    assert not mail.outbox


def test_a_file_that_would_make_a_loop_of_supersessions_is_refused(write_page, sources):
    text = HEADER + "10.1000/s0,superseded,2024-03-05,10.1000/s1,,\n10.1000/s1,superseded,2024-03-05,10.1000/s0,,\n"
    before = _state()

    with pytest.raises(CommandError, match=r"events\.csv:3: .*is itself superseded by"):
        _run(write_page, text)

    assert _state() == before


def test_a_row_invalidated_while_the_file_is_written_rolls_back_the_whole_file(
    write_page, sources, board_member, monkeypatch
):
    from reviews import source_events as service

    record = service.reference_record_event

    def someone_retracts_the_second_meanwhile(**kwargs):
        recorded = record(**kwargs)
        record(reference=sources[1], kind="retracted", occurred_on=date(2024, 1, 1), by=board_member, notify=False)
        monkeypatch.setattr(service, "reference_record_event", record)
        return recorded

    monkeypatch.setattr(service, "reference_record_event", someone_retracts_the_second_meanwhile)
    text = HEADER + "10.1000/s0,retracted,2024-03-05,,,\n10.1000/s1,retracted,2024-03-05,,,\n"
    before = _state()

    with pytest.raises(SourceEventRefused) as refused:
        service.import_source_events(text, name="events.csv")

    assert refused.value.messages == [
        f"events.csv:3: “{sources[1].key}” is already recorded as retracted on 2024-01-01."
    ]
    assert _state() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("doi,event\n10.1000/s0,retracted\n", "missing: identifier, date"),
        (HEADER, "events.csv: no events in the file."),
        (b"identifier,event,date\n\xff\xfe,retracted,2024-01-01\n", "not UTF-8 text"),
    ],
)
def test_a_malformed_file_is_refused(write_page, sources, content, message):
    before = _state()

    with pytest.raises(CommandError, match=message):
        call_command("import_source_events", str(write_page(content, "events.csv")), stdout=io.StringIO())

    assert _state() == before


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_source_events", str(tmp_path / "nope.csv"))


def test_columns_may_come_in_any_order_with_a_byte_order_mark(write_page, sources, board_member):
    text = "\ufeffDate,Event,Identifier\n2024-03-05,Retracted,10.1000/S0\n"

    _run(write_page, text, by=board_member.username)

    assert Reference.objects.get(pk=sources[0].pk).retracted_on == date(2024, 3, 5)
