"""Deterministic demo data at scale: N published answers of seed-like size sharing references.

Written in batches (`--batch` answers per transaction, with bulk inserts), so 100,000 answers take
minutes: each answer gets a topic, six sections of three or four cited claims, and a publication
whose stored page is rendered by the one renderer (`articles.answer_page.render_answer_parts`), as
an approval would; one answer in ten has been updated once (two publications, the first kept as
its version 1). Answer `n` is the same on every run (its own random stream), so a re-run creates
only the answers not there yet. Published files are not written one by one: `--write-files`
runs `refresh_published_pages` once at the end.
"""

import itertools
import multiprocessing
import os
import random
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from articles import cadence
from articles.answer_page import render_answer_parts
from articles.models import Article, Claim, Publication, PublicationCitation, ReviewStatus, Section, Topic
from articles.rendering import plain_text, render_body_html
from articles.search import SEARCH_VECTOR
from references.models import Reference

# No tqdm monitor thread: the renderers are forked, and a process with threads must not fork.
tqdm.monitor_interval = 0

WORDS = (
    "baclofen tizanidine ibuprofen naproxen paracetamol gabapentin amitriptyline duloxetine tramadol codeine "
    "cyclobenzaprine diclofenac celecoxib pregabalin prednisolone methocarbamol acute chronic radicular lumbar "
    "cervical thoracic spasm spasticity sedation dizziness confusion somnolence weakness nausea renal hepatic "
    "gastrointestinal bleeding cardiovascular risk benefit evidence trial placebo randomised systematic review "
    "guideline recommendation first-line second-line short-term long-term dose taper withdrawal elderly pregnancy "
    "adolescent adult efficacy safety tolerability interaction alcohol depressant function disability pain relief"
).split()
# A long tail of rarer words, as real text has: most queries match a few per cent of answers.
SYLLABLES = "ka lo mi ne ru ta vo si pe da gu fi zo be ha ly mu xo qi te".split()
RARE = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:6]})
TOPICS = ["Back pain", "Neck pain", "Headache", "Arthritis", "Neuropathic pain", "Muscle spasm", "Sports injury"]
KINDS = ["guideline", "research", "systematic_review", "research", "drug_label", "research"]
REVIEWERS = [{"name": "Dr. Demo Reviewer", "credentials": "MD"}]
GENERATED = re.compile(r"^gen-(\d+)-")
UPDATED_ONE_IN = 10  # answers with a second version


def pool_size(answers: int) -> int:
    return max(20, answers // 5)


def _literature_through(published_at):
    """The literature date a version was reviewed with: the search ran a month before publication."""
    return timezone.localdate(published_at) - timedelta(days=30)


class Command(BaseCommand):
    help = (
        "Create N published demo answers (deterministic), for benchmarks; answers already generated are kept "
        "and not duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--answers", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=500, help="answers per transaction (default 500)")
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes rendering pages while this one writes (default: up to 2; 1 renders here)",
        )
        parser.add_argument(
            "--write-files",
            action="store_true",
            help="afterwards, bring the published files up to date (refresh_published_pages), once for all",
        )
        parser.add_argument("--no-files", action="store_true", help="the default; kept for older scripts")

    def handle(self, *args, answers, seed, batch, jobs, write_files, verbosity=1, **options):
        if answers < 1:
            raise CommandError("--answers must be at least 1")
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        if jobs < 1:
            raise CommandError("--jobs must be at least 1")
        started = time.perf_counter()
        done = {
            int(match.group(1))
            for slug in Article.objects.filter(slug__startswith="gen-").values_list("slug", flat=True).iterator()
            if (match := GENERATED.match(slug))
        }
        todo = [n for n in range(answers) if n not in done]
        chunks = [todo[start : start + batch] for start in range(0, len(todo), batch)]
        generator = Generator(seed=seed, answers=answers)
        created = 0
        with tqdm(
            total=len(todo), unit="answer", desc="answers", disable=verbosity == 0, mininterval=1, smoothing=0.05
        ) as progress:
            for rendered in _rendered_chunks(generator, chunks, jobs):
                with transaction.atomic():
                    _store(rendered)
                created += len(rendered)
                progress.update(len(rendered))
        if created and connection.vendor == "postgresql":
            # Fresh planner statistics after a bulk load, as any import job should leave them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        total = Article.objects.filter(slug__startswith="gen-").count()
        rate = f", {created / elapsed:,.0f} answers/s" if created else ""
        if verbosity:
            self.stdout.write(
                f"Created {created:,} answers in {elapsed:.1f} s{rate} ({answers - len(todo):,} of the first {answers:,} "
                f"were there already; {total:,} generated answers in all)."
            )
        if write_files:
            call_command("refresh_published_pages", stdout=self.stdout, stderr=self.stderr, verbosity=verbosity)


