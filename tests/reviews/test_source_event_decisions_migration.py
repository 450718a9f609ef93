"""Upgrading: events recorded before the board's confirmation existed had taken effect, so the
migration confirms each with the notice readers were shown; no notice disappears on deployment."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reviews", "0007_source_events_table_and_permissions")]
AFTER = [("reviews", "0008_source_event_decisions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_events_recorded_before_the_upgrade_are_confirmed_with_the_notice_readers_saw():
    try:
        old = _migrate(BEFORE)
        User = old.get_model("auth", "User")
        Reference = old.get_model("references", "Reference")
        SourceEvent = old.get_model("reviews", "SourceEvent")
        editor = User.objects.create(username="old-editor")
        retracted = Reference.objects.create(key="old-a", title="A", retracted_on=date(2024, 3, 5))
        newer = Reference.objects.create(key="old-new", title="The newer guideline", year=2025)
        superseded = Reference.objects.create(key="old-b", title="B", superseded_by=newer)
        SourceEvent.objects.create(
            reference=retracted, kind="retracted", occurred_on=date(2024, 3, 5), recorded_by=editor
        )
        SourceEvent.objects.create(
            reference=superseded, kind="superseded", occurred_on=date(2025, 1, 10), replacement=newer
        )

        new = _migrate(AFTER)

        decisions = new.get_model("reviews", "SourceEventDecision").objects.order_by("event__reference__key")
        assert [(d.event.reference.key, d.outcome, d.notice, d.by_id) for d in decisions] == [
            ("old-a", "confirmed", "Retracted on March 5, 2024.", editor.pk),
            ("old-b", "confirmed", "Superseded by “The newer guideline” (2025).", None),
        ]
        Group = new.get_model("auth", "Group")
        board = Group.objects.get(name="Medical Advisory Board").permissions.values_list("codename", flat=True)
        editors = Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
        assert "confirm_sourceevent" in board and "confirm_sourceevent" not in editors
        assert "add_sourceevent" in editors
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
