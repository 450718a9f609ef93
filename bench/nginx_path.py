"""The nginx path: a published answer served by the shipped deploy/nginx.conf against a plain
static file of the same bytes, side by side, identity and gzip; prints req/s and the ratio.

    .venv/bin/python bench/nginx_path.py [--seconds 5] [--rounds 3] [--min-ratio 0.9]

Loopback only (three free ports unless --port-base says otherwise), everything in a temporary
directory removed at the end. Oracle writes the published pages (on a throwaway SQLite database:
generate_demo_data, then the published files as the site writes them; a precompressed
`index.html.gz` is added beside a page when the writer did not make one). nginx then serves:

  (a) the limit: a bare server block serving the same page as a plain file (`gzip_static on`, no
      open-file cache, nothing else), and
  (b) the shipped config, rewritten to the loopback ports and temporary directories only;

wrk measures (a) and (b) in interleaved rounds, with and without `Accept-Encoding: gzip`.
Checks, besides the ratio: (b) sends the file's bytes (or the .gz with `Content-Encoding: gzip`
and `Vary: Accept-Encoding`), and once a page's index.html is removed (a withdrawal), nginx stops
serving it — also its .gz — within the open-file cache's validity (printed, in ms).
"""

import argparse
import gzip
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness import free_ports, sh, wait_for

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GONE_WITHIN_S = 2.0  # open_file_cache_valid in the shipped config, plus slack


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def wrk(url, seconds, connections, threads, gzip_ok):
    headers = ["-H", "Accept-Encoding: gzip"] if gzip_ok else []
    out = sh("wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *headers, url).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, errors.groups())) if errors else 0),
    }


def get(url, gzip_ok=False):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def publish_pages(work: Path, answers: int) -> list[Path]:
    """Oracle writes its published pages into work/publish; the answer pages' paths."""
    database = work / "db.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "oracle.settings_test",
        "DATABASE_URL": f"sqlite:///{database}",
        "ORACLE_PUBLISH_DIR": str(work / "publish"),
        "ORACLE_BASE_URL": "http://127.0.0.1",
    }
    sh(PY, "manage.py", "migrate", "--noinput", "-v0", env=env, cwd=ROOT)
    sh(PY, "manage.py", "generate_demo_data", "--answers", str(answers), "--jobs", "1", "-v0", env=env, cwd=ROOT)
    # The site's writer (a reconcile if this checkout has one, else each answer's file)
    write = (
        "import django; django.setup()\n"
        "from django.core.management import call_command, get_commands\n"
        "if 'reconcile_published' in get_commands():\n"
        "    call_command('reconcile_published', verbosity=0)\n"
        "else:\n"
        "    from articles.models import Article\n"
        "    from articles.published_files import write_answer_file\n"
        "    for slug in Article.objects.published().values_list('slug', flat=True):\n"
        "        write_answer_file(slug)\n"
    )
    sh(PY, "-c", write, env=env, cwd=ROOT)
    pages = sorted((work / "publish" / "articles").glob("*/index.html"))
    if not pages:
        raise RuntimeError("Oracle wrote no published pages")
    for page in pages:
        packed = page.with_name("index.html.gz")
        if not packed.exists():  # the writer does not precompress (yet): as it would
            packed.write_bytes(gzip.compress(page.read_bytes(), compresslevel=9, mtime=0))
    return pages


