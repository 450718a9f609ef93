"""Readers' follow-up questions: the form, the rate limit, and turning a question into a draft."""

import hashlib
import logging

import reversion
from django import forms
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.text import Truncator, slugify

from articles.audiences import Audience
from articles.models import Article, FollowUpQuestion
from core.client_address import client_ip_address
from core.rate_limits import count_in_window
from core.text import clean_text

logger = logging.getLogger(__name__)


class ReaderForm(forms.Form):
    """What every form a reader sends shares (follow-up questions, error reports): an optional
        email, the honeypot, and a `text` whose length is judged after invisible and control characters
        are removed (core.text), against the field's own `min_length`. A subclass declares `text` (with
    its limits and messages) and `field_order`."""

    email = forms.EmailField(
        label="Your email (optional)",
        required=False,
        max_length=254,
        error_messages={"invalid": "That email address does not look right; check it, or leave the field empty."},
    )
    # Honeypot: hidden from people (and from screen readers); bots fill every field.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean_text(self):
        text = clean_text(self.cleaned_data["text"]).strip()
        field = self.fields["text"]
        if len(text) < field.min_length:
            raise forms.ValidationError(field.error_messages["min_length"] % {"limit_value": field.min_length})
        return text

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("This submission looks automated, so it was not saved.")
        return ""


class FollowUpForm(ReaderForm):
    field_order = ["text", "email", "website", "audience"]

    text = forms.CharField(
        label="Your question",
        min_length=FollowUpQuestion.MIN_LENGTH,
        max_length=FollowUpQuestion.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": FollowUpQuestion.MAX_LENGTH}),
        error_messages={
            "required": "Please write your question.",
            "min_length": "Please write your question in at least %(limit_value)d characters.",
            "max_length": "Please keep your question under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    audience = forms.ChoiceField(choices=[("", "")] + Audience.choices, required=False)


def client_key(request) -> str:
    """A hash of the client's address: enough to rate-limit, nothing stored that identifies a reader."""
    address = client_ip_address(request) or ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


RATE_WINDOW_SECONDS = 3600  # readers' forms are counted per client over this window


def over_rate_limit(request, *, counter: str = "follow-up-rate", limit: int | None = None) -> bool:
    """Count this attempt; True when the client has made more than `limit` (default
    ORACLE_FOLLOW_UP_RATE_LIMIT) in the past hour. With the cache unreachable the message is taken
    (logged): a reader's question or report is not lost because a counter is, and the form's
    honeypot still stands."""
    try:
        attempts = count_in_window(f"{counter}:{client_key(request)}", seconds=RATE_WINDOW_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("%s not counted: the cache is unreachable", counter, exc_info=True)
        return False
    return attempts > (settings.ORACLE_FOLLOW_UP_RATE_LIMIT if limit is None else limit)


def rate_limited(page, *, limit: int, sent: str, kept: str):
    """A readers' form's refusal once the client is over its limit: `page(error)` renders the
    form's page with the reason (status 429), and `Retry-After` says when to try again."""
    response = page(
        f"You have sent {limit} {sent} in the past hour, which is as many as we accept from one "
        f"connection. Please try again in an hour. Your {kept} was not saved."
    )
    response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


def follow_up_create(*, article: Article, text: str, email: str = "", audience: str = "") -> FollowUpQuestion:
    return FollowUpQuestion.objects.create(article=article, text=text.strip(), email=email, audience=audience)


# The thanks page after a question (redirect-after-POST) finds it by a signed, short-lived token in
# its address: never the question's text (logs, shared caches) and never a guessable id. The page
# is sent `Cache-Control: private, no-store`, so no cache hands one reader's question to another.
THANKS_SALT = "articles.follow-up-thanks"
THANKS_MAX_AGE = 3600  # seconds: the page is for the moment after asking
MATCHES = 3


def thanks_token(question: FollowUpQuestion) -> str:
    return signing.dumps([question.pk, question.article_id], salt=THANKS_SALT, compress=True)


def question_for_thanks(token: str, *, article: Article) -> FollowUpQuestion | None:
    """The reader's question the token names, if it is valid, recent and about `article`."""
    if not token or len(token) > 200:
        return None
    try:
        pk, article_id = signing.loads(token, salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if article_id != article.pk:
        return None
    return FollowUpQuestion.objects.filter(pk=pk, article_id=article.pk).only("text", "article_id").first()


def follow_up_matches(question: FollowUpQuestion) -> list[dict]:
    """The approved answers that best match the reader's question (readers can see them now: the
    current publications of other answers), at most MATCHES, best first."""
    from articles.models import Publication
    from articles.search import similar_publications

    visible = (
        Publication.objects.current()
        .exclude(article_id=question.article_id)
        .select_related("article")
        .only("question", "summary_text", "published_at", "article__slug")
    )
    return [
        {
            "question": p.question,
            "summary": Truncator(p.summary_text).chars(200),
            "url": reverse("articles:detail", kwargs={"slug": p.article.slug}),
        }
        for p in similar_publications(visible, question.text, limit=MATCHES)
    ]


def follow_up_make_draft(*, question: FollowUpQuestion, by) -> Article:
    """A new draft article whose question is the reader's; linked from the follow-up."""
    with transaction.atomic():
        title = " ".join(question.text.split())[:300]
        base = slugify(title)[:100].strip("-") or "follow-up"
        slug, n = base, 1
        while Article.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        with reversion.create_revision():
            reversion.set_user(by)
            reversion.set_comment(f"Drafted from reader follow-up #{question.pk} on “{question.article}”")
            draft = Article.objects.create(question=title, slug=slug, summary="", topic=question.article.topic)
        question.draft = draft
        question.save(update_fields=["draft"])
    return draft
