"""`make bench`: Oracle's public pages against the static-file limit, measured side by side.

On loopback only, in one run: a generated data set (default 10,000 answers on PostgreSQL),
gunicorn with production settings (page cache off and on, Redis), nginx serving a saved answer
page as a plain file (the limit) and nginx with the shipped deploy/nginx.conf, and wrk measuring
each case in interleaved rounds. Prints req/s, p50, p99 and the ratio to the static file, checks
the targets, and writes everything as JSON under bench/results/.

    .venv/bin/python bench/http_bench.py [--answers 10000] [--seconds 5] [--rounds 3]
    DATABASE_URL=postgres://… to choose the database (default: a local PostgreSQL database oracle_bench)
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from harness import sh, wait_for

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEARCHES = ("mivoka tizanidine", "tizanidine sedation")  # the selective and the broad query below
PORTS = {"app": 18001, "app_nocache": 18002, "nginx_file": 18080, "nginx_shipped": 18081}
CONNECTIONS, THREADS = 32, 2


def ensure_tools():
    missing = [tool for tool in ("wrk", "nginx") if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists()]
    if missing:
        print(f"installing {', '.join(missing)} from Debian's packages …", flush=True)
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt_env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=apt_env)


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def settle(url, timeout=60):
    """Wait until the server behind `url` is idle again: when wrk stops, gunicorn's sync workers still
    serve the requests queued in the listen backlog, and the next case must not queue behind them
    (a one-connection case measured right after a slow 32-connection one otherwise sees nothing)."""
    deadline = time.time() + timeout
    quick = 0
    while time.time() < deadline and quick < 3:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                response.read()
        except Exception:  # noqa: BLE001 - still busy
            quick = 0
            continue
        quick = quick + 1 if time.perf_counter() - started < 0.02 else 0


def wrk(url, seconds, connections=CONNECTIONS):
    threads = min(THREADS, connections)
    # --timeout 10s: wrk's default (2 s) drops slower responses from the latency figures altogether
    out = sh("wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))

    def latency(label):
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "requests": requests,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        # a case that completed no request at all is an error, not a latency of 0 ms
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(n) for n in socket.groups()) if socket else 0)
        + (0 if requests else 1),
    }


def django_env(database_url, extra=None):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "ERROR",
        **(extra or {}),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    ensure_tools()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oracle_bench")
    if database_url.startswith("postgres"):
        name = database_url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", database_url.rsplit("/", 1)[0] + "/postgres", "-qc", f'CREATE DATABASE "{name}"'],
            capture_output=True,
        )
    work = Path(tempfile.mkdtemp(prefix="oracle-bench-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    publish_dir, static_root = work / "publish", work / "staticfiles"
    base_env = django_env(
        database_url,
        {
            "ORACLE_PUBLISH_DIR": str(publish_dir),
            "DJANGO_STATIC_ROOT": str(static_root),
            "ORACLE_BASE_URL": f"http://127.0.0.1:{PORTS['nginx_shipped']}",
        },
    )

    print(f"== data: {args.answers:,} answers on {database_url.split('@')[-1]}", flush=True)
    sh(PY, "manage.py", "migrate", "--noinput", env=base_env, cwd=ROOT)
    sh(PY, "manage.py", "collectstatic", "--noinput", env=base_env, cwd=ROOT)
    started = time.perf_counter()
    out = sh(PY, "manage.py", "generate_demo_data", "--answers", str(args.answers), env=base_env, cwd=ROOT).stdout
    print(out.strip().splitlines()[-1], f"({time.perf_counter() - started:.0f} s)", flush=True)
    # Every published answer has its file (generate_demo_data skips answers that already exist).
    sh(
        PY,
        "-c",
        "import django,os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','oracle.settings'); django.setup();"
        "from articles.models import Article; from articles.published_files import write_answer_file;"
        "[write_answer_file(s) for s in Article.objects.published().filter(slug__startswith='gen-').order_by('pk').values_list('slug', flat=True)[:200]]",
        env=base_env,
        cwd=ROOT,
    )

    processes = []
    try:
        for name, cache in (("app", "1"), ("app_nocache", "0")):
            env = django_env(
                database_url,
                {
                    "ORACLE_PAGE_CACHE": cache,
                    "REDIS_URL": "redis://127.0.0.1:6379/7",
                    "DJANGO_STATIC_ROOT": str(static_root),
                    "ORACLE_PUBLISH_DIR": str(publish_dir),
                },
            )
            processes.append(
                subprocess.Popen(
                    [
                        str(ROOT / ".venv" / "bin" / "gunicorn"),
                        "oracle.wsgi",
                        "-w",
                        str(args.workers),
                        "-b",
                        f"127.0.0.1:{PORTS[name]}",
                        "--access-logfile",
                        "-",
                        "--error-logfile",
                        str(work / f"{name}.log"),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        wait_for(f"http://127.0.0.1:{PORTS['app']}/healthz")
        wait_for(f"http://127.0.0.1:{PORTS['app_nocache']}/healthz")
        subprocess.run(["redis-cli", "-n", "7", "flushdb"], capture_output=True)

        slug = sh(
            PY,
            "-c",
            "import django,os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','oracle.settings'); django.setup();"
            "from articles.models import Article; print(Article.objects.published().filter(slug__startswith='gen-').order_by('pk').values_list('slug', flat=True)[0])",
            env=base_env,
            cwd=ROOT,
        ).stdout.strip()
        answer_path = f"/articles/{slug}/"
        page = wait_for(f"http://127.0.0.1:{PORTS['app']}{answer_path}")
        (work / "file").mkdir()
        (work / "file" / "answer.html").write_bytes(page)

        shipped = (ROOT / "deploy" / "nginx.conf").read_text()
        shipped = (
            shipped.replace("/srv/oracle/publish", str(publish_dir))
            .replace("/srv/oracle/staticfiles/", f"{static_root}/")
            .replace("127.0.0.1:8000", f"127.0.0.1:{PORTS['app']}")
            .replace("listen 80;", f"listen 127.0.0.1:{PORTS['nginx_shipped']};")
        )
        conf = work / "nginx.conf"
        conf.write_text(f"""
