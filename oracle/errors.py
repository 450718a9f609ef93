"""Error responses: the 400, 403, 404 and 500 pages, the CSRF failure page, and the admin login
lockout (counted against core.client_address.client_ip_address).

The error pages render in the site's design with only the site name in their context. No
request context processors run (no query: the database may be why we are here), and no exception
text, path or setting reaches the page; the details go to the log, as Django already does.
"""

import logging

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

logger = logging.getLogger(__name__)

# What a reader gets when even the designed 500 page cannot render (a broken template, a missing
# static manifest): a plain page that needs nothing.
FALLBACK_500 = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Server error</title></head>
<body><h1>Something went wrong on our side</h1><p>The error has been logged. Please try again in a moment.</p>
<p><a href="/">Back to all answers</a></p></body></html>
"""


def _page(template_name: str, status: int, **context) -> HttpResponse:
    body = loader.render_to_string(template_name, {"site_name": settings.ORACLE_SITE_NAME, **context})
    return HttpResponse(body, status=status)


def _in_admin(request) -> bool:
    return request.path.startswith(reverse("admin:index"))


def bad_request(request, exception=None):
    return _page("400.html", 400)


def permission_denied(request, exception=None):
    return _page("403.html", 403, in_admin=_in_admin(request))


def page_not_found(request, exception=None):
    return _page("404.html", 404)


def server_error(request):
    try:
        return _page("500.html", 500)
    except Exception:
        logger.exception("The 500 page could not be rendered; sent the plain fallback")
        return HttpResponse(FALLBACK_500, status=500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW. The reason is already logged by Django (django.security.csrf)."""
    return _page("403.html", 403, csrf=True, in_admin=_in_admin(request))


def login_locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin login page's place, in the admin's design.

    429 Too Many Requests, not 403: the refusal is about the rate of attempts, not about who
    the user is, and it lifts by itself. Each attempt while locked restarts the cool-off
    (axes' default), so Retry-After is the whole cool-off.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in paused",
        "minutes": max(1, seconds // 60),
    }
    response = render(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
