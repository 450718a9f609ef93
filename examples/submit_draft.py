#!/usr/bin/env python3
"""Hand Oracle a draft answer, submit it for review, and print where the board reviews it.

Standard library only: copy this file into a drafting pipeline as it is.

    export ORACLE_API_TOKEN=oracle_...   # an administrator creates it in the admin: API tokens,
                                         # scope drafts:write (locally: manage.py create_api_token editor --name NAME --kind automated --system NAME)
    python3 examples/submit_draft.py --url http://127.0.0.1:8000 examples/draft.json

The JSON file is the body of `POST /api/drafts/` (see /api/docs/): question, summary, sections of
claims citing `[@key]`, and the references by key, DOI or PMID (missing ones are created from their
title). With `--update ID --version N` it replaces the content of draft ID instead, if N (the
`version` of your last read, GET /api/drafts/ID/) is still its version: an update never overwrites
a newer save (Oracle answers 409 then; read it again). Then it submits the draft
(`POST /api/drafts/ID/submit/`). Nobody reads it until a board member approves it in the admin.

Exit status: 0 submitted (or saved, with --no-submit); 1 Oracle refused a request (each error is
printed; a refused request saved nothing); 2 the file or the options are wrong, or Oracle is
unreachable.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

USER_AGENT = "oracle-example-client/1"
MAX_RETRIES = 3  # on 429, after waiting what Retry-After says


class Refused(Exception):
    """Oracle answered with an error status; `body` is its JSON error."""

    def __init__(self, status: int, body: dict):
        super().__init__(body.get("detail", f"HTTP {status}"))
        self.status, self.body = status, body


def call(base_url: str, token: str, method: str, path: str, body=None, *, timeout: float = 30.0) -> dict:
    """One JSON request; returns the decoded body or raises Refused (retrying 429s a few times)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
    if data is not None:
        headers["Content-Type"] = "application/json"
    for attempt in range(MAX_RETRIES + 1):
        request = urllib.request.Request(base_url.rstrip("/") + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                decoded = json.loads(payload) if payload else {}
            except ValueError:
                decoded = {"detail": payload.decode("utf-8", "replace")[:500]}
            if error.code == 429 and attempt < MAX_RETRIES:
                wait = min(int(error.headers.get("Retry-After") or 1), 60)
                print(f"Rate limited; retrying in {wait} s.", file=sys.stderr)
                time.sleep(wait)
                continue
            raise Refused(error.code, decoded if isinstance(decoded, dict) else {"detail": str(decoded)}) from None
    raise AssertionError("unreachable")


def explain(error: Refused) -> str:
    lines = [f"Oracle refused the request (HTTP {error.status}): {error.body.get('detail', '')}"]
    if error.body.get("unknown_keys"):
        lines.append("  Unknown citation keys: " + ", ".join(error.body["unknown_keys"]))
    for item in error.body.get("errors") or []:
        lines.append(f"  {item.get('field', 'body')}: {item.get('message', '')}")
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Create (or update) a draft answer in Oracle and submit it for review."
    )
    parser.add_argument("draft", help="JSON file: the draft answer, as POST /api/drafts/ takes it.")
    parser.add_argument(
        "--url",
        default=os.environ.get("ORACLE_URL", "http://127.0.0.1:8000"),
        help="Oracle's address (default: $ORACLE_URL or http://127.0.0.1:8000).",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("ORACLE_API_TOKEN", ""),
        help="API token with scope drafts:write (default: $ORACLE_API_TOKEN; the variable keeps it out of `ps`).",
    )
    parser.add_argument("--update", type=int, metavar="ID", help="Replace the content of this draft instead.")
    parser.add_argument(
        "--version",
        type=int,
        metavar="N",
        help="With --update: the version you read and are replacing (else the file's `version`).",
    )
    parser.add_argument("--note", default=None, help="For the board: what to look at (default: the change summary).")
    parser.add_argument("--no-submit", action="store_true", help="Only save the draft; do not submit it.")
    parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for each response.")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.token:
        print("No API token: pass --token or set ORACLE_API_TOKEN.", file=sys.stderr)
        return 2
    try:
        with open(args.draft, encoding="utf-8") as file:
            draft = json.load(file)
    except (OSError, ValueError) as exc:
        print(f"Cannot read the draft {args.draft}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(draft, dict):
        print(f"{args.draft} must hold a JSON object (the draft answer).", file=sys.stderr)
        return 2

    if args.update and args.version is None and draft.get("version") is None:
        print(
            "--update needs the version you are replacing: --version N (see GET /api/drafts/ID/), "
            "so that a newer save is never overwritten.",
            file=sys.stderr,
        )
        return 2
    if args.update and args.version is not None:
        draft = {**draft, "version": args.version}

    saved = None
    try:
        if args.update:
            saved = call(args.url, args.token, "PUT", f"/api/drafts/{args.update}/", draft, timeout=args.timeout)
            print(f"Updated draft {saved['id']}: {saved['question']}")
        else:
            saved = call(args.url, args.token, "POST", "/api/drafts/", draft, timeout=args.timeout)
            print(f"Created draft {saved['id']}: {saved['question']}")
        if args.no_submit:
            for problem in saved.get("problems") or []:
                print(f"  Before it can be submitted: {problem}")
            print(f"Draft in the admin: {saved['admin_url']}")
            return 0
        note = args.note if args.note is not None else draft.get("change_summary", "")
        status = call(
            args.url,
            args.token,
            "POST",
            f"/api/drafts/{saved['id']}/submit/",
            {"change_summary": note[:500]},
            timeout=args.timeout,
        )
    except Refused as error:
        print(explain(error), file=sys.stderr)
        if saved is not None:
            print(f"The draft was saved but not submitted; fix it here: {saved['admin_url']}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        print(f"Cannot reach Oracle at {args.url}: {exc}", file=sys.stderr)
        return 2

    review = status["reviews"][0]
    print(f"Submitted for review (review {review['id']}, {review['state']}); the board has been told.")
    print(f"Board review: {status['admin_url']}")
    print(f"Review status: {saved['review_url']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
