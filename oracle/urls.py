from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from articles.views import audience_view
from reviews.views import advisory_board_view

admin.site.site_header = "Oracle editorial"
admin.site.site_title = "Oracle editorial"
admin.site.index_title = "Answers, references and reviews"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    path("editorial-policy/", TemplateView.as_view(template_name="editorial_policy.html"), name="editorial-policy"),
    path("advisory-board/", advisory_board_view, name="advisory-board"),
    path("audience/", audience_view, name="audience"),
    path("", include("articles.urls")),
]
