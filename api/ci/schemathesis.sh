#!/usr/bin/env bash
# Fuzz the API with schemathesis against a live gunicorn on a free loopback port, with a fresh
# SQLite database holding the demo content and a demo token. Bounded: at most MAX_EXAMPLES cases
# per operation in the coverage and fuzzing phases, and MAX_TIME seconds in all (fuzzing and the
# stateful phase repeat until the budget is spent, so the run takes about MAX_TIME + 10 s).
# Exits non-zero on any server error, any response the schema does not allow, or a server that
# does not start.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

PY="$ROOT/.venv/bin/python"
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
MAX_TIME=${MAX_TIME:-40}
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=api.ci.settings
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
export ORACLE_PUBLISH_DIR="$WORK/publish"
unset REDIS_URL

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py setup_demo >/dev/null
TOKEN=$("$PY" manage.py create_api_token editor --name schemathesis)

# SCHEMATHESIS_PORT picks the port (machines that share loopback ports); else any free one.
PORT=${SCHEMATHESIS_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE="http://127.0.0.1:$PORT"
"$ROOT/.venv/bin/gunicorn" oracle.wsgi --chdir "$ROOT" --bind "127.0.0.1:$PORT" --workers 2 --log-level error &
SERVER_PID=$!
for _ in $(seq 1 50); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "schemathesis.sh: gunicorn exited" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$BASE/api/schema/" >/dev/null || { echo "schemathesis.sh: no schema at $BASE/api/schema/" >&2; exit 1; }

# From the scratch directory, so schemathesis's cache and example database stay out of the tree.
cd "$WORK"
"$ROOT/.venv/bin/schemathesis" --config-file "$ROOT/api/ci/schemathesis.toml" --no-color run "$BASE/api/schema/" \
  --url "$BASE" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --max-time "$MAX_TIME" \
  --request-timeout 10 \
  --generation-database none \
  --seed "${SEED:-1}"
