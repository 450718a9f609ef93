from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from articles.views import audience_view

admin.site.site_header = "Oracle editorial"
admin.site.site_title = "Oracle editorial"
admin.site.index_title = "Answers, references and reviews"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    path("editorial-policy/", TemplateView.as_view(template_name="editorial_policy.html"), name="editorial-policy"),
    path("advisory-board/", TemplateView.as_view(template_name="advisory_board.html"), name="advisory-board"),
    path("audience/", audience_view, name="audience"),
    path("", include("articles.urls")),
]
