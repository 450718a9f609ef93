"""`manage.py setup_demo`: the demo accounts with printed passwords and the published demo answer, idempotent."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Publication
from references.models import Reference

pytestmark = pytest.mark.django_db


def run_setup(capsys):
    call_command("setup_demo")
    return capsys.readouterr().out


def test_first_run_creates_accounts_with_printed_passwords_and_publishes_the_demo(client, capsys):
    out = run_setup(capsys)

    passwords = dict(re.findall(r"^\s+(editor|board|pharmacist|admin)\s+.*password: (\S+)$", out, re.M))
    assert set(passwords) == {"editor", "board", "pharmacist", "admin"}
    assert len(set(passwords.values())) == 4
    User = get_user_model()
    for username, password in passwords.items():
        assert User.objects.get(username=username).check_password(password)
    assert User.objects.get(username="editor").groups.get().name == "Editors"
    assert User.objects.get(username="board").groups.get().name == "Medical Advisory Board"
    assert User.objects.get(username="pharmacist").groups.get().name == "Pharmacists"
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="board").board_member.signature == "Dr. Bo Reviewer, MD, FACP"
    assert client.get("/articles/is-baclofen-safe-for-treating-back-pain/").status_code == 200


def test_every_run_prints_the_addresses_the_accounts_and_how_to_set_a_new_password(capsys, settings):
    settings.ORACLE_BASE_URL = "http://127.0.0.1:8123"  # what `PORT=8123 make run` writes into .env
    first = run_setup(capsys)

    second = run_setup(capsys)

    for out in (first, second):
        assert "Site:         http://127.0.0.1:8123/\n" in out
        assert "Admin:        http://127.0.0.1:8123/admin/" in out
        assert "Demo answer:  http://127.0.0.1:8123/articles/is-baclofen-safe-for-treating-back-pain/\n" in out
        assert re.findall(r"^  (\w+) +(Editors|Medical Advisory Board|Pharmacists|administrator)\b", out, re.M) == [
            ("editor", "Editors"),
            ("board", "Medical Advisory Board"),
            ("pharmacist", "Pharmacists"),
            ("admin", "administrator"),
        ]
        assert (
            "Set a new one with: .venv/bin/python manage.py changepassword editor  (or board, pharmacist, admin)" in out
        )
    assert "shown this once" in first and "printed on the first run" in second


def test_second_run_keeps_passwords_and_duplicates_nothing(capsys):
    first = run_setup(capsys)
    hashes = dict(get_user_model().objects.values_list("username", "password"))
    counts = (Article.objects.count(), Reference.objects.count(), Publication.objects.count())

    second = run_setup(capsys)

    assert "password:" in first and "password:" not in second
    assert "already exist" in second
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert (Article.objects.count(), Reference.objects.count(), Publication.objects.count()) == counts == (1, 7, 2)
