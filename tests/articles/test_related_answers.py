"""Related answers (issue 16, Deliver 8): up to three on each answer page, its topic's first, then
by text similarity; chosen when the page is rendered (one query to serve it); only answers readers
can see; a withdrawn answer is gone from every page (the stored page, the file, the cache)."""

import re

import pytest
from django.core.cache import cache
from django.utils.text import slugify

from articles.models import Article, Publication, RelatedAnswer, Topic
from articles.publishing import article_publish, article_withdraw_from_public
from articles.related import refresh_related_answers
from tests.helpers import make_article, publish_directly, published_file, run_effects

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queued(settings):
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False  # effects run when the worker's code runs
    cache.clear()


@pytest.fixture
def topics(db):
    return Topic.objects.create(name="Back pain", slug="back-pain"), Topic.objects.create(name="Other", slug="other")


def answer(question, summary, topic, *, publish=True):
    article = make_article(question=question, slug=slugify(question), summary=summary, topic=topic, references=1)
    if publish:
        publish_directly(article)
    return Article.objects.select_related("current_publication").get(pk=article.pk)


def related_questions(article) -> list[str]:
    article = Article.objects.select_related("current_publication").get(pk=article.pk)
    return [r["question"] for r in article.current_publication.related_answers]


def listed_in(html: str) -> list[str]:
    block = re.search(r'<nav class="related-answers".*?</nav>', html, re.S)
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', block.group(0)) if block else []


@pytest.fixture
def world(topics):
    back, other = topics
    w = {
        "B": answer("Is ibuprofen safe in pregnancy?", "Ibuprofen in late pregnancy", back),
        "C": answer("Does heat help back pain?", "Heat wraps help", other),
        "D": answer("Is baclofen safe with alcohol?", "Baclofen and alcohol", other),
        "E": answer("How to sleep well?", "Sleep hygiene", other),
        "G": answer("Which exercises for back pain?", "Back pain exercise", other),
        "F": answer("Is baclofen safe for back pain at night?", "Baclofen at night", back, publish=False),
    }
    w["A"] = answer("Is baclofen safe for back pain?", "Baclofen relieves spasm in back pain", back)
    return w


def test_same_topic_first_then_the_most_alike_at_most_three(world):
    assert related_questions(world["A"]) == [
        "Is ibuprofen safe in pregnancy?",  # the same topic, though hardly alike
        "Which exercises for back pain?",
        "Is baclofen safe with alcohol?",
    ]


def test_only_answers_readers_can_see_and_never_the_answer_itself(world):
    listed = related_questions(world["A"])

    assert "Is baclofen safe for back pain at night?" not in listed  # a draft, though the most alike
    assert "Is baclofen safe for back pain?" not in listed
    assert "How to sleep well?" not in listed  # nothing in common


