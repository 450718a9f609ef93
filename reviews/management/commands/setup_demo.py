import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from reviews.models import BoardMember
from reviews.roles import BOARD, EDITORS
from reviews.services import review_import_pages

DEMO_PAGE = Path(settings.BASE_DIR) / "demo" / "baclofen-back-pain.demo.txt"
DEMO_ACCOUNTS = [
    # username, group, is_superuser, first name, last name
    ("editor", EDITORS, False, "Erin", "Editor"),
    ("board", BOARD, False, "Bo", "Reviewer"),
    ("admin", None, True, "Ada", "Admin"),
]
DEMO_BOARD_PROFILE = {
    "display_name": "Dr. Bo Reviewer",
    "credentials": "MD, FACP",
    "specialty": "Internal medicine",
    "bio": "Demo board member. Reviews answers on musculoskeletal pain and its pharmacological treatment.",
    "disclosures": "None declared.",
}


class Command(BaseCommand):
    help = "Load the demo content and accounts once. Running it again changes nothing."

    def handle(self, *args, **options):
        User = get_user_model()
        created = []
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
                created.append((username, group or "administrator", password))
            if not Article.objects.exists():
                for result in review_import_pages([DEMO_PAGE], publish=True):
                    self.stdout.write(f"Demo answer: {settings.ORACLE_BASE_URL}{result.article.get_absolute_url()}")
        if created:
            self.stdout.write(self.style.WARNING("Demo accounts (passwords are shown this once; write them down):"))
            for username, role, password in created:
                self.stdout.write(f"  {username:<8} {role:<24} password: {password}")
            self.stdout.write(f"Sign in at {settings.ORACLE_BASE_URL}/admin/")
        else:
            self.stdout.write("Demo accounts already exist (their passwords were printed on the first run).")
