"""Helpers shared by the browser tests."""

from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def log_in(page, live_server, username, welcome_name=None):
    """Sign `username` into the admin on `page` and wait for the admin to greet them."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(welcome_name or username)