def main():  # noqa: PLR0915 - one scenario, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=1, help="nginx worker processes")
    parser.add_argument(
        "--port-base", type=int, default=None, help="three loopback ports from here (default: three free ones)"
    )
    parser.add_argument("--min-ratio", type=float, default=0.9, help="exit 1 below this ratio (b)/(a)")
    args = parser.parse_args()
    for tool in ("wrk", nginx_binary()):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed")
    if args.port_base is None:
        plain_port, shipped_port, django_port = free_ports(3)
    else:
        plain_port, shipped_port, django_port = args.port_base, args.port_base + 1, args.port_base + 2

    work = Path(tempfile.mkdtemp(prefix="oracle-nginx-path-"))
    work.chmod(0o755)  # nginx's workers run as an unprivileged user
    nginx = None
    failures = []
    try:
        pages = publish_pages(work, args.answers)
        for path in [work, *work.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        page = pages[0]
        slug = page.parent.name
        plain = work / "plain"
        plain.mkdir(mode=0o755)
        shutil.copy(page, plain / "answer.html")
        shutil.copy(page.with_name("index.html.gz"), plain / "answer.html.gz")
        (work / "staticfiles").mkdir(mode=0o755)

        shipped = (ROOT / "deploy" / "nginx.conf").read_text()
        rewritten = (
            shipped.replace("/srv/oracle/publish", str(work / "publish"))
            .replace("/srv/oracle/staticfiles/", f"{work / 'staticfiles'}/")
            .replace("127.0.0.1:8000", f"127.0.0.1:{django_port}")  # nothing listens: misses are 502
            .replace("listen 80;", f"listen 127.0.0.1:{shipped_port};")
        )
        if rewritten.count(str(work)) < 2 or f"127.0.0.1:{shipped_port}" not in rewritten:
            raise RuntimeError("deploy/nginx.conf no longer has the paths and ports this script rewrites")
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
    client_body_temp_path {work}/client; proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fcgi;
    uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{plain_port};
        root {plain};
        gzip_static on;
        location = /answer.html {{ }}
    }}
{rewritten}
}}
""")
        sh(nginx_binary(), "-t", "-c", str(conf), "-p", str(work))
        nginx = subprocess.Popen(
            [nginx_binary(), "-c", str(conf), "-p", str(work), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        plain_url = f"http://127.0.0.1:{plain_port}/answer.html"
        answer_url = f"http://127.0.0.1:{shipped_port}/articles/{slug}/"
        wait_for(plain_url)

        # What the shipped config sends: the file, or its precompressed copy, never anything else.
        status, headers, body = get(answer_url)
        if status != 200 or body != page.read_bytes() or "Content-Encoding" in headers:
            failures.append(f"identity: the answer is not the published file (status {status})")
        status, headers, body = get(answer_url, gzip_ok=True)
        if status != 200 or headers.get("Content-Encoding") != "gzip" or gzip.decompress(body) != page.read_bytes():
            failures.append(f"gzip: the answer is not the precompressed file (status {status}, {headers})")
        if "Accept-Encoding" not in headers.get("Vary", ""):
            failures.append("gzip: no Vary: Accept-Encoding (shared caches would mix the two)")
        size, packed_size = page.stat().st_size, page.with_name("index.html.gz").stat().st_size
        print(f"== answer page {size:,} bytes, precompressed {packed_size:,} bytes ({packed_size / size:.0%})")

        cases = {
            "(a) static file, identity": (plain_url, False),
            "(b) answer, identity": (answer_url, False),
            "(a) static file, gzip": (plain_url, True),
            "(b) answer, gzip": (answer_url, True),
        }
        for url, gzip_ok in cases.values():  # warm up
            wrk(url, 1, 4, 1, gzip_ok)
        samples = {name: [] for name in cases}
        for round_number in range(args.rounds):
            for name, (url, gzip_ok) in cases.items():
                samples[name].append(wrk(url, args.seconds, args.connections, args.threads, gzip_ok))
            print(f"   round {round_number + 1}/{args.rounds} done", flush=True)
        rps = {name: statistics.median(s["rps"] for s in runs) for name, runs in samples.items()}
        errors = {name: sum(s["errors"] for s in runs) for name, runs in samples.items()}
        print(f"\n{'case':<30}{'req/s':>10}{'errors':>8}")
        for name in cases:
            print(f"{name:<30}{rps[name]:>10,.0f}{errors[name]:>8}")
        ratios = {
            encoding: rps[f"(b) answer, {encoding}"] / rps[f"(a) static file, {encoding}"]
            for encoding in ("identity", "gzip")
        }
        for encoding, ratio in ratios.items():
            print(f"(b)/(a) {encoding}: {ratio:.1%}")
            if ratio < args.min_ratio:
                failures.append(
                    f"{encoding}: the answer path serves {ratio:.1%} of the static file (< {args.min_ratio:.0%})"
                )
        if any(errors.values()):
            failures.append(f"errors: {errors}")

        # A withdrawal removes index.html: nginx must stop serving the page, .gz and all.
        other = pages[-1]
        other_url = f"http://127.0.0.1:{shipped_port}/articles/{other.parent.name}/"
        get(other_url, gzip_ok=True)  # in the open-file cache now
        other.unlink()
        removed = time.monotonic()
        gone_after = None
        while time.monotonic() - removed < GONE_WITHIN_S + 3:
            if get(other_url, gzip_ok=True)[0] != 200 and get(other_url)[0] != 200:
                gone_after = time.monotonic() - removed
                break
            time.sleep(0.05)
        print(
            f"a removed page (its .gz left behind) stopped being served after "
            f"{'never' if gone_after is None else f'{gone_after * 1000:.0f} ms'} (limit {GONE_WITHIN_S:.0f} s)"
        )
        if gone_after is None or gone_after > GONE_WITHIN_S:
            failures.append("a removed page was still served")
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        shutil.rmtree(work, ignore_errors=True)

    print("")
    if failures:
        for failure in failures:
            print(f"FAIL  {failure}")
        sys.exit(1)
    print(f"PASS  the answer path serves at least {args.min_ratio:.0%} of static-file throughput, identity and gzip")


if __name__ == "__main__":
    main()
