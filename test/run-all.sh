#!/usr/bin/env bash
# The test command (README): installs what the tests need on a fresh machine, makes sure the
# services are up, then runs typecheck, lint and every test on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# 1. System packages the tests use: Chromium (browser tests), SoftHSM2 + OpenSC (PKCS#11
#    master key), socat (virtual serial ports).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
command -v socat >/dev/null 2>&1 || need+=(socat)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 2. Node packages, exactly as locked.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
fi

# 3. Services: PostgreSQL (second run of the suite) and Mosquitto (gateway tests).
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
if command -v mosquitto >/dev/null 2>&1 && ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  log "starting Mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
fi

# 4. The web shell (browser tests load it from the server) and the compiled CLI (dist/, which
#    bin/openeks.mjs runs when it is current; the CLI tests spawn it).
log "build web shell"
npm run --silent build:web >/dev/null
log "build CLI"
npm run --silent build:cli >/dev/null

log "typecheck"
npx tsc --noEmit
log "lint"
npx eslint --max-warnings 0 .

PG_URL="${OPENEKS_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
log "tests on SQLite"
OPENEKS_TEST_DATABASE_URL= npx vitest run --reporter=default --reporter=json --outputFile.json="$results/sqlite.json" || status=1
log "tests on PostgreSQL"
OPENEKS_TEST_DATABASE_URL="$PG_URL" npx vitest run --reporter=default --reporter=json --outputFile.json="$results/postgres.json" || status=1

# One plain closing line over both runs, for people and for CI.
node -e '
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    try { const r = require(file); passed += r.numPassedTests; failed += r.numFailedTests + (r.numTotalTests === 0 ? 1 : 0); }
    catch { failed += 1; }
  }
  console.log(`\n${passed} passed, ${failed} failed`);
' "$results/sqlite.json" "$results/postgres.json"
exit $status
