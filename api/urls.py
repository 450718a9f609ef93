import functools

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from api.errors import error_response
from api.main import api


@csrf_exempt  # nothing is done here; a POST should get the same JSON 404, not a CSRF page
def not_found(request, rest=""):
    """Every other address under /api/ answers in JSON too."""
    return error_response(404, "No API endpoint at this address; see /api/docs/.")


def json_method_not_allowed(view):
    """ninja answers a method an address does not have with an HTML 405: answer in JSON like every
    other error, with the `Allow` header naming the methods it has."""

    @functools.wraps(view)  # keeps csrf_exempt
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = ", ".join(sorted(method.strip() for method in response.get("Allow", "").split(",") if method))
            return error_response(
                405, f"{request.method} is not allowed at this address; use {allowed}.", headers={"Allow": allowed}
            )
        return response

    return wrapper


def _with_json_405(urls):
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback = json_method_not_allowed(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("", _with_json_405(api.urls)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
