from django.urls import path

from articles import error_report_views, views
from articles.public_cache import LISTS, cached_public_page
from articles.seo import WhatsNewFeed

app_name = "articles"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("search/", views.search_view, name="search"),
    path("whats-new/", views.whats_new_view, name="whats-new"),
    path("whats-new/feed/", cached_public_page(WhatsNewFeed(), scope=LISTS), name="whats-new-feed"),
    path("topics/<slug:slug>/", views.topic_view, name="topic"),
    path("articles/<slug:slug>/", views.article_detail_view, name="detail"),
    path("articles/<slug:slug>/history/", views.article_history_view, name="history"),
    path("articles/<slug:slug>/follow-up/", views.follow_up_view, name="follow-up"),
    path("articles/<slug:slug>/follow-up/thanks/", views.follow_up_thanks_view, name="follow-up-thanks"),
    path("articles/<slug:slug>/v/<int:number>/", views.article_version_view, name="version"),
    # readers' error reports on a claim: publication number, section and claim position (from 1)
    path(
        "articles/<slug:slug>/report-error/<int:number>/<int:section>/<int:claim>/",
        error_report_views.report_error_view,
        name="report-error",
    ),
    path(
        "articles/<slug:slug>/report-error/thanks/",
        error_report_views.report_error_thanks_view,
        name="report-error-thanks",
    ),
]
