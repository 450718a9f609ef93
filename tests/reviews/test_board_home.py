"""The admin's home page for a board member: what awaits them above the app list."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.services import review_start, review_submit
from tests.helpers import make_article, set_due

pytestmark = pytest.mark.django_db


def section(html, id_):
    match = re.search(rf'<h3 id="{id_}">(.*?)</section>', html, re.S)
    return match.group(1) if match else None


def test_a_board_member_sees_what_awaits_them_above_the_app_list(
    client, editor, board_member, second_board_member, approved
):
    mine = review_start(
        review=review_submit(article=make_article(question="Is A safe?", slug="a"), by=editor), by=board_member
    )
    others = review_start(
        review=review_submit(article=make_article(question="Is B safe?", slug="b"), by=editor), by=second_board_member
    )
    waiting = review_submit(article=make_article(question="Is C safe?", slug="c"), by=editor)
    set_due(approved, timezone.localdate() - timedelta(days=3))
    client.force_login(board_member)

    page = client.get("/admin/").content.decode()

    assert page.index('id="board-home-heading"') < page.index('class="app-reviews module')  # above the apps
    under_me = section(page, "board-home-mine")
    assert "Under review by you (1)" in under_me and mine.workspace_url() in under_me
    assert others.workspace_url() not in under_me
    assert waiting.workspace_url() in section(page, "board-home-awaiting")
    assert approved.question in section(page, "board-home-overdue")
    assert "Source alerts (0)" in section(page, "board-home-alerts")


def test_an_editor_gets_the_stock_home_page(client, editor, submitted):
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "board-home" not in page
    assert "Articles" in page


def test_the_board_home_costs_the_same_queries_however_much_awaits(client, editor, board_member):
    client.force_login(board_member)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as empty:
        client.get("/admin/")
    for n in range(4):
        review = review_submit(article=make_article(question=f"Is {n} safe?", slug=f"q{n}"), by=editor)
        if n % 2:
            review_start(review=review, by=board_member)
    with CaptureQueriesContext(connection) as full:
        client.get("/admin/")
    assert len(full) == len(empty)
