"""What django-ninja costs per request, measured in-process on a generated data set.

    .venv/bin/python bench/api_overhead.py [--answers 300] [--rounds 2000]
    # with Django REST framework too (not a dependency: installed only for the comparison)
    .venv/bin/pip install --target /tmp/drf-site --no-deps djangorestframework
    .venv/bin/python bench/api_overhead.py --drf-path /tmp/drf-site

Builds a throwaway test database (SQLite unless DATABASE_URL says otherwise), generates published
answers (manage.py generate_demo_data), then times the API's answer detail and list through the
test client and the full middleware stack, against plain Django views that run the same query and
build the same dict (api.read.current_answer / answer_data / answer_list_data) and return it with
JsonResponse — so the difference is the framework's own work: routing, parameter parsing and
validation, pydantic validation of the response, JSON rendering. With --drf-path, the same views
as DRF APIViews with serializers mirroring the schema. `/healthz` is the middleware's floor.
Also times validating a typical draft (examples/draft.json) against the input schema.
"""

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oracle.settings_test")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--drf-path", help="A directory holding djangorestframework (pip install --target).")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.drf_path:
    sys.path.append(ARGS.drf_path)  # after site-packages: it can add DRF, never shadow what we use

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.serializers.json import DjangoJSONEncoder  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import Http404, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402
from django.utils.cache import get_conditional_response  # noqa: E402


def use_private_database():
    """A throwaway database of our own, never the test suite's (which may be running)."""
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"oracle_bench_api_{os.getpid()}"


def timed(fns: dict, rounds: int) -> dict:
    """For each callable: median and p99 of its wall time, and the median of this thread's CPU time
    (ms). They run in turn in every round, so a change of load on the machine hits them all alike;
    the CPU time is what the request costs this process even when other processes compete for
    the cores (it leaves out the database server's own work, the same for every flavour)."""
    for fn in fns.values():
        for _ in range(min(50, rounds)):
            fn()
    wall = {name: [] for name in fns}
    cpu = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start, start_cpu = time.perf_counter(), time.thread_time()
            fn()
            cpu[name].append((time.thread_time() - start_cpu) * 1000)
            wall[name].append((time.perf_counter() - start) * 1000)
    result = {}
    for name in fns:
        wall[name].sort()
        result[name] = (statistics.median(wall[name]), wall[name][int(rounds * 0.99) - 1], statistics.median(cpu[name]))
    return result


# --- the plain Django equivalents ----------------------------------------------------------------


def plain_detail(request, slug):
    from api.read import _public, answer_data, current_answer

    try:
        article, publication = current_answer(slug)
    except Http404:
        return JsonResponse({"detail": "No published answer at this address.", "errors": []}, status=404)
    etag = f'"api-pub-{publication.pk}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(publication.published_at.timestamp()))
    if not_modified is not None:
        return _public(not_modified, etag=etag, last_modified=publication.published_at)
    response = JsonResponse(answer_data(request, article, publication), encoder=DjangoJSONEncoder)
    return _public(response, etag=etag, last_modified=publication.published_at)


def _plain_filters(request):
    return types.SimpleNamespace(
        topic=request.GET.get("topic") or None,
        updated_since=None,
        page=int(request.GET.get("page", 1)),
        page_size=int(request.GET.get("page_size", 20)),
    )


def plain_list(request):
    from api.read import _public, answer_list_data

    return _public(JsonResponse(answer_list_data(request, _plain_filters(request)), encoder=DjangoJSONEncoder))


