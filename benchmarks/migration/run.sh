#!/usr/bin/env bash
# Shadow-table migration benchmark: a 1M-row table under a pgbench write load while its bigint column becomes text.
# Measures the write stall at cutover, the backfill rate against a raw INSERT ... SELECT, and the TPS lost to
# change capture, and prints them against the goals of issue 4. Not a test: run it by hand (see README.md).
#
#   benchmarks/migration/run.sh                 start ./shadowshift up --no-example, run, stop it again
#   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5433/shadowshift_target \
#   BENCH_SCHEMA_URL=http://localhost:8081 BENCH_MIGRATION_URL=http://localhost:8082 \
#   BENCH_MONITOR_URL=http://localhost:8084 benchmarks/migration/run.sh      use a stack that is already up
#
# Knobs: BENCH_ROWS (1000000), BENCH_BASELINE_SECONDS (30), BENCH_CLIENTS (4), BENCH_THREADS (2),
#        BENCH_SCHEMA (bench), BENCH_SUBJECT (bench), BENCH_OUT (benchmarks/migration/out/<time>)
set -euo pipefail
set -m   # background jobs get their own process group and keep SIGINT: the stack must see our Ctrl-C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROWS="${BENCH_ROWS:-1000000}"
BASELINE_SECONDS="${BENCH_BASELINE_SECONDS:-30}"
CLIENTS="${BENCH_CLIENTS:-4}"
THREADS="${BENCH_THREADS:-2}"
SCHEMA="${BENCH_SCHEMA:-bench}"
SUBJECT="${BENCH_SUBJECT:-bench}"
OUT="${BENCH_OUT:-$HERE/out/$(date +%Y%m%dT%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
STACK_PID=""
LOAD_PID=""
POLL_PID=""

say() { printf 'bench | %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

cleanup() {
  set +e
  [ -n "$POLL_PID" ] && kill "$POLL_PID" 2>/dev/null
  [ -n "$LOAD_PID" ] && kill -INT "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null
  if [ -n "$STACK_PID" ]; then
    say "stopping the stack (SIGINT to $STACK_PID)"
    kill -INT "$STACK_PID" 2>/dev/null
    wait "$STACK_PID" 2>/dev/null
  fi
}
trap cleanup EXIT

# --- the stack -------------------------------------------------------------------------------------------------
if [ -n "${BENCH_PG_URL:-}" ]; then
  PG_URL="$BENCH_PG_URL"
  SCHEMA_URL="${BENCH_SCHEMA_URL:-http://localhost:8081}"
  MIGRATION_URL="${BENCH_MIGRATION_URL:-http://localhost:8082}"
  MONITOR_URL="${BENCH_MONITOR_URL:-http://localhost:8084}"
  say "using the running stack: $SCHEMA_URL $MIGRATION_URL, target $PG_URL"
else
  say "starting ./shadowshift up --no-example (log: $OUT/stack.log)"
  (cd "$ROOT" && exec ./shadowshift up --no-example) >"$OUT/stack.log" 2>&1 &
  STACK_PID=$!
  for _ in $(seq 1 1800); do
    grep -q "Press Ctrl-C" "$OUT/stack.log" 2>/dev/null && break
    kill -0 "$STACK_PID" 2>/dev/null || { tail -30 "$OUT/stack.log" >&2; STACK_PID=""; die "the stack did not start"; }
    sleep 1
  done
  grep -q "Press Ctrl-C" "$OUT/stack.log" || die "the stack did not come up within 30 minutes"
  # "  target database    psql -h HOST -p PORT -U USER DB"
  read -r PG_HOST PG_PORT PG_USER PG_DB < <(awk '/target database/ {for (i = 1; i <= NF; i++) {
      if ($i == "-h") h = $(i+1); if ($i == "-p") p = $(i+1); if ($i == "-U") u = $(i+1) } print h, p, u, $NF; exit}' "$OUT/stack.log")
  PG_URL="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
  url_of() { awk -v m="$1" '$1 == m && $2 ~ /^http/ {print $2; exit}' "$OUT/stack.log" | sed 's:/$::'; }
  SCHEMA_URL="$(url_of schema-service)"; MIGRATION_URL="$(url_of migration-worker)"; MONITOR_URL="$(url_of monitor-service)"
  [ -n "$PG_PORT" ] && [ -n "$SCHEMA_URL" ] && [ -n "$MIGRATION_URL" ] || die "cannot read the PostgreSQL port or service URLs from $OUT/stack.log"
  say "stack up: target $PG_URL, schema-service $SCHEMA_URL, migration-worker $MIGRATION_URL"
