"""How PostgreSQL runs a search: the queries one uncached search page costs, and the plan of the
ranking query (which index, how many rows ranked). Prints one JSON line; run by http_bench.py.

    DATABASE_URL=postgres://… .venv/bin/python bench/search_plans.py "mivoka tizanidine" "tizanidine sedation"
"""

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oracle.settings")
os.environ["ORACLE_PAGE_CACHE"] = "0"  # the search itself, not the page cache

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def plan_nodes(node) -> list[str]:
    """The plan's nodes, depth first: "Bitmap Index Scan publication_search_vector_gin (784 rows)"."""
    relation = node.get("Index Name") or node.get("Relation Name") or ""
    here = f"{node['Node Type']}{' ' + relation if relation else ''} ({node.get('Actual Rows', 0)} rows)"
    return [here] + [n for child in node.get("Plans", []) for n in plan_nodes(child)]


def main(queries):
    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for query in queries:
        client.get("/search/", {"q": query})  # warm: connection, code paths
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/search/", {"q": query})
        assert response.status_code == 200, response.status_code
        ranking = next((q["sql"] for q in captured.captured_queries if "ts_rank" in q["sql"]), None)
        plan = []
        if ranking:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + ranking)
                plan = cursor.fetchone()[0]
        nodes = plan_nodes(plan[0]["Plan"]) if plan else []
        summary = re.search(r'class="search-summary">(.*?)</p>', response.content.decode(), re.S)
        figures[query] = {
            "queries": len(captured.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "ranking_execution_ms": round(plan[0]["Execution Time"], 2) if plan else None,
            "ranking_plan": nodes,
            "sequential_scan_of_publications": any(n.startswith("Seq Scan articles_publication") for n in nodes),
            "summary": " ".join(summary.group(1).split()) if summary else "",
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:] or ["mivoka tizanidine", "tizanidine sedation"])