def drf_views():
    """The same two endpoints in Django REST framework, with serializers for the response shapes
    (what drf-spectacular would describe), rendered by DRF's JSONRenderer."""
    from rest_framework import serializers
    from rest_framework.permissions import AllowAny
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from api.read import _public, answer_data, answer_list_data, current_answer

    class Topic(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()

    class Grade(serializers.Serializer):
        code = serializers.CharField()
        label = serializers.CharField()
        level = serializers.IntegerField()

    class ClaimS(serializers.Serializer):
        text = serializers.CharField()
        citations = serializers.ListField(child=serializers.IntegerField())
        grade = Grade(allow_null=True)

    class SectionS(serializers.Serializer):
        heading = serializers.CharField()
        audience = serializers.CharField(allow_blank=True)
        claims = ClaimS(many=True)

    class ReferenceS(serializers.Serializer):
        number = serializers.IntegerField()
        key, kind, kind_label, title = (serializers.CharField() for _ in range(4))
        authors, source, doi, doi_url, pmid, pubmed_url, url = (serializers.CharField() for _ in range(7))
        year = serializers.IntegerField(allow_null=True)

    class Reviewer(serializers.Serializer):
        name = serializers.CharField()
        credentials = serializers.CharField()

    class ReviewInfo(serializers.Serializer):
        origin = serializers.CharField()
        reviewed_on = serializers.DateField()
        published_at = serializers.DateTimeField()
        reviewers = Reviewer(many=True)
        change_summary = serializers.CharField()

    class Answer(serializers.Serializer):
        slug, question, url, api_url, summary_heading, summary, html = (serializers.CharField() for _ in range(7))
        version = serializers.IntegerField()
        topic = Topic(allow_null=True)
        summary_citations = serializers.ListField(child=serializers.IntegerField())
        summary_variants = serializers.DictField(child=serializers.CharField())
        sections = SectionS(many=True)
        references = ReferenceS(many=True)
        review = ReviewInfo()

    class Summary(serializers.Serializer):
        slug, question, summary, url, api_url = (serializers.CharField() for _ in range(5))
        topic = Topic(allow_null=True)
        version = serializers.IntegerField()
        reviewed_on = serializers.DateField()
        published_at = serializers.DateTimeField()

    class Page(serializers.Serializer):
        count, page, page_size = (serializers.IntegerField() for _ in range(3))
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = Summary(many=True)

    class Base(APIView):
        authentication_classes, permission_classes, renderer_classes = [], [AllowAny], [JSONRenderer]

    class Detail(Base):
        def get(self, request, slug):
            try:
                article, publication = current_answer(slug)
            except Http404:
                return Response({"detail": "No published answer at this address.", "errors": []}, status=404)
            etag = f'"api-pub-{publication.pk}"'
            response = Response(Answer(answer_data(request, article, publication)).data)
            return _public(response, etag=etag, last_modified=publication.published_at)

    class List(Base):
        def get(self, request):
            return _public(Response(Page(answer_list_data(request, _plain_filters(request))).data))

    return Detail.as_view(), List.as_view()


def install_urls(with_drf: bool):
    patterns = [
        path("plain/answers/", plain_list),
        path("plain/answers/<str:slug>/", plain_detail),
        path("", include("oracle.urls")),
    ]
    if with_drf:
        detail, listing = drf_views()
        patterns[:0] = [path("drf/answers/", listing), path("drf/answers/<str:slug>/", detail)]
    module = types.ModuleType("bench_api_urls")
    module.urlpatterns = patterns
    sys.modules["bench_api_urls"] = module
    settings.ROOT_URLCONF = "bench_api_urls"
    clear_url_caches()


def main():
    with_drf = False
    if ARGS.drf_path:
        try:
            import rest_framework  # noqa: F401

            with_drf = True
        except ImportError:
            print(f"No rest_framework under {ARGS.drf_path}; measuring ninja and plain Django only.", file=sys.stderr)

    use_private_database()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("generate_demo_data", answers=ARGS.answers, no_files=True, stdout=open(os.devnull, "w"))
        install_urls(with_drf)
        from api.read import current_answer  # noqa: F401
        from api.schemas import DraftIn
        from articles.models import Article

        slug = Article.objects.exclude(current_publication=None).order_by("pk").values_list("slug", flat=True)[0]
        client = Client()
        flavours = ["api", "plain"] + (["drf"] if with_drf else [])
        bodies = {}
        for flavour in flavours:
            response = client.get(f"/{flavour}/answers/{slug}/")
            assert response.status_code == 200, (flavour, response.status_code)
            # DRF writes microseconds where DjangoJSONEncoder (ninja's and ours) stops at milliseconds
            bodies[flavour] = json.loads(re.sub(rb"(\.\d{3})\d{3}Z", rb"\1Z", response.content))
        for flavour, body in bodies.items():
            differ = sorted(k for k in body if body[k] != bodies["api"].get(k))
            assert not differ, f"{flavour} returns different JSON in {differ}"

        results = {"answers": ARGS.answers, "rounds": ARGS.rounds, "database": connection.vendor}
        fns = {"healthz_ms": lambda: client.get("/healthz")}
        for flavour in flavours:
            fns[f"{flavour}_detail_ms"] = lambda f=flavour: client.get(f"/{f}/answers/{slug}/")
        results.update(timed(fns, ARGS.rounds))
        fns = {
            f"{flavour}_list_ms": lambda f=flavour: client.get(f"/{f}/answers/", {"page_size": 20})
            for flavour in flavours
        }
        results.update(timed(fns, ARGS.rounds))
        draft = json.loads((ROOT / "examples" / "draft.json").read_text())
        results.update(timed({"draft_validation_ms": lambda: DraftIn.model_validate(draft)}, ARGS.rounds))
        results["detail_bytes"] = len(client.get(f"/api/answers/{slug}/").content)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"{ARGS.answers} answers, {ARGS.rounds} rounds, {results['database']}; ms: wall median / p99 / CPU median")

    def row(label, key, base=None):
        wall, p99, cpu = results[key]
        extra = ""
        if base:
            base_wall, _, base_cpu = results[base]
            extra = f"   overhead: +{wall - base_wall:.3f} wall, +{cpu - base_cpu:.3f} CPU ({(cpu / base_cpu - 1) * 100:+.0f}%)"
        print(f"  {label:<34} {wall:7.3f} / {p99:7.3f} / {cpu:7.3f}{extra}")

    row("/healthz (the middleware's floor)", "healthz_ms")
    for what in ("detail", "list"):
        for flavour in flavours:
            label = {"api": "django-ninja", "plain": "plain Django JsonResponse", "drf": "DRF + serializers"}[flavour]
            row(f"{what}: {label}", f"{flavour}_{what}_ms", None if flavour == "plain" else f"plain_{what}_ms")
    row("validating examples/draft.json", "draft_validation_ms")
    print(json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in results.items()}))


if __name__ == "__main__":
    main()