fi
# the worker's own state database lives on the same server in the local stack
STATE_URL="${BENCH_STATE_DB_URL:-${PG_URL%/*}/shadowshift_migration}"
psqlt() { psql "$PG_URL" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
psqls() { psql "$STATE_URL" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
now() { date +%s.%N; }

submit() {   # $1 spec file -> prints the HTTP status
  curl -s -o "$OUT/submit-$(basename "$1").json" -w '%{http_code}' -X POST -H 'Content-Type: application/yaml' \
    --data-binary "@$1" "$SCHEMA_URL/subjects/$SUBJECT/versions?target=main&schema=$SCHEMA"
}

plan_of() {  # $1 version -> "planId status strategy" of the newest plan of that subject version
  curl -sf "$MIGRATION_URL/migrations" | jq -r --arg s "$SUBJECT" --argjson v "$1" \
    '(if type == "array" then . else (.items // .migrations // []) end)
     | map(select(.subject == $s and .version == $v)) | sort_by(.createdAt) | last // empty
     | "\(.planId) \(.status) \(.strategy)"'
}

await_plan() {  # $1 version, $2 timeout s -> "planId status strategy" once finished
  local deadline=$(( $(date +%s) + $2 )) line=""
  while [ "$(date +%s)" -lt "$deadline" ]; do
    line="$(plan_of "$1" || true)"
    case "$line" in
      *" COMPLETED "*|*" FAILED "*|*" CANCELLED "*|*" NOTHING_TO_DO "*) echo "$line"; return 0 ;;
    esac
    sleep 1
  done
  die "plan for version $1 not finished within $2 s (last: ${line:-none})"
}

# --- 1. the table, through the normal path -----------------------------------------------------------------------
say "submitting spec v1 to $SCHEMA_URL (subject $SUBJECT, schema $SCHEMA)"
code="$(submit "$HERE/spec-v1.yaml")"
case "$code" in 2*) ;; *) cat "$OUT/submit-spec-v1.yaml.json" >&2; die "spec v1 rejected: HTTP $code" ;; esac
read -r PLAN1 STATUS1 STRATEGY1 < <(await_plan 1 600)
[ "$STATUS1" = COMPLETED ] || die "v1 plan $PLAN1 ended $STATUS1"
TABLE_NAME="$(psqlt -c "SELECT table_name FROM information_schema.columns WHERE table_schema = '$SCHEMA' AND column_name = 'amount' LIMIT 1")"
[ -n "$TABLE_NAME" ] || die "no table with column amount in schema $SCHEMA"
TABLE="\"$SCHEMA\".\"$TABLE_NAME\""
say "v1 plan $PLAN1 $STATUS1 ($STRATEGY1): $TABLE, amount is $(psqlt -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$TABLE'::regclass AND attname = 'amount'")"

say "loading $ROWS rows with generate_series"
t0=$(now)
psqlt -c "INSERT INTO $TABLE (id, amount, account, memo, status)
          SELECT g, g * 7, 'acct-' || (g % 1000), md5(g::text), 'open' FROM generate_series(1, $ROWS) g"
psqlt -c "VACUUM ANALYZE $TABLE"
say "loaded in $(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}') s"

# --- 2. raw copy rate on the same server ----------------------------------------------------------------------
# the shadow has only its primary key while it is backfilled (other indexes are built afterwards): so has the copy
psqlt -c "CHECKPOINT"
COPY_MS="$(psqlt -c "DROP TABLE IF EXISTS $SCHEMA.bench_raw_copy" \
  -c "CREATE TABLE $SCHEMA.bench_raw_copy (LIKE $TABLE INCLUDING DEFAULTS)" \
  -c "ALTER TABLE $SCHEMA.bench_raw_copy ADD PRIMARY KEY (id)" \
  -c "CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t" \
  -c "INSERT INTO $SCHEMA.bench_raw_copy SELECT * FROM $TABLE" \
  -c "SELECT round(extract(epoch FROM clock_timestamp() - t) * 1000) FROM t0")"
COPY_ROWS="$(psqlt -c "SELECT count(*) FROM $SCHEMA.bench_raw_copy")"
psqlt -c "DROP TABLE $SCHEMA.bench_raw_copy" -c "CHECKPOINT"
RAW_RATE="$(awk -v r="$COPY_ROWS" -v ms="$COPY_MS" 'BEGIN {printf "%.0f", r / (ms / 1000)}')"
say "raw INSERT INTO copy SELECT * FROM table: $COPY_ROWS rows in $COPY_MS ms = $RAW_RATE rows/s"

