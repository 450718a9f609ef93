from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from api.errors import error_response
from api.main import api


@csrf_exempt  # nothing is done here; a POST should get the same JSON 404, not a CSRF page
def not_found(request, rest=""):
    """Every other address under /api/ answers in JSON too."""
    return error_response(404, "No API endpoint at this address; see /api/docs/.")


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
