"""How an answer was made (issue 16, Deliver 7): API clients declare what they are; each revision
the API writes records its client; each publication freezes who drafted, edited and approved it;
readers, the JSON-LD and the read API say so, never naming a machine as an author."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from api.models import ApiRevision, ApiToken, ClientKind
from api.services import api_token_create
from articles.models import Article, Publication
from articles.provenance import provenance_compute
from tests.helpers import UserFactory, edit, reapprove

pytestmark = pytest.mark.django_db

PIPELINE = "literature-pipeline v2"


@pytest.fixture
def pipeline_token(editor):
    token = ApiToken(
        owner=editor,
        name="literature pipeline",
        scopes=["drafts:write", "reviews:read"],
        client_kind=ClientKind.AUTOMATED,
        system_name=PIPELINE,
    )
    return api_token_create(token=token)


@pytest.fixture
def pipeline(as_token, pipeline_token):
    return as_token(pipeline_token)


@pytest.fixture
def second_editor(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Second", groups=["Editors"])


def _ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


# --- clients declare what they are ---------------------------------------------------------


def test_an_automated_client_must_name_its_model_or_pipeline(editor):
    token = ApiToken(owner=editor, name="bot", scopes=["drafts:write"], client_kind=ClientKind.AUTOMATED)

    with pytest.raises(ValidationError) as refused:
        api_token_create(token=token)

    assert "model or pipeline" in str(refused.value.message_dict["system_name"])
    assert not ApiToken.objects.exists()


def test_only_an_automated_client_names_a_system(editor):
    token = ApiToken(owner=editor, name="me", scopes=[], client_kind=ClientKind.PERSON, system_name="gpt")

    with pytest.raises(ValidationError):
        api_token_create(token=token)
    assert not ApiToken.objects.exists()


def test_a_new_token_cannot_be_undeclared(editor):
    with pytest.raises(ValidationError):
        api_token_create(token=ApiToken(owner=editor, name="x", scopes=[], client_kind=ClientKind.UNDECLARED))
    assert not ApiToken.objects.exists()


def test_the_admin_requires_a_declaration_and_a_systems_name(client, admin_user, editor):
    client.force_login(admin_user)
    base = {"owner": editor.pk, "name": "pipeline", "scopes": ["drafts:write"]}

    undeclared = client.post("/admin/api/apitoken/add/", base)
    unnamed = client.post("/admin/api/apitoken/add/", {**base, "client_kind": "automated", "system_name": "  "})
    form = client.get("/admin/api/apitoken/add/").content.decode()

    assert undeclared.status_code == 200 and "This field is required" in undeclared.content.decode()
    assert unnamed.status_code == 200 and "Name the model or pipeline" in unnamed.content.decode()
    assert not ApiToken.objects.exists()
    assert 'value="undeclared"' not in form and 'value="automated"' in form
    assert 'value="person" checked' not in form  # no default: the administrator chooses


def test_the_kind_is_fixed_once_declared_but_an_undeclared_token_can_be_declared(client, admin_user, editor):
    client.force_login(admin_user)
    declared = ApiToken(owner=editor, name="bot", scopes=[], client_kind=ClientKind.AUTOMATED, system_name=PIPELINE)
    api_token_create(token=declared)
    legacy = ApiToken(owner=editor, name="old", scopes=[], client_kind=ClientKind.PERSON)
    api_token_create(token=legacy)
    ApiToken.objects.filter(pk=legacy.pk).update(client_kind=ClientKind.UNDECLARED)  # as migration 0003 left it

    client.post(
        f"/admin/api/apitoken/{declared.pk}/change/",
        {"name": "bot", "client_kind": "person", "system_name": PIPELINE + ".1", "scopes": []},
    )
    client.post(
        f"/admin/api/apitoken/{legacy.pk}/change/",
        {"name": "old", "client_kind": "automated", "system_name": "importer-llm 1", "scopes": []},
    )

    declared.refresh_from_db()
    legacy.refresh_from_db()
    assert (declared.client_kind, declared.system_name) == ("automated", PIPELINE + ".1")
    assert (legacy.client_kind, legacy.system_name) == ("automated", "importer-llm 1")


def test_the_command_declares_the_client(editor, capsys):
    call_command("create_api_token", "editor", "--name", "bot", "--kind", "automated", "--system", PIPELINE)

    token = ApiToken.objects.get()
    assert (token.client_kind, token.system_name) == ("automated", PIPELINE)
    assert f"An automated drafting system ({PIPELINE})" in capsys.readouterr().err
    with pytest.raises(CommandError, match="model or pipeline"):
        call_command("create_api_token", "editor", "--name", "bot2", "--kind", "automated")
    assert ApiToken.objects.count() == 1


def test_the_command_defaults_to_a_person(editor):
    call_command("create_api_token", "editor", "--name", "me")

    assert ApiToken.objects.get().client_kind == ClientKind.PERSON


# --- each revision written through the API records its client ------------------------------


def test_a_revision_written_through_the_api_records_the_client_as_it_was_then(pipeline, draft_payload):
    created = pipeline.post("/api/drafts/", draft_payload()).json()
    ApiToken.objects.update(system_name="literature-pipeline v3")  # a later re-declaration
    pipeline.put(
        f"/api/drafts/{created['id']}/", {**draft_payload(summary="Heat helps [@acp-lbp-2017]."), "version": 1}
    )

    revisions = [v.revision for v in Version.objects.get_for_object(Article.objects.get(pk=created["id"]))]
    records = [r.api_client for r in sorted(revisions, key=lambda r: r.pk)]
    assert [(r.client_kind, r.system_name, r.client_name) for r in records] == [
        ("automated", PIPELINE, "literature pipeline"),
        ("automated", "literature-pipeline v3", "literature pipeline"),
    ]
    with pytest.raises(ValidationError):
        records[0].save()


def test_a_refused_write_records_nothing(pipeline, draft_payload):
    response = pipeline.post("/api/drafts/", draft_payload(summary="Cites [@nowhere]."))

    assert response.status_code == 422
    assert not ApiRevision.objects.exists()


# --- frozen into the publication -----------------------------------------------------------


@pytest.fixture
def made(pipeline, draft_payload, editor, second_editor, board_member):
    """Drafted by the pipeline, edited twice by each of two editors, approved by the board."""
    article = Article.objects.get(pk=pipeline.post("/api/drafts/", draft_payload()).json()["id"])
    edit(article, editor, summary="Superficial heat gives small short-term relief [@acp-lbp-2017].")
    edit(article, second_editor, claim="Heat wraps reduce pain")  # "at 5 days" removed
    edit(article, second_editor, question="Does heat help acute lower back pain?")
    edit(article, editor, summary="Superficial heat gives slight short-term relief [@acp-lbp-2017].")
    return reapprove(article, editor=editor, board=board_member)


def test_the_publication_freezes_who_drafted_edited_and_approved_it(made):
    provenance = made.current_publication.provenance

    assert provenance["since_version"] is None and provenance["origin"] == "approval"
    assert provenance["drafted_by"] == {"kind": "automated", "client": "literature pipeline", "system": PIPELINE}
    editors = {e["name"]: (e["added"], e["removed"], e["saves"]) for e in provenance["editors"]}
    assert editors == {"editor": (2, 2, 2), "Sam Second": (1, 4, 2)}
    (machine,) = provenance["clients"]
    assert machine["system"] == PIPELINE and machine["saves"] == 1
    assert machine["added"] > 20 and machine["removed"] == 0  # the whole first draft
    assert [r["name"] for r in provenance["reviewers"]] == ["Dr. Bo Reviewer"]


def test_an_update_counts_only_what_changed_since_the_previous_publication(made, editor, second_editor, board_member):
    edit(made, second_editor, summary="Superficial heat gives slight relief [@acp-lbp-2017].")

    updated = reapprove(made, editor=editor, board=board_member)

    provenance = updated.current_publication.provenance
    assert provenance["since_version"] == 1
    assert provenance["drafted_by"] is None  # a person began this version
    assert [(e["name"], e["added"], e["removed"]) for e in provenance["editors"]] == [("Sam Second", 0, 2)]
    assert provenance["clients"] == []
    assert updated.current_publication.provenance != Publication.objects.get(article=updated, number=1).provenance


def test_readers_see_how_it_was_made_and_the_machine_is_never_an_author(client, made):
    html = client.get(f"/articles/{made.slug}/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    day = made.current_publication.reviewed_on
    when = f"{day:%B} {day.day}, {day.year}"

    assert "How this answer was made" in text
    assert (
        f"Drafted with an automated system ({PIPELINE}), edited by 2 editors, "
        f"reviewed and approved by Dr. Bo Reviewer, MD, FACP on {when}." in text
    )
    assert "Sam Second" not in text  # editors are counted, not named, for readers
    for authorship in ("by " + PIPELINE, "Written by", "Author", "author"):
        assert authorship not in text
    ld = _ld(html)
    assert "author" not in ld and "creator" not in ld and "contributor" not in ld
    assert ld["isBasedOn"] == {
        "@type": "SoftwareApplication",
        "name": PIPELINE,
        "applicationCategory": "Automated drafting system",
    }
    assert ld["creditText"].startswith(f"Drafted with an automated system ({PIPELINE}), edited by 2 editors")
    assert ld["reviewedBy"][0]["name"] == "Dr. Bo Reviewer"


def test_the_read_api_carries_the_same_facts(anonymous, made):
    review = anonymous.get(f"/api/answers/{made.slug}/").json()["review"]

    assert review["provenance"]["drafted_with"] == {"kind": "automated", "system": PIPELINE}
    assert review["provenance"]["editors"] == 2
    assert review["provenance"]["summary"].startswith("Drafted with an automated system")


def test_an_answer_a_person_wrote_says_so_without_a_machine(client, editor, second_editor, board_member, article):
    edit(article, second_editor, summary="Rewritten by a person [@" + article.summary.split("[@")[1])

    published = reapprove(article, editor=editor, board=board_member)

    html = client.get(f"/articles/{published.slug}/").content.decode()
    assert "Written and edited by 2 editors, reviewed and approved by Dr. Bo Reviewer" in html
    assert "automated" not in html and "isBasedOn" not in html


def test_a_pipeline_writing_on_after_a_person_began_is_said_too(
    client, made, pipeline, draft_payload, editor, board_member
):
    """A person begins the update (its first revision is theirs); the pipeline then writes on:
    readers are still told an automated system helped, and the JSON-LD names it."""
    edit(made, editor, question="Does heat help acute low back pain?")
    current = Article.objects.get(pk=made.pk)
    written = pipeline.put(
        f"/api/drafts/{made.pk}/",
        {
            **draft_payload(question=current.question, summary="Heat wraps give short-term relief [@acp-lbp-2017]."),
            "version": current.edit_version,
        },
    )
    assert written.status_code == 200, written.content
    updated = reapprove(Article.objects.get(pk=made.pk), editor=editor, board=board_member)

    frozen = updated.current_publication.provenance
    assert frozen["drafted_by"] is None and [c["system"] for c in frozen["clients"]] == [PIPELINE]
    html = client.get(f"/articles/{updated.slug}/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert f"Updated by 1 editor with help from an automated system ({PIPELINE}), reviewed and approved" in text
    ld = _ld(html)
    assert ld["isBasedOn"]["name"] == PIPELINE and "author" not in ld


def test_an_undeclared_client_cannot_write_until_it_is_declared(as_token, pipeline_token, draft_payload):
    ApiToken.objects.update(client_kind=ClientKind.UNDECLARED, system_name="")  # as migration 0003 left it
    undeclared = as_token(pipeline_token)

    refused = undeclared.post("/api/drafts/", draft_payload())

    assert refused.status_code == 403
    assert "has not declared what it is" in refused.json()["detail"]
    assert not Article.objects.exists() and not ApiRevision.objects.exists()
    ApiToken.objects.update(client_kind=ClientKind.AUTOMATED, system_name=PIPELINE)  # declared in the admin
    assert undeclared.post("/api/drafts/", draft_payload()).status_code == 201


def test_the_answer_page_stays_one_lookup_with_the_block(client, made, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(f"/articles/{made.slug}/")
    assert "How this answer was made" in response.content.decode()


def test_publishing_reads_each_revision_once_and_names_people_without_a_query_each(
    pipeline, draft_payload, editor, second_editor
):
    article = Article.objects.get(pk=pipeline.post("/api/drafts/", draft_payload()).json()["id"])
    for n in range(6):
        edit(article, (editor, second_editor)[n % 2], question=f"Does heat help acute low back pain, take {n}?")
    revisions = Version.objects.get_for_object(article).count()

    with CaptureQueriesContext(connection) as queries:
        provenance = provenance_compute(article=article, origin="approval", reviewed_by=[], reviewed_on=None)

    # the previous publication, the versions (with their users), their API clients; then each revision's content
    assert len(queries.captured_queries) <= 3 + revisions
    assert {e["name"] for e in provenance["editors"]} == {"editor", "Sam Second"}


def test_staff_see_each_editors_words_on_the_publication(client, admin_user, made):
    client.force_login(admin_user)

    html = client.get(f"/admin/articles/publication/{made.current_publication.pk}/change/").content.decode()

    assert "<td>Sam Second</td><td>editor</td><td>+1</td><td>−4</td><td>2</td>" in html
    assert "<td>editor</td><td>editor</td><td>+2</td><td>−2</td><td>2</td>" in html
    assert f"automated: {PIPELINE}" in html
    assert "Changes since the article was created" in html


def test_an_imported_answer_says_where_it_came_from(client, demo):
    html = client.get(f"/articles/{demo.slug}/").content.decode()

    assert "Imported from our previous site, reviewed there on October 17, 2025." in html


def test_older_publications_show_no_block(client, made):
    Publication.objects.filter(pk=made.current_publication_id).update(provenance={})
    publication = Publication.objects.get(pk=made.current_publication_id)
    from articles.publishing import publication_rerender_page

    publication_rerender_page(publication)

    assert "How this answer was made" not in client.get(f"/articles/{made.slug}/").content.decode()


def test_refresh_published_pages_chooses_related_answers_for_older_publications(made):
    from articles.related import related_of

    other = Article.objects.get(pk=made.pk)
    Publication.objects.filter(pk=other.current_publication_id).update(related_answers=[{"stale": True}])

    call_command("refresh_published_pages", "--related", "--quiet-progress")

    publication = Publication.objects.get(pk=other.current_publication_id)
    assert publication.related_answers == related_of(publication, other)


def test_the_systems_name_is_cleaned_of_invisible_characters(editor):
    token = ApiToken(
        owner=editor, name="bot", scopes=[], client_kind=ClientKind.AUTOMATED, system_name="pipe\u200bline\n v2\x07"
    )

    api_token_create(token=token)

    assert ApiToken.objects.get().system_name == "pipeline v2"


def test_the_public_history_says_how_each_version_was_made(client, made, editor, second_editor, board_member):
    edit(made, second_editor, summary="Superficial heat gives slight relief [@acp-lbp-2017].")
    reapprove(made, editor=editor, board=board_member)

    html = client.get(f"/articles/{made.slug}/history/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    assert "How this version was made: Updated by 1 editor, reviewed and approved by Dr. Bo Reviewer" in text
    assert f"How this version was made: Drafted with an automated system ({PIPELINE}), edited by 2 editors" in text
    assert "Sam Second" not in text