# --- 3. pgbench alone ----------------------------------------------------------------------------------------------
sed -e "s/@TABLE@/$(printf '%s' "$TABLE" | sed 's/[&/\]/\\&/g')/g" -e "s/@ROWS@/$ROWS/g" "$HERE/writes.pgbench" > "$OUT/writes.pgbench"
PGB=(pgbench -n -c "$CLIENTS" -j "$THREADS" -f "$OUT/writes.pgbench" "$PG_URL")
say "baseline: pgbench ${CLIENTS}c/${THREADS}j for $BASELINE_SECONDS s"
(cd "$OUT" && "${PGB[@]}" -T "$BASELINE_SECONDS" -l --log-prefix=baseline) > "$OUT/pgbench-baseline.txt" 2>&1 \
  || { cat "$OUT/pgbench-baseline.txt" >&2; die "baseline pgbench failed"; }
BASE_TPS="$(awk '/^tps = / {print $3; exit}' "$OUT/pgbench-baseline.txt")"
read -r _ _ BASE_P50 BASE_P99 BASE_MAX < <(cat "$OUT"/baseline.* | awk -f "$HERE/latency.awk")
say "baseline: $BASE_TPS tps, latency p50 $BASE_P50 ms, p99 $BASE_P99 ms, max $BASE_MAX ms"

# --- 4. pgbench during the migration ---------------------------------------------------------------------------
(cd "$OUT" && exec "${PGB[@]}" -T 3600 -l --log-prefix=migration) > "$OUT/pgbench-migration.txt" 2>&1 &
LOAD_PID=$!
# the migration record, polled: phase and rows copied per instant (server clock = our clock: same machine)
(
  while true; do
    psqls -F ' ' -c "SELECT extract(epoch FROM clock_timestamp()), phase, rows_copied, coalesce(rows_total, 0),
                            coalesce(extract(epoch FROM cut_over_at)::text, '-')
                     FROM shadow_migrations WHERE schema_name = '$SCHEMA' AND table_name = '$TABLE_NAME'
                     ORDER BY created_at DESC LIMIT 1" 2>/dev/null || true
    m="$(curl -s "$MONITOR_URL/api/migrations" 2>/dev/null | jq -r --arg t "$TABLE_NAME" \
        'map(select(.status == "RUNNING" and .phase == "SHADOW" and .rowsPerSecond != null)) | first // empty | .rowsPerSecond' 2>/dev/null || true)"
    [ -n "$m" ] && echo "event $m"
    sleep 0.25
  done
) > "$OUT/poll.txt" &
POLL_PID=$!
sleep 10   # a stretch of load before anything changes
MIG_START=$(now)
say "submitting spec v2 (amount: integer -> string)"
code="$(submit "$HERE/spec-v2.yaml")"
case "$code" in 2*) ;; *) cat "$OUT/submit-spec-v2.yaml.json" >&2; die "spec v2 rejected: HTTP $code" ;; esac
read -r PLAN2 STATUS2 STRATEGY2 < <(await_plan 2 3000)
MIG_END=$(now)
sleep 5
kill "$POLL_PID" 2>/dev/null; wait "$POLL_PID" 2>/dev/null || true; POLL_PID=""
kill -INT "$LOAD_PID" 2>/dev/null; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""
curl -sf "$MIGRATION_URL/migrations/$PLAN2" > "$OUT/plan-v2.json" || true
say "v2 plan $PLAN2: $STATUS2, strategy $STRATEGY2; amount is now $(psqlt -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$TABLE'::regclass AND attname = 'amount'")"
[ "$STRATEGY2" = SHADOW_TABLE ] || say "WARNING: the v2 plan did not take the shadow-table path"
[ "$STATUS2" = COMPLETED ] || say "WARNING: the v2 plan ended $STATUS2: $(jq -r .error "$OUT/plan-v2.json" 2>/dev/null)"
FAILED_TX="$(grep -Eci 'error|abort' "$OUT/pgbench-migration.txt" || true)"

