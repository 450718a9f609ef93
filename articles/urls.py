from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("articles/<slug:slug>/", views.article_detail_view, name="detail"),
    path("articles/<slug:slug>/history/", views.article_history_view, name="history"),
    path("articles/<slug:slug>/v/<int:number>/", views.article_version_view, name="version"),
]
