"""Issue 13's headline, end to end: with `make run` serving, a publication made from the command line
in a second terminal is on the dev server's next request, and the command prints the address the
site really runs on.

`make run` runs for real (migrate, the demo, runserver with its autoreloader) in a throwaway copy
of the checkout with its own SQLite database, on a free port; every step is bounded by a timeout
and the server's whole process group is always stopped.
"""

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.helpers import copy_checkout, developer_env, free_port, manage

# A new user's checkout on its own SQLite database (developer_env drops DATABASE_URL).
pytestmark = pytest.mark.own_database

PAGE = """Is ginger safe for nausea in pregnancy?

Last updated: October 17, 2025View editorial policy

Summary

Ginger is a reasonable choice for mild nausea in pregnancy. 1

Evidence

  • A trial of ginger showed less nausea than placebo 1

References

Research

A randomised trial of ginger for nausea in pregnancy

Journal of Pregnancy Care, 2020
"""
ANSWER = "/articles/is-ginger-safe-for-nausea-in-pregnancy/"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def dev_server(tmp_path):
    """`PORT=<free> make run` in a copy of the checkout; yields (checkout, base URL, log path)."""
    checkout = copy_checkout(tmp_path / "oracle")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "make-run.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PORT={port}"],
            cwd=checkout,
            env=developer_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, runserver and the reloader's child
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, f"make run exited ({server.returncode}):\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"the dev server did not answer:\n{log_path.read_text()}"
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        yield checkout, base, log_path
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


def test_a_publication_from_the_command_line_is_on_the_dev_servers_next_request(dev_server):
    checkout, base, log_path = dev_server
    status, home = fetch(f"{base}/")
    assert status == 200 and "Is baclofen safe for treating back pain?" in home  # make run's demo
    assert "Is ginger safe" not in home
    assert fetch(f"{base}{ANSWER}")[0] == 404
    page = checkout.parent / "ginger.txt"
    page.write_text(PAGE, encoding="utf-8")

    # A second terminal, as the README writes it.
    done = manage(checkout, "import_article", str(page), "--publish")

    assert done.returncode == 0, done.stderr
    assert f"{base}{ANSWER}  Is ginger safe for nausea in pregnancy? — published (version 1)" in done.stdout
    status, home = fetch(f"{base}/")
    assert status == 200 and "Is ginger safe for nausea in pregnancy?" in home
    status, answer = fetch(f"{base}{ANSWER}")
    assert status == 200 and "Ginger is a reasonable choice for mild nausea in pregnancy." in answer
    # make run told the new user where everything is, on the port it serves.
    log = log_path.read_text()
    for line in (f"Site:         {base}/", f"Admin:        {base}/admin/", f"Demo answer:  {base}/articles/"):
        assert line in log
    assert re.search(r"^\s+editor\s+Editors\s+password: \S+$", log, re.M)


def test_the_readmes_api_example_works_while_the_worker_runs_beside_the_dev_server(dev_server):
    """`make run` serves and runs a worker on one SQLite file; the README's example client creates
    and submits drafts meanwhile. SQLite's deferred transactions made a request that read, then
    wrote, fail with "database is locked" (a 500 on submit) while the worker polled."""
    checkout, base, log_path = dev_server
    token = manage(  # as the README has it: the example declares itself an automated drafting client
        checkout,
        "create_api_token",
        "editor",
        "--name",
        "example",
        "--kind",
        "automated",
        "--system",
        "examples/submit_draft.py",
    )
    assert token.returncode == 0, token.stderr
    env = {**developer_env(), "ORACLE_API_TOKEN": token.stdout.strip()}
    for _ in range(3):
        run = subprocess.run(
            ["python3", "examples/submit_draft.py", "--url", base, "examples/draft.json"],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Board review: " in run.stdout
    assert "Worker " in log_path.read_text()  # make run started one
