import pytest
from django.core.management import call_command

from articles.models import Publication
from articles.publishing import article_publish
from tests.helpers import make_article, without_report_links

pytestmark = pytest.mark.django_db


def test_refresh_rerenders_the_frame_and_keeps_the_reviewed_body(client):
    article = make_article(question="Is naproxen safe?", slug="naproxen")
    publication = article_publish(article=article, origin=Publication.Origin.APPROVAL)
    Publication.objects.filter(pk=publication.pk).update(page_html="<article>stale frame</article>")
    body = Publication.objects.get(pk=publication.pk).html

    call_command("refresh_published_pages")

    fresh = Publication.objects.get(pk=publication.pk)
    assert fresh.html == body
    assert "stale frame" not in fresh.page_html and body in without_report_links(fresh.page_html)
    assert "stale frame" not in client.get("/articles/naproxen/").content.decode()
