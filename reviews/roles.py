"""The editorial roles and exactly the permissions each holds. Applied by a data migration."""

from articles.content import EDIT_CONTENT_PERMISSIONS

EDITORS = "Editors"
BOARD = "Medical Advisory Board"
# signs a workflow's pharmacist stage (e.g. "Pharmacist sign-off"): reads, approves or sends back
PHARMACISTS = "Pharmacists"

_READ = [
    "articles.view_article",
    "articles.view_section",
    "articles.view_claim",
    "articles.view_publication",
    "articles.view_withdrawal",
    "articles.view_topic",
    "articles.view_followupquestion",
    # readers' error reports and their trail: everyone reads them; editors open updates from accepted ones
    "articles.view_errorreport",
    "articles.view_errorreportevent",
    "articles.view_sitepage",
    "articles.view_contentchecksettings",
    "references.view_reference",
    "reviews.view_review",
    "reviews.view_reviewtransition",
    "reviews.view_reviewapproval",
    "reviews.view_boardmember",
    "reviews.view_sourceevent",
    "reviews.view_sourcealert",
    "reviews.view_reviewduenotice",
    "reviews.view_rereviewqueue",
    "reviews.view_checklistitem",
    "reviews.view_checklistattestation",
    "reviews.view_disclosure",
    "reviews.view_schedule",
    "reviews.view_scheduleevent",
    "reviews.view_commentthread",
    "reviews.view_comment",
    "reviews.view_commentevent",
    "reviews.view_workflow",
    "reviews.view_workflowstage",
    "reviews.view_reviewstage",
]
_WRITE_CONTENT = [
    "articles.change_followupquestion",
    "articles.add_topic",
    "articles.change_topic",
    "articles.change_sitepage",
    "articles.add_article",
    *EDIT_CONTENT_PERMISSIONS,
    "references.add_reference",
    "references.change_reference",
    # retractions and replacements of sources: recorded by anyone who maintains the bibliography,
    # as proposals unless the board records them (confirm_sourceevent)
    "reviews.add_sourceevent",
]

ROLE_PERMISSIONS = {
    # Editors write and submit; they cannot start, request changes on, or approve a review.
    EDITORS: _READ + _WRITE_CONTENT + ["reviews.submit_review"],
    # The board reviews. Members may correct content, but never approve a version they edited.
    BOARD: _READ
    + _WRITE_CONTENT
    + [
        "reviews.start_review",
        "reviews.request_changes_review",
        "reviews.approve_review",
        "articles.withdraw_article",
        "reviews.resolve_sourcealert",
        # what readers are told about a source: the board confirms (or rejects) proposed events
        "reviews.confirm_sourceevent",
        # what an approver attests: the board sets the checklist (retires items, never deletes them)
        "reviews.add_checklistitem",
        "reviews.change_checklistitem",
        # scheduled publishing and withdrawal (reviews/schedules.py): the board cancels schedules;
        # a withdrawal is scheduled with articles.withdraw_article
        "reviews.cancel_schedule",
        # who signs what: the board sets the workflows and assigns any stage to a member of its group
        "reviews.assign_review",
        "reviews.add_workflow",
        "reviews.change_workflow",
        "reviews.add_workflowstage",
        "reviews.change_workflowstage",
        "reviews.delete_workflowstage",
        # which content checks block submission, warn or are off, and their numbers (articles/checks.py)
        "articles.change_contentchecksettings",
        # readers' error reports: whether a claim stands is the board's decision (accept, reject, fixed)
        "articles.triage_errorreport",
    ],
    # Pharmacists sign the stages of their group (the stage's group is checked on every approval);
    # they read everything the board reads and write no content.
    PHARMACISTS: _READ + ["reviews.approve_review", "reviews.request_changes_review"],
}


def sync_roles(apps) -> None:
    """Create the groups and give each exactly its permissions (idempotent).

    `apps` is a migration's app registry, or django.apps.apps outside migrations.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        # create_permissions() skips apps without a models module; a migration's stubs have none.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        # An earlier migration runs before later models exist: it grants what exists then, and the
        # migration that adds a model syncs again (tests check every permission is granted at the end).
        wanted = [
            permission
            for label, codename in (dotted.split(".") for dotted in codenames)
            if (permission := Permission.objects.filter(content_type__app_label=label, codename=codename).first())
        ]
        group.permissions.set(wanted)
