from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from articles.models import SitePage
from articles.public_cache import cached_public_page
from articles.rendering import render_trust_page
from reviews.models import BoardMember


@require_safe
@cached_public_page
def advisory_board_view(request):
    page = SitePage.get(SitePage.Slug.ADVISORY_BOARD)
    context = {"members": BoardMember.objects.listed(), "page": page, "body": render_trust_page(page.body)}
    response = render(request, "reviews/boardmember_list.html", context)
    patch_cache_control(response, public=True, max_age=300)
    return response
