import re

import pytest
from django.core.exceptions import ValidationError

from articles.models import Publication
from articles.publishing import article_publish
from tests.helpers import SectionFactory, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = make_article(question="Is ibuprofen safe?", slug="is-ibuprofen-safe")
    key = article.summary.split("[@")[1].split("]")[0]
    article.summary_patient = f"For most adults, yes, for a few days [@{key}]."
    article.summary_student = "Mostly safe; know the GI and renal risks."
    article.save()
    section = SectionFactory(article=article, heading="Talking to your pharmacist", audience="patient", position=9)
    section.claims.create(text=f"Ask before combining painkillers [@{key}].", position=0)
    article_publish(article=article, origin=Publication.Origin.APPROVAL)
    return article


def test_every_version_is_in_the_same_html_marked_for_its_audience(client, article):
    html = client.get("/articles/is-ibuprofen-safe/").content.decode()

    assert 'class="summary-variants has-patient has-student"' in html
    assert re.search(
        r'class="summary-answer audience-only audience-patient"><p class="audience-badge">Written for patients and caregivers</p><p>For most adults',
        html,
    )
    assert 'class="summary-answer audience-only audience-student"' in html
    assert 'class="summary-answer audience-default"' in html
    assert 'class="answer-section audience-only audience-patient"' in html
    assert "For patients and caregivers" in html


def test_a_cookie_does_not_change_the_html(client, article):
    first = client.get("/articles/is-ibuprofen-safe/").content
    client.cookies["oracle_audience"] = "patient"

    assert client.get("/articles/is-ibuprofen-safe/").content == first


def test_no_javascript_fallback_applies_the_choice_from_the_url(client, article):
    html = client.get("/articles/is-ibuprofen-safe/", {"audience": "patient"}).content.decode()

    assert '<html lang="en" data-audience="patient">' in html
    assert '<html lang="en">' in client.get("/articles/is-ibuprofen-safe/", {"audience": "<x>"}).content.decode()


def test_variant_citations_are_numbered_and_listed(client, article):
    html = client.get("/articles/is-ibuprofen-safe/").content.decode()

    patient = html.split("audience-only audience-patient")[1].split("</div>")[0]
    assert 'href="#ref-1"' in patient


def test_unknown_key_in_a_variant_names_the_variant():
    article = make_article()
    article.summary_patient = "Plain words [@nobody]"

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()

    assert excinfo.value.message_dict["summary_patient"] == [
        "Unknown reference key “nobody” in the summary for patient or caregiver."
    ]


def test_variants_are_reviewed_content(article, editor, board_member):
    from reviews.services import review_submit

    review = review_submit(article=article, by=editor)

    assert review.content["summary_variants"]["patient"].startswith("For most adults")
    assert review.content["sections"][-1]["audience"] == "patient"
