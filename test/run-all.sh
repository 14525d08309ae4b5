#!/usr/bin/env bash
# The test command (README): installs what the tests need on a fresh machine, makes sure the
# services are up, then runs typecheck, lint and every test on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

# 1. System packages the tests use: Chromium (browser tests), SoftHSM2 + OpenSC (PKCS#11
#    master key), socat (virtual serial ports), Redis (rate limits shared by two instances,
#    test/http/shared-rate-limit.test.ts), gpg, unzip, openssl and xmllint (the downloads' independent readers).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The downloads' independent readers (docs/downloads.md): gpg, unzip, openssl, xmllint.
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 2. Node packages, exactly as locked.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
fi

# 3. Services: PostgreSQL (second run of the suite), Mosquitto (gateway tests), Redis.
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
# Redis answers PING with +PONG; asked over bash's /dev/tcp, so redis-cli is not needed.
# A subshell, so the connection closes with it.
redis_answers() (
  exec 3<>/dev/tcp/127.0.0.1/6379 || exit 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 2 reply <&3 || exit 1
  [ "${reply%$'\r'}" = "+PONG" ]
) 2>/dev/null
if ! redis_answers; then
  log "starting Redis"
  $sudo_cmd mkdir -p /var/lib/redis /var/log/redis
  $sudo_cmd redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 20); do redis_answers && break; sleep 0.5; done
fi
redis_answers || { echo "Redis is not answering on 127.0.0.1:6379 (test/http/shared-rate-limit.test.ts needs it); see /var/log/redis/ci.log" >&2; exit 1; }

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

# One plain closing line over both runs, for people and for CI: a test file that failed to load
# counts as a failure, and so does a run that wrote no report (test/run-summary.ts).
node --import tsx test/run-summary.ts "$results/sqlite.json" "$results/postgres.json" || status=1
exit $status
