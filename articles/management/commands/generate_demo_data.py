"""Deterministic demo data at scale: N published answers of seed-like size sharing references."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from articles.models import Article, Claim, Publication, Section, Topic
from articles.published_files import write_answer_file
from articles.publishing import article_publish
from references.models import Reference

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


class Command(BaseCommand):
    help = "Create N published demo answers (deterministic), for benchmarks. Existing generated answers are kept."

    def add_arguments(self, parser):
        parser.add_argument("--answers", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-files", action="store_true", help="Do not write static answer files.")

    def handle(self, *args, answers, seed, no_files, **options):
        if answers < 1:
            raise CommandError("--answers must be at least 1")
        rng = random.Random(seed)
        started = time.perf_counter()
        topics = [Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0] for name in TOPICS]
        pool_size = max(20, answers // 5)
        existing = set(Reference.objects.filter(key__startswith="gen-").values_list("key", flat=True))
        # Build every reference (so the random sequence is the same on every run), store the new ones.
        pool = [
            Reference(
                key=f"gen-{i}",
                kind=KINDS[i % len(KINDS)],
                title=self._sentence(rng, 6, 14).rstrip(".").title(),
                source=rng.choice(["BMJ", "Lancet", "JAMA", "Annals of Internal Medicine", "Spine", "Pain"]),
                year=rng.randint(1995, 2025),
            )
            for i in range(pool_size)
        ]
        Reference.objects.bulk_create([ref for ref in pool if ref.key not in existing])
        done = set(Article.objects.filter(slug__startswith="gen-").values_list("slug", flat=True))
        created = 0
        for n in range(answers):
            slug = f"gen-{n}-{self._words(rng, 3).replace(' ', '-')}"
            refs = [f"gen-{rng.randrange(pool_size)}" for _ in range(7)]
            plan = self._plan(rng, refs)
            if slug in done:
                continue
            with transaction.atomic():
                article = Article.objects.create(
                    question=plan["question"],
                    slug=slug,
                    summary=plan["summary"],
                    summary_heading=plan["heading"],
                    topic=topics[n % len(topics)],
                )
                for s_pos, (heading, claims) in enumerate(plan["sections"]):
                    section = Section.objects.create(article=article, heading=heading, position=s_pos)
                    Claim.objects.bulk_create(
                        Claim(section=section, text=text, position=c_pos) for c_pos, text in enumerate(claims)
                    )
                article_publish(
                    article=article,
                    origin=Publication.Origin.APPROVAL,
                    reviewed_by=[{"name": "Dr. Demo Reviewer", "credentials": "MD"}],
                )
            if not no_files:
                write_answer_file(slug)
            created += 1
            if created % 1000 == 0:
                self.stdout.write(f"  {created:,} answers ({time.perf_counter() - started:.0f} s)")
        if created and connection.vendor == "postgresql":
            # Fresh planner statistics after a bulk load, as any import job should leave them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Created {created:,} answers in {time.perf_counter() - started:.1f} s "
            f"({Article.objects.filter(slug__startswith='gen-').count():,} generated answers in all)."
        )

    def _words(self, rng, n):
        return " ".join(rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(RARE) for _ in range(n))

    def _sentence(self, rng, low, high):
        text = self._words(rng, rng.randint(low, high))
        return text[0].upper() + text[1:] + "."

    def _plan(self, rng, refs):
        def cite(k=None):
            keys = list(dict.fromkeys(rng.sample(refs, k or rng.randint(1, 2))))
            return " [" + "; ".join(f"@{key}" for key in keys) + "]"

        sections = [
            (
                self._sentence(rng, 3, 6).rstrip("."),
                [self._sentence(rng, 14, 28).rstrip(".") + cite() for _ in range(rng.randint(3, 4))],
            )
            for _ in range(6)
        ]
        return {
            "question": f"Is {rng.choice(WORDS)} safe for {self._words(rng, 2)}?",
            "heading": self._sentence(rng, 3, 6).rstrip("."),
            "summary": self._sentence(rng, 25, 40) + cite(2),
            "sections": sections,
        }