worker_processes {args.workers};
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {work}/client; proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{PORTS["nginx_file"]};
        root {work}/file;
        location = /answer.html {{ }}
    }}
{shipped}
}}
""")
        processes.append(
            subprocess.Popen(
                [nginx_binary(), "-c", str(conf), "-p", str(work), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(f"http://127.0.0.1:{PORTS['nginx_file']}/answer.html")
        shipped_page = wait_for(f"http://127.0.0.1:{PORTS['nginx_shipped']}{answer_path}")
        assert b"<h1" in shipped_page

        cases = {
            "a_static_file": f"http://127.0.0.1:{PORTS['nginx_file']}/answer.html",
            "b_django_constant": f"http://127.0.0.1:{PORTS['app']}/healthz",
            "c_answer_cache_off": f"http://127.0.0.1:{PORTS['app_nocache']}{answer_path}",
            "d_answer_cache_on": f"http://127.0.0.1:{PORTS['app']}{answer_path}",
            "e_answer_shipped_nginx": f"http://127.0.0.1:{PORTS['nginx_shipped']}{answer_path}",
            "f_home": f"http://127.0.0.1:{PORTS['app']}/",
            # a selective query (about 8% of the generated answers match), as readers repeat it
            # (cached per generation) …
            "g_search_cached": f"http://127.0.0.1:{PORTS['app']}/search/?q=mivoka+tizanidine",
            # … and every request searching the database (an unknown parameter bypasses the cache) …
            "g_search": f"http://127.0.0.1:{PORTS['app']}/search/?q=mivoka+tizanidine&uncached=1",
            # … and a broad one (the generator's common words: nearly every answer matches)
            "g_search_broad": f"http://127.0.0.1:{PORTS['app']}/search/?q=tizanidine+sedation&uncached=1",
        }
        idle = {  # where to ask whether the server behind a case is idle again
            name: f"{url.split('/', 3)[0]}//{url.split('/', 3)[2]}/healthz" if "18080" not in url else None
            for name, url in cases.items()
        }
        idle["e_answer_shipped_nginx"] = f"http://127.0.0.1:{PORTS['app']}/healthz"  # its misses reach the app
        for url in cases.values():  # warm up: caches, connections, code paths
            sh("wrk", "-t1", "-c4", "-d1s", url)
        for name in cases:
            if idle[name]:
                settle(idle[name])
        samples = {name: [] for name in cases}
        # search latency for one reader at a time (no queueing behind 31 others), selective and broad
        one_connection = {"g_search_1_connection": "g_search", "g_search_broad_1_connection": "g_search_broad"}
        for name in one_connection:
            samples[name] = []
        for round_number in range(args.rounds):
            for name, url in cases.items():
                samples[name].append(wrk(url, args.seconds))
                if idle[name]:
                    settle(idle[name])
            for name, case in one_connection.items():
                samples[name].append(wrk(cases[case], args.seconds, connections=1))
            print(f"   round {round_number + 1}/{args.rounds} done", flush=True)

        memory = {}
        for process, name in zip(processes[:2], ("app", "app_nocache"), strict=True):
            children = sh("pgrep", "-P", str(process.pid), check=False).stdout.split()
            memory[name] = [
                int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) // 1024
                for pid in children
            ]

        admin = sh(PY, str(ROOT / "bench" / "admin_list.py"), env=base_env, cwd=ROOT).stdout
        admin_figures = json.loads(admin.strip().splitlines()[-1])
        plans = sh(PY, str(ROOT / "bench" / "search_plans.py"), *SEARCHES, env=base_env, cwd=ROOT).stdout
        search_figures = json.loads(plans.strip().splitlines()[-1])
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    results = {
        name: {key: statistics.median(s[key] for s in runs) for key in ("rps", "p50_ms", "p99_ms")}
        | {"errors": sum(s["errors"] for s in runs)}
        for name, runs in samples.items()
    }
    limit = results["a_static_file"]["rps"]
    print(f"\n{'case':<26}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs (a)':>9}{'errors':>8}")
    for name, r in results.items():
        r["ratio_to_static"] = r["rps"] / limit
        print(
            f"{name:<26}{r['rps']:>10,.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['ratio_to_static']:>8.1%}{r['errors']:>8}"
        )
    b = results["b_django_constant"]["rps"]
    targets = {
        "(d) cache on >= 70% of (b)": results["d_answer_cache_on"]["rps"] >= 0.7 * b,
        "(c) cache off >= 25% of (b)": results["c_answer_cache_off"]["rps"] >= 0.25 * b,
        "(e) shipped nginx >= 50% of (a)": results["e_answer_shipped_nginx"]["rps"] >= 0.5 * limit,
        "search p50 < 50 ms (uncached, one connection)": all(
            results[name]["p50_ms"] < 50 and not results[name]["errors"]
            for name in ("g_search_1_connection", "g_search_broad_1_connection")
        ),
        "search p50 < 50 ms (32 connections, cached)": results["g_search_cached"]["p50_ms"] < 50
        and not results["g_search_cached"]["errors"],
        "no errors in any case": not any(r["errors"] for r in results.values()),
        "admin article list < 300 ms": admin_figures["admin_list_ms"] < 300,
        "admin list queries constant": admin_figures["queries_constant"],
        "gunicorn worker memory < 150 MB": max(m for ms in memory.values() for m in ms) < 150,
        "search never reads every publication (index, capped ranking)": not any(
            f["sequential_scan_of_publications"] for f in search_figures.values()
        ),
    }
    print(
        f"\nd/b = {results['d_answer_cache_on']['rps'] / b:.0%}   c/b = {results['c_answer_cache_off']['rps'] / b:.0%}   "
        f"e/a = {results['e_answer_shipped_nginx']['rps'] / limit:.0%}"
    )
    print(
        f"admin article list ({admin_figures['articles']:,} articles): {admin_figures['admin_list_ms']:.0f} ms, "
        f"{admin_figures['queries']} queries (with 10 fewer articles: {admin_figures['queries_fewer']})"
    )
    print(f"gunicorn worker RSS after the run (MB): {memory}")
    for query, f in search_figures.items():
        print(
            f"search “{query}”: {f['queries']} queries, {f['sql_ms']} ms of SQL; ranking query "
            f"{f['ranking_execution_ms']} ms: {' → '.join(f['ranking_plan'][:6])}"
        )
    for name, ok in targets.items():
        print(f"  {'PASS' if ok else 'MISS'}  {name}")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "when": stamp,
        "answers": args.answers,
        "database": database_url.split("@")[-1],
        "connections": CONNECTIONS,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "workers": args.workers,
        "results": results,
        "admin": admin_figures,
        "search": search_figures,
        "worker_rss_mb": memory,
        "targets": targets,
    }
    (out_dir / f"http-{stamp}.json").write_text(json.dumps(payload, indent=2))
    print(f"\nwritten: bench/results/http-{stamp}.json")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
