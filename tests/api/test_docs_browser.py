"""The interactive documentation in a real Chromium: it renders and calls the API under the site's
Content-Security-Policy, and the browser fetches nothing from any other host."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's init scripts run outside the page's CSP, so this records every violation the page causes.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def test_docs_render_and_try_a_request_using_only_our_own_origin(page, live_server, published):
    hosts, console_errors = set(), []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("List published answers").first.wait_for()
    operation = page.locator("#operations-Published_answers-api_read_answer_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tr.response td.response-col_status").first
    status.wait_for()

    assert status.inner_text().strip().startswith("200")
    assert (
        published.slug
        in operation.locator(".live-responses-table tr.response .response-col_description").first.inner_text()
    )
    assert page.get_by_text("Create a draft answer").count() >= 1
    assert hosts == {urlsplit(live_server.url).netloc}
    assert page.evaluate("window.__cspViolations") == []
    assert not [error for error in console_errors if "Content Security Policy" in error], console_errors