# --- 5. figures --------------------------------------------------------------------------------------------------
# capture window: first poll that saw the shadow (capture installed) .. cutover; backfill: BACKFILLING .. BACKFILLED
read -r CAP_START BF_START BF_END BF_ROWS CUT_AT < <(awk '
  $1 == "event" {next}
  $2 != "PREPARED" && cap == "" {cap = $1}
  $2 == "BACKFILLING" && bs == "" {bs = $1}
  ($2 == "BACKFILLED" || $2 == "OPTIMIZED" || $2 == "VALIDATED" || $2 == "CUT_OVER" || $2 == "CLEANED") && be == "" {be = $1; rows = $3}
  $5 != "-" {cut = $5}
  END {print (cap == "" ? "-" : cap), (bs == "" ? "-" : bs), (be == "" ? "-" : be), (rows == "" ? 0 : rows), (cut == "" ? "-" : cut)}' "$OUT/poll.txt")
EVENT_RATE="$(awk '$1 == "event" {r = $2} END {print (r == "" ? "-" : r)}' "$OUT/poll.txt")"
[ "$CUT_AT" != "-" ] || die "no cutover time recorded (see $OUT/poll.txt)"
BF_RATE="$(awk -v a="$BF_START" -v b="$BF_END" -v r="$BF_ROWS" 'BEGIN {if (a == "-" || b == "-" || b <= a) print "-"; else printf "%.0f", r / (b - a)}')"
LOGS=("$OUT"/migration.*)
read -r _ CAP_TPS _ _ _ < <(cat "${LOGS[@]}" | awk -v lo="$CAP_START" -v hi="$(awk -v c="$CUT_AT" 'BEGIN {printf "%.3f", c - 1}')" -f "$HERE/latency.awk")
read -r CUT_N _ _ CUT_P99 CUT_MAX < <(cat "${LOGS[@]}" | awk -v lo="$(awk -v c="$CUT_AT" 'BEGIN {printf "%.3f", c - 1}')" \
  -v hi="$(awk -v c="$CUT_AT" 'BEGIN {printf "%.3f", c + 1}')" -f "$HERE/latency.awk")
read -r _ _ _ ALL_P99 ALL_MAX < <(cat "${LOGS[@]}" | awk -v lo="$MIG_START" -v hi="$MIG_END" -f "$HERE/latency.awk")
# the backfill part of the capture window alone (the backfill competes for the 2 cores as well)
read -r _ BF_TPS _ _ _ < <(cat "${LOGS[@]}" | awk -v lo="$BF_START" -v hi="$BF_END" -f "$HERE/latency.awk")

pct() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.1f", 100 * a / b}'; }
TPS_LOSS="$(awk -v c="$CAP_TPS" -v b="$BASE_TPS" 'BEGIN {printf "%.1f", 100 * (b - c) / b}')"
BF_PCT="$(pct "$BF_RATE" "$RAW_RATE")"
verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {if (v == "-") print "n/a"; else if ((op == "<=" && v + 0 <= g) || (op == ">=" && v + 0 >= g)) print "PASS"; else print "MISS"}'; }

{
  echo "Shadowshift migration benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $ROWS rows, pgbench ${CLIENTS}c/${THREADS}j"
  echo "table $TABLE amount bigint -> text; v2 plan $PLAN2 $STATUS2 ($STRATEGY2); output in $OUT"
  echo
  printf '%-46s %14s %14s %s\n' "measure" "value" "goal" "verdict"
  printf '%-46s %14s %14s %s\n' "cutover write stall p99 (cutover +-1 s, $CUT_N tx)" "$CUT_P99 ms" "<= 50 ms" "$(verdict "$CUT_P99" "<=" 50)"
  printf '%-46s %14s %14s %s\n' "cutover write stall max (cutover +-1 s)" "$CUT_MAX ms" "" ""
  printf '%-46s %14s %14s %s\n' "backfill rate (migration record)" "$BF_RATE rows/s" "" ""
  printf '%-46s %14s %14s %s\n' "raw INSERT INTO copy SELECT * FROM table" "$RAW_RATE rows/s" "" ""
  printf '%-46s %14s %14s %s\n' "backfill / raw copy" "$BF_PCT %" ">= 70 %" "$(verdict "$BF_PCT" ">=" 70)"
  printf '%-46s %14s %14s %s\n' "backfill rate (last RUNNING event rowsPerSecond)" "$EVENT_RATE rows/s" "" ""
  printf '%-46s %14s %14s %s\n' "TPS baseline (pgbench alone)" "$BASE_TPS" "" ""
  printf '%-46s %14s %14s %s\n' "TPS during capture (shadow created .. cutover-1s)" "$CAP_TPS" "" ""
  printf '%-46s %14s %14s %s\n' "  of which during backfill" "$BF_TPS" "" ""
  printf '%-46s %14s %14s %s\n' "TPS loss during capture" "$TPS_LOSS %" "<= 10 %" "$(verdict "$TPS_LOSS" "<=" 10)"
  printf '%-46s %14s %14s %s\n' "latency p99 / max, whole migration" "$ALL_P99 / $ALL_MAX ms" "" ""
  printf '%-46s %14s %14s %s\n' "latency p50 / p99 / max, baseline" "$BASE_P50 / $BASE_P99 / $BASE_MAX ms" "" ""
  printf '%-46s %14s %14s %s\n' "pgbench error lines during migration" "$FAILED_TX" "0" "$( [ "$FAILED_TX" = 0 ] && echo PASS || echo MISS)"
  echo
  echo "phases (epoch s): capture from $CAP_START, backfill $BF_START .. $BF_END ($BF_ROWS rows), cutover at $CUT_AT; v2 submitted $MIG_START, finished $MIG_END"
} | tee "$OUT/report.txt"