# --- rendering, in this process or in worker processes ------------------------------------------

_WORKER_GENERATOR = None


def _worker_init(generator):
    global _WORKER_GENERATOR  # noqa: PLW0603 - one per worker process
    _WORKER_GENERATOR = generator


def _worker_render(numbers):
    return [_WORKER_GENERATOR.answer(n) for n in numbers]


def _rendered_chunks(generator, chunks, jobs):
    """Each chunk's answers (article, its sections and claims, its publications rendered), in order.

    With several jobs, worker processes render ahead (at most `jobs + 1` chunks in flight, so
    memory stays bounded) while this process writes; each worker opens its own connection for
    the renderer's one read (the notices on cited sources).
    """
    if jobs > 1 and threading.active_count() > 1:
        # fork copies only the calling thread: a lock another thread holds (logging, a connection
        # pool, the page-generation watcher) stays locked in the children, which then hang
        names = ", ".join(t.name for t in threading.enumerate() if t is not threading.current_thread())
        sys.stderr.write(
            f"Other threads are running in this process ({names}): rendering here, without worker processes.\n"
        )
        jobs = 1
    if jobs == 1 or len(chunks) <= 1:
        for numbers in chunks:
            yield [generator.answer(n) for n in numbers]
        return
    connections.close_all()  # never share a connection across fork
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_worker_init, initargs=(generator,)) as pool:
        pending = deque()
        queue = iter(chunks)
        for numbers in itertools.islice(queue, jobs + 1):
            pending.append(pool.apply_async(_worker_render, (numbers,)))
        while pending:
            rendered = pending.popleft().get()
            for numbers in itertools.islice(queue, 1):
                pending.append(pool.apply_async(_worker_render, (numbers,)))
            yield rendered


def _store(rendered) -> None:
    """One chunk of answers, in bulk: articles, sections, claims, publications, citations."""
    articles = Article.objects.bulk_create(answer.article for answer in rendered)
    sections = Section.objects.bulk_create(
        Section(article=answer.article, heading=heading, position=position)
        for answer in rendered
        for position, (heading, _claims) in enumerate(answer.sections)
    )
    texts = (claims for answer in rendered for _heading, claims in answer.sections)
    Claim.objects.bulk_create(
        Claim(section=section, text=text, position=position)
        for section, claims in zip(sections, texts, strict=True)
        for position, text in enumerate(claims)
    )
    publications = []
    for answer in rendered:
        for publication in answer.publications:
            publication.article = answer.article  # now saved: sets article_id
            publications.append(publication)
    Publication.objects.bulk_create(publications)
    if connection.vendor == "postgresql":
        Publication.objects.filter(pk__in=[p.pk for p in publications]).update(search_vector=SEARCH_VECTOR)
    keys = {key for p in publications for key in p.content["references"]}
    reference_ids = dict(Reference.objects.filter(key__in=keys).values_list("key", "pk"))
    PublicationCitation.objects.bulk_create(
        PublicationCitation(publication=p, reference_id=reference_ids[key], number=position)
        for p in publications
        for position, key in enumerate(p.content["references"], start=1)
    )
    for answer in rendered:
        current = answer.publications[-1]
        answer.article.current_publication = current
        answer.article.last_reviewed_on = current.reviewed_on
        answer.article.next_review_due = answer.next_review_due
    Article.objects.bulk_update(articles, ["current_publication", "last_reviewed_on", "next_review_due"])


@dataclass
class Answer:
    article: Article
    sections: list
    publications: list
    next_review_due: object


