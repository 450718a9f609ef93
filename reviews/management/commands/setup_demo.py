import datetime
import secrets
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from articles.change_notes import ChangeClass
from articles.models import Article, Topic
from reviews.disclosures import NO_CONFLICT
from reviews.importing.write import review_import_pages
from reviews.models import BoardMember
from reviews.roles import BOARD, EDITORS, PHARMACISTS
from reviews.services import checklist_for, review_approve, review_start, review_submit

DEMO_PAGE = Path(settings.BASE_DIR) / "demo" / "baclofen-back-pain.demo.txt"
DEMO_SLUG = "is-baclofen-safe-for-treating-back-pain"  # the address the importer gives DEMO_PAGE's question
RESET_PASSWORD = ".venv/bin/python manage.py changepassword {username}"
DEMO_ACCOUNTS = [
    # username, group, is_superuser, first name, last name
    ("editor", EDITORS, False, "Erin", "Editor"),
    ("board", BOARD, False, "Bo", "Reviewer"),
    # signs a "Pharmacist sign-off" stage once a topic's workflow has one (admin: Review workflows)
    ("pharmacist", PHARMACISTS, False, "Pia", "Pharmacist"),
    ("admin", None, True, "Ada", "Admin"),
]
DEMO_BOARD_PROFILE = {
    "display_name": "Dr. Bo Reviewer",
    "credentials": "MD, FACP",
    "specialty": "Internal medicine",
    "bio": "Demo board member. Reviews answers on musculoskeletal pain and its pharmacological treatment.",
    "disclosures": "None declared.",
}


DEMO_LITERATURE_THROUGH = datetime.date(2025, 10, 31)
DEMO_TOPIC = {
    "name": "Back pain",
    "slug": "back-pain",
    "description": "Treatments for acute and chronic low back pain.",
}
DEMO_PATIENT_SUMMARY = (
    "Baclofen is not a good choice for back pain. It is approved for muscle stiffness caused by conditions such as "
    "multiple sclerosis, not for back pain, and there is little evidence that it helps. It often causes drowsiness, "
    "dizziness and confusion. Ask your doctor or pharmacist about better-studied options. "
    "[@guideline-directed-2025; @medication-selection-2025]"
)
DEMO_STUDENT_SUMMARY = (
    "Baclofen, a GABA-B agonist, is licensed for spasticity from multiple sclerosis and spinal cord disease, not for "
    "musculoskeletal back pain. Evidence for it in low back pain is sparse; guidelines prefer NSAIDs and, among muscle "
    "relaxants, better-studied agents such as tizanidine. Expect CNS adverse effects: sedation, dizziness, confusion. "
    "[@guideline-directed-2025; @medication-selection-2025]"
)


class Command(BaseCommand):
    help = (
        "Load the demo content and accounts once (running it again changes nothing), and print where the site, "
        "the admin and the demo answer are, the demo accounts, and how to set a new password for one."
    )

    # The demo's own review would otherwise print its notification emails over the passwords.
    @override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    def handle(self, *args, **options):
        User = get_user_model()
        created = {}
        with transaction.atomic():
            for username, group, is_superuser, first_name, last_name in DEMO_ACCOUNTS:
                if User.objects.filter(username=username).exists():
                    continue
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(
                    username=username,
                    email=f"{username}@example.org",
                    password=password,
                    is_staff=True,
                    is_superuser=is_superuser,
                    first_name=first_name,
                    last_name=last_name,
                )
                if group:
                    user.groups.add(Group.objects.get(name=group))
                if group == BOARD:
                    BoardMember.objects.create(user=user, **DEMO_BOARD_PROFILE)
                created[username] = password
            if not Article.objects.exists():
                [result] = review_import_pages([DEMO_PAGE], publish=True)
                self._review_audience_versions(result.article)
        self._print_summary(created)

    def _print_summary(self, created: dict[str, str]) -> None:
        """Every run: the addresses and the accounts; the passwords only when they were just made."""
        base = settings.ORACLE_BASE_URL.rstrip("/")
        existing = set(
            get_user_model()
            .objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
            .values_list("username", flat=True)
        )
        accounts = [
            (username, group or "administrator") for username, group, *_ in DEMO_ACCOUNTS if username in existing
        ]
        if created:
            self.stdout.write(self.style.WARNING("Demo accounts (passwords are shown this once; write them down):"))
        else:
            self.stdout.write("Demo accounts already exist (their passwords were printed on the first run):")
        for username, role in accounts:
            password = f"password: {created[username]}" if username in created else ""
            self.stdout.write(f"  {username:<10} {role:<24} {password}".rstrip())
        if accounts:
            others = ", ".join(username for username, _ in accounts[1:])
            self.stdout.write(
                f"Forgot a password? Set a new one with: {RESET_PASSWORD.format(username=accounts[0][0])}"
                + (f"  (or {others})" if others else "")
            )
        self.stdout.write(f"Site:         {base}/")
        self.stdout.write(f"Admin:        {base}/admin/  (sign in with a demo account)")
        demo = Article.objects.filter(slug=DEMO_SLUG, current_publication__isnull=False).first()
        if demo is not None:
            self.stdout.write(f"Demo answer:  {base}{demo.get_absolute_url()}")

    def _review_audience_versions(self, article):
        """The editor adds versions for patients and students; the board reviews and approves them,
        so the demo shows the workflow's result: version 2, "Reviewed by Dr. Bo Reviewer"."""
        User = get_user_model()
        editor, board = User.objects.get(username="editor"), User.objects.get(username="board")
        topic, _ = Topic.objects.get_or_create(slug=DEMO_TOPIC["slug"], defaults=DEMO_TOPIC)
        with reversion.create_revision():
            reversion.set_user(editor)
            reversion.set_comment("Added summaries for patients and for students")
            article.topic = topic
            article.summary_patient = DEMO_PATIENT_SUMMARY
            article.summary_student = DEMO_STUDENT_SUMMARY
            # how far the editor searched the evidence (reviewed content, confirmed at approval)
            article.literature_through = DEMO_LITERATURE_THROUGH
            article.save()
        review = review_submit(
            article=article, by=editor, change_summary="Added summaries for patients and for students"
        )
        review = review_start(review=review, by=board)
        review_approve(
            review=review,
            by=board,
            comment="Plain-language versions are accurate.",
            # the demo's board member attests every item of the checklist
            ticked=[item.pk for item in checklist_for(review)],
            # and declares no relevant conflict of interest (the answer page says so)
            declaration=NO_CONFLICT,
            # classifies the change and accepts the editor's note for readers (articles/change_notes.py)
            change_class=ChangeClass.MAJOR,
            change_note="Added summaries in plain language for patients and for students.",
            literature_confirmed=DEMO_LITERATURE_THROUGH,
        )
