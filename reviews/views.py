from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from reviews.models import BoardMember


@require_safe
def advisory_board_view(request):
    response = render(request, "reviews/boardmember_list.html", {"members": BoardMember.objects.listed()})
    patch_cache_control(response, public=True, max_age=300)
    return response