class Generator:
    """Answer `n` of a seed, the same on every run (its own random stream), rendered."""

    def __init__(self, *, seed: int, answers: int):
        self.seed = seed
        self.topics = [Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0] for name in TOPICS]
        self.pool = pool_size(answers)
        self.references = self._references(self.pool)
        self.now = timezone.now()

    def _references(self, size: int) -> dict[str, dict]:
        """gen-0 … gen-(size-1), the new ones stored; key → its snapshot (as publications freeze it)."""
        wanted = {}
        for i in range(size):
            rng = random.Random(f"{self.seed}-ref-{i}")
            wanted[f"gen-{i}"] = Reference(
                key=f"gen-{i}",
                kind=KINDS[i % len(KINDS)],
                title=_sentence(rng, 6, 14).rstrip(".").title(),
                source=rng.choice(["BMJ", "Lancet", "JAMA", "Annals of Internal Medicine", "Spine", "Pain"]),
                year=rng.randint(1995, 2025),
            )
        stored = set(Reference.objects.filter(key__startswith="gen-").values_list("key", flat=True))
        missing = [ref for key, ref in wanted.items() if key not in stored]
        Reference.objects.bulk_create(missing, batch_size=2000)
        stored = {ref.key: ref for ref in Reference.objects.filter(key__in=list(wanted))}
        return {key: stored[key].as_snapshot() for key in wanted}

    def answer(self, n: int) -> Answer:
        plan = self._plan(n)
        article = Article(
            question=plan["question"],
            slug=plan["slug"],
            summary=plan["summary"],
            summary_heading=plan["heading"],
            topic=plan["topic"],
            review_status=ReviewStatus.APPROVED,
            literature_through=_literature_through(plan["versions"][-1][1]),
        )
        versions = plan["versions"]
        publications = [
            self._publication(article, plan, number, summary, published_at, is_current=number == len(versions))
            for number, (summary, published_at) in enumerate(versions, start=1)
        ]
        return Answer(article, plan["sections"], publications, publications[-1].next_review_due)

    def _publication(self, article, plan, number, summary, published_at, *, is_current) -> Publication:
        content = self._content(plan, summary)
        literature = _literature_through(published_at)
        content["literature_through"] = literature.isoformat()
        summary_text, body_text = plain_text(content)
        reviewed_on = timezone.localdate(published_at)
        publication = Publication(
            number=number,
            question=content["question"],
            content=content,
            html=render_body_html(content),
            origin=Publication.Origin.APPROVAL,
            reviewed_on=reviewed_on,
            published_at=published_at,
            literature_through=literature,
            reviewed_by=REVIEWERS,
            summary_text=summary_text,
            body_text=body_text,
            change_summary="" if number == 1 else "Updated with newer evidence.",
        )
        # Earlier versions were rendered when they were current: without the overdue notice.
        next_review_due = cadence.due_after(article, reviewed_on) if is_current else None
        publication.head_html, publication.page_html = render_answer_parts(
            publication, slug=article.slug, review_status=ReviewStatus.APPROVED, next_review_due=next_review_due
        )
        publication.shows_overdue_notice = cadence.is_overdue_for_readers(next_review_due)
        publication.next_review_due = next_review_due
        return publication

    def _content(self, plan, summary) -> dict:
        """What `articles.snapshots.snapshot_article` makes of the plan's working copy."""
        texts = [summary] + [text for _heading, claims in plan["sections"] for text in claims]
        keys = list(dict.fromkeys(key for text in texts for key in re.findall(r"@(gen-\d+)", text)))
        return {
            "question": plan["question"],
            "slug": plan["slug"],
            "summary_heading": plan["heading"],
            "summary": summary,
            "summary_variants": {},
            "sections": [
                {"heading": heading, "audience": "", "claims": [{"text": text} for text in claims]}
                for heading, claims in plan["sections"]
            ],
            "references": {key: self.references[key] for key in keys},
        }

    def _plan(self, n: int) -> dict:
        rng = random.Random(f"{self.seed}-answer-{n}")
        refs = [f"gen-{rng.randrange(self.pool)}" for _ in range(7)]

        def cite(k=None):
            keys = list(dict.fromkeys(rng.sample(refs, k or rng.randint(1, 2))))
            return " [" + "; ".join(f"@{key}" for key in keys) + "]"

        slug = f"gen-{n}-{_words(rng, 3).replace(' ', '-')}"
        sections = [
            (
                _sentence(rng, 3, 6).rstrip("."),
                [_sentence(rng, 14, 28).rstrip(".") + cite() for _ in range(rng.randint(3, 4))],
            )
            for _ in range(6)
        ]
        summary = _sentence(rng, 25, 40) + cite(2)
        # Published some time in the past three years; one in ten updated once since.
        first = self.now - timedelta(days=rng.uniform(30, 3 * 365))
        versions = [(summary, first)]
        if n % UPDATED_ONE_IN == UPDATED_ONE_IN - 1:
            earlier = _sentence(rng, 20, 30) + cite(1)
            versions = [(earlier, first), (summary, first + (self.now - first) * rng.uniform(0.2, 0.9))]
        return {
            "slug": slug,
            "topic": self.topics[n % len(self.topics)],
            "question": f"Is {rng.choice(WORDS)} safe for {_words(rng, 2)}?",
            "heading": _sentence(rng, 3, 6).rstrip("."),
            "summary": summary,
            "sections": sections,
            "versions": versions,
        }


def _words(rng, n):
    return " ".join(rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(RARE) for _ in range(n))


def _sentence(rng, low, high):
    text = _words(rng, rng.randint(low, high))
    return text[0].upper() + text[1:] + "."