def test_the_page_shows_them_and_stays_one_lookup(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(f"/articles/{world['A'].slug}/")

    html = response.content.decode()
    assert "Related answers" in html
    assert listed_in(html) == related_questions(world["A"])
    assert f'href="/articles/{world["B"].slug}/"' in html


def test_a_version_permalink_lists_none(client, world):
    html = client.get(f"/articles/{world['A'].slug}/v/1/").content.decode()

    assert "Related answers" not in html


def test_withdrawing_an_answer_takes_it_off_every_page(client, world, board_member, settings):
    a, b = world["A"], world["B"]
    run_effects()  # files written as they are now
    assert b.current_publication.question in listed_in(client.get(f"/articles/{a.slug}/").content.decode())  # cached
    assert "Is ibuprofen safe in pregnancy?" in published_file(a).read_text()

    article_withdraw_from_public(article=b, by=board_member, reason="Outdated advice.")

    # the stored page, in the withdrawal's own transaction
    a.refresh_from_db()
    assert "Is ibuprofen safe in pregnancy?" not in a.current_publication.page_html
    assert "Is ibuprofen safe in pregnancy?" not in related_questions(a)
    assert not RelatedAnswer.objects.filter(article=b, publication__article__current_publication__isnull=False)
    # the cached page
    served = client.get(f"/articles/{a.slug}/").content.decode()
    assert "Is ibuprofen safe in pregnancy?" not in served
    assert listed_in(served) == [
        "Which exercises for back pain?",
        "Is baclofen safe with alcohol?",
        "Does heat help back pain?",
    ]
    # the static file, once the worker has run
    run_effects()
    assert "Is ibuprofen safe in pregnancy?" not in published_file(a).read_text()
    for other in ("C", "D", "E", "G"):
        assert "Is ibuprofen safe in pregnancy?" not in published_file(world[other]).read_text()


def test_a_page_that_chose_an_answer_while_it_was_being_withdrawn_converges(world, board_member):
    """The race on PostgreSQL: A's page chose B in a transaction the withdrawal could not see yet,
    so the withdrawal's own re-render missed A. Played here in both orders of the two commits: the
    effect each side enqueued (A's publication's, B's withdrawal's) takes B off A's page."""
    a, b = world["A"], world["B"]
    run_effects()
    listed = a.current_publication.related_answers
    assert b.current_publication.question in related_questions(a)

    # 1. the withdrawal committed first; A's publication (its list holding B) after it
    RelatedAnswer.objects.filter(publication__article=a).delete()  # not yet visible to the withdrawal
    article_withdraw_from_public(article=b, by=board_member, reason="Outdated advice.")
    assert b.current_publication.question in related_questions(a)  # missed in its transaction
    refresh_related_answers(article_id=a.pk)  # A's publication's effect
    assert b.current_publication.question not in related_questions(a)
    assert b.current_publication.question not in Article.objects.get(pk=a.pk).current_publication.page_html

    # 2. A's list (holding B again) committed after the withdrawal's re-render but before it committed
    article_publish(article=b, origin=Publication.Origin.APPROVAL)
    run_effects()
    b = Article.objects.select_related("current_publication").get(pk=b.pk)
    assert b.current_publication.question in related_questions(a)
    RelatedAnswer.objects.filter(publication__article=a).delete()
    article_withdraw_from_public(article=b, by=board_member, reason="Outdated again.")
    Publication.objects.filter(pk=a.current_publication_id).update(related_answers=listed)
    RelatedAnswer.objects.bulk_create(
        RelatedAnswer(publication_id=a.current_publication_id, article_id=item["article_id"], position=i)
        for i, item in enumerate(listed, start=1)
    )
    run_effects()  # the withdrawal's effect, once both have committed
    assert b.current_publication.question not in related_questions(a)
    assert b.current_publication.question not in Article.objects.get(pk=a.pk).current_publication.page_html
    assert b.current_publication.question not in published_file(a).read_text()


def test_a_new_answer_reaches_the_pages_that_should_list_it(client, topics):
    back, _ = topics
    a = answer("Is baclofen safe for back pain?", "Baclofen relieves spasm in back pain", back)
    assert related_questions(a) == []

    answer("Which stretches for back pain?", "Back pain stretches", back)
    assert related_questions(a) == []  # until the worker runs
    run_effects()

    assert related_questions(a) == ["Which stretches for back pain?"]
    assert "Which stretches for back pain?" in listed_in(client.get(f"/articles/{a.slug}/").content.decode())
    assert "Which stretches for back pain?" in published_file(a).read_text()


def test_an_updated_question_is_renamed_on_the_pages_listing_it(world, editor, board_member):
    from tests.helpers import reapprove

    b = world["B"]
    Article.objects.filter(pk=b.pk).update(question="Is ibuprofen safe late in pregnancy?")

    reapprove(Article.objects.get(pk=b.pk), editor=editor, board=board_member)
    run_effects()

    assert related_questions(world["A"])[0] == "Is ibuprofen safe late in pregnancy?"


def test_questions_are_escaped(client, topics):
    back, _ = topics
    answer("Is <b>bold</b> pain relief safe?", "Pain relief", back)
    a = answer("Which pain relief is safe?", "Pain relief options", back)

    html = client.get(f"/articles/{a.slug}/").content.decode()

    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
