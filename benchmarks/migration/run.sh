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
#        BENCH_CAPTURE_SECONDS (30: how long the migration holds with capture on and no backfill; the stack started
#        here gets SHADOWSHIFT_MIGRATION_SHADOW_HOLD_BEFORE_BACKFILL=<that>s; give a running stack the same env),
#        BENCH_REFERENCE_SECONDS (30: how long it holds just before, after preflight and before capture exists, as the
#        reference for the capture window; SHADOWSHIFT_MIGRATION_SHADOW_HOLD_AT=PREPARED and ..._HOLD_FOR=<that>s),
#        BENCH_AB_ROUNDS (5) x BENCH_AB_SECONDS (20): the capture A/B after the migration (see Fairness),
#        BENCH_MIGRATION_LOG (the migration-worker log, for the backfill rate it logs; .shadowshift/logs/migration-worker.log),
#        BENCH_SCHEMA (bench), BENCH_SUBJECT (bench), BENCH_OUT (benchmarks/migration/out/<time>)
#
# Fairness: the raw copy the backfill goal compares against reads the same table in the same state, under the same
# load: the original as the backfill found it (kept as the rollback table), copied with the same conversion while
# pgbench still runs, right after the migration (step 5). The table as loaded (1M rows in key order, no dead rows)
# is copied too, idle and under load, and shown, not counted: the backfill never sees that table.
# The TPS lost to capture alone is measured while the migration holds after its capture triggers exist and before
# its backfill starts, against the window right before it, in which the same migration holds after its preflight
# and before it creates anything (same stack, same table, same activity, a minute closer than the baseline).
# This machine's speed drifts by more than the goal within minutes, even between two adjacent windows, so the
# capture verdict comes from an interleaved A/B instead: the engine's own capture function, trigger and log, copied
# from the live migration during its capture hold, are put on a copy of the original table after the migration, and
# the same load runs on that copy with and without them, alternating, each run starting from an empty log, a
# vacuumed table and a checkpoint; the median of the per-round losses counts.
# Backfill and the whole migration window are reported separately.
set -euo pipefail
set -m   # background jobs get their own process group and keep SIGINT: the stack must see our Ctrl-C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROWS="${BENCH_ROWS:-1000000}"
BASELINE_SECONDS="${BENCH_BASELINE_SECONDS:-30}"
CAPTURE_SECONDS="${BENCH_CAPTURE_SECONDS:-30}"
REFERENCE_SECONDS="${BENCH_REFERENCE_SECONDS:-30}"
MIGRATION_LOG="${BENCH_MIGRATION_LOG:-$ROOT/.shadowshift/logs/migration-worker.log}"
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
COPY_LOAD_PID=""

say() { printf 'bench | %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# SIGINT lets pgbench flush its per-transaction log; a shell started in the background without job control hands
# its children SIGINT ignored, so fall back to SIGTERM (losing at most the log's last buffer) rather than hang
stop() {  # $1 pid
  kill -INT "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$1" 2>/dev/null && kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null || true
}

cleanup() {
  set +e
  [ -n "$POLL_PID" ] && kill "$POLL_PID" 2>/dev/null
  [ -n "$COPY_LOAD_PID" ] && stop "$COPY_LOAD_PID"
  [ -n "$LOAD_PID" ] && stop "$LOAD_PID"
  if [ -n "$STACK_PID" ]; then
    say "stopping the stack (SIGINT to $STACK_PID, SIGTERM after 10 s; both run its shutdown)"
    stop "$STACK_PID"
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
  say "starting ./shadowshift up --no-example (log: $OUT/stack.log), reference hold ${REFERENCE_SECONDS}s, capture-only hold ${CAPTURE_SECONDS}s"
  (cd "$ROOT" && SHADOWSHIFT_MIGRATION_SHADOW_HOLD_BEFORE_BACKFILL="${CAPTURE_SECONDS}s" \
     SHADOWSHIFT_MIGRATION_SHADOW_HOLD_AT=PREPARED SHADOWSHIFT_MIGRATION_SHADOW_HOLD_FOR="${REFERENCE_SECONDS}s" \
     exec ./shadowshift up --no-example) >"$OUT/stack.log" 2>&1 &
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

# --- 2. raw copy rate on the same server, idle and under the benchmark's write load ------------------------------
# the shadow has only its primary key while it is backfilled (other indexes are built afterwards): so has the copy
sed -e "s/@TABLE@/$(printf '%s' "$TABLE" | sed 's/[&/\]/\\&/g')/g" -e "s/@ROWS@/$ROWS/g" "$HERE/writes.pgbench" > "$OUT/writes.pgbench"
PGB=(pgbench -n -c "$CLIENTS" -j "$THREADS" -f "$OUT/writes.pgbench" "$PG_URL")
raw_copy() {  # [source table, shaped like] -> "rows ms"
  local from="${1:-$TABLE}" shape="${2:-$TABLE}"
  psqlt -c "DROP TABLE IF EXISTS $SCHEMA.bench_raw_copy" \
    -c "CREATE TABLE $SCHEMA.bench_raw_copy (LIKE $shape INCLUDING DEFAULTS)" \
    -c "ALTER TABLE $SCHEMA.bench_raw_copy ADD PRIMARY KEY (id)" -c "CHECKPOINT"
  local ms rows
  ms="$(psqlt -c "CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t" \
    -c "INSERT INTO $SCHEMA.bench_raw_copy SELECT * FROM $from" \
    -c "SELECT round(extract(epoch FROM clock_timestamp() - t) * 1000) FROM t0")"
  rows="$(psqlt -c "SELECT count(*) FROM $SCHEMA.bench_raw_copy")"
  psqlt -c "DROP TABLE $SCHEMA.bench_raw_copy" -c "CHECKPOINT"
  echo "$rows $ms"
}
read -r COPY_ROWS COPY_MS < <(raw_copy)
RAW_IDLE_RATE="$(awk -v r="$COPY_ROWS" -v ms="$COPY_MS" 'BEGIN {printf "%.0f", r / (ms / 1000)}')"
say "raw INSERT INTO copy SELECT * FROM table, idle: $COPY_ROWS rows in $COPY_MS ms = $RAW_IDLE_RATE rows/s"
(cd "$OUT" && exec "${PGB[@]}" -T 3600) > "$OUT/pgbench-rawcopy.txt" 2>&1 &
COPY_LOAD_PID=$!
sleep 5   # the load settles first
# three copies under load, the median counts: one sample swung by +-30% between runs on this machine
LOADED_RATES=()
for attempt in 1 2 3; do
  read -r LCOPY_ROWS LCOPY_MS < <(raw_copy)
  rate="$(awk -v r="$LCOPY_ROWS" -v ms="$LCOPY_MS" 'BEGIN {printf "%.0f", r / (ms / 1000)}')"
  LOADED_RATES+=("$rate")
  say "raw INSERT INTO copy SELECT * FROM table, under pgbench ${CLIENTS}c, copy $attempt: $LCOPY_ROWS rows in $LCOPY_MS ms = $rate rows/s"
done
stop "$COPY_LOAD_PID"; COPY_LOAD_PID=""
RAW_RATE="$(printf '%s\n' "${LOADED_RATES[@]}" | sort -n | sed -n 2p)"
say "raw copy under load, median of 3: $RAW_RATE rows/s (${LOADED_RATES[*]})"
psqlt -c "VACUUM ANALYZE $TABLE"

# --- 3. pgbench alone ----------------------------------------------------------------------------------------------
say "baseline: pgbench ${CLIENTS}c/${THREADS}j for $BASELINE_SECONDS s"
(cd "$OUT" && "${PGB[@]}" -T "$BASELINE_SECONDS" -l --log-prefix=baseline) > "$OUT/pgbench-baseline.txt" 2>&1 \
  || { cat "$OUT/pgbench-baseline.txt" >&2; die "baseline pgbench failed"; }
BASE_TPS="$(awk '/^tps = / {print $3; exit}' "$OUT/pgbench-baseline.txt")"
read -r _ _ BASE_P50 BASE_P99 BASE_MAX < <(cat "$OUT"/baseline.* | awk -f "$HERE/latency.awk")
say "baseline: $BASE_TPS tps, latency p50 $BASE_P50 ms, p99 $BASE_P99 ms, max $BASE_MAX ms"

# --- 4. pgbench during the migration ---------------------------------------------------------------------------
(cd "$OUT" && exec "${PGB[@]}" -T 3600 -l --log-prefix=migration) > "$OUT/pgbench-migration.txt" 2>&1 &
LOAD_PID=$!
# the migration record, polled every 0.2 s by ONE psql session (\watch): a psql process per sample costs a
# connection each and took CPU from the load on 2 cores (server clock = our clock: same machine)
psql "$STATE_URL" -X -q -At -F ' ' > "$OUT/poll.txt" 2>"$OUT/poll.err" <<SQL &
SELECT extract(epoch FROM clock_timestamp()), phase, rows_copied, coalesce(rows_total, 0),
       coalesce(extract(epoch FROM cut_over_at)::text, '-')
FROM shadow_migrations WHERE schema_name = '$SCHEMA' AND table_name = '$TABLE_NAME'
ORDER BY created_at DESC LIMIT 1 \watch 0.2
SQL
POLL_PID=$!
# while the capture-only hold lasts, copy the engine's capture (function, trigger timing and events, change log
# shape) for the A/B after the migration; the names are swapped, the body is the engine's text
grab_capture() {
  for _ in $(seq 1 1200); do
    awk 'END {exit !($2 == "BACKFILLING" && $3 == 0)}' "$OUT/poll.txt" 2>/dev/null && break
    sleep 0.5
  done
  local fn log
  fn="$(psqlt -c "SELECT p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgrelid = '$TABLE'::regclass
                   AND t.tgname LIKE '%\\_ss\\_capture\\_%' AND t.tgname NOT LIKE '%\\_ss\\_capture\\_trunc\\_%'")"
  log="$(psqlt -c "SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                    WHERE s.nspname = '$SCHEMA' AND c.relname LIKE '${TABLE_NAME}\\_ss\\_log\\_%'")"
  [ -n "$fn" ] && [ -n "$log" ] || { say "WARNING: no capture trigger or change log found during the hold"; return 0; }
  psqlt -c "SELECT pg_get_functiondef('$SCHEMA.$fn'::regproc)" | sed -e "s/$fn/bench_ab_capture/g" -e "s/$log/bench_ab_log/g" > "$OUT/ab-capture-function.sql"
  psqlt -c "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE t.tgrelid = '$TABLE'::regclass AND t.tgname = '$fn'" \
    | sed -n 's/^CREATE TRIGGER [^ ]* \(.*\) ON .* FOR EACH ROW .*/\1/p' > "$OUT/ab-capture-timing.txt"
  psqlt -c "DROP TABLE IF EXISTS $SCHEMA.bench_ab_log" \
    -c "CREATE UNLOGGED TABLE $SCHEMA.bench_ab_log (LIKE $SCHEMA.$log) WITH (autovacuum_vacuum_insert_threshold = -1)"
  say "copied the engine's capture ($fn, $(cat "$OUT/ab-capture-timing.txt"), log $log) for the A/B"
}
grab_capture &
GRAB_PID=$!
# who holds back the xmin horizon in the target (an old snapshot stops HOT pruning, and the table slows as it
# bloats): sampled every 2 s by one psql session, for reading a slow window afterwards
psql "$PG_URL" -X -q -At -F ' ' > "$OUT/xmin.txt" 2>/dev/null <<SQL &
SELECT extract(epoch FROM clock_timestamp())::bigint, pid, coalesce(nullif(application_name, ''), '-'), state,
       age(backend_xmin), round(extract(epoch FROM clock_timestamp() - xact_start)::numeric, 1)
FROM pg_stat_activity WHERE datname = current_database() AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()
  AND (state <> 'active' OR clock_timestamp() - xact_start > interval '1 second') \watch 2
SQL
XMIN_PID=$!
sleep 10   # a stretch of load before anything changes
MIG_START=$(now)
say "submitting spec v2 (amount: integer -> string)"
code="$(submit "$HERE/spec-v2.yaml")"
case "$code" in 2*) ;; *) cat "$OUT/submit-spec-v2.yaml.json" >&2; die "spec v2 rejected: HTTP $code" ;; esac
read -r PLAN2 STATUS2 STRATEGY2 < <(await_plan 2 3000)
MIG_END=$(now)
sleep 5
kill "$POLL_PID" 2>/dev/null; wait "$POLL_PID" 2>/dev/null || true; POLL_PID=""
kill "$XMIN_PID" 2>/dev/null; wait "$XMIN_PID" 2>/dev/null || true
# --- 5. raw copy of the same table, as the backfill found it, under the same load --------------------------------
# The copies in step 2 read the table as loaded: 1M rows in key order, no dead rows. The backfill reads it minutes of
# writes later: a third more rows, inserted at random keys in heap order (so a walk in key order jumps between
# pages), and dead versions everywhere. That is a different table; on a fast machine (more writes before the
# migration) it made the comparison move with the machine's speed. So the copy the goal counts is made here: from
# the original as it was at cutover (the rollback table: the same rows, the same heap, still written by the reverse
# sync), with the same conversion (into a table shaped like the rebuilt one: assignment casts), while the same
# pgbench load still runs, right after the migration. Where the heap no longer follows the key, a copy in heap
# order inserts into the copy's primary key at random places, while the backfill, in key order, appends to it.
OLD_TABLE="$(psqlt -c "SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
                        WHERE s.nspname = '$SCHEMA' AND c.relname LIKE '${TABLE_NAME}\\_ss\\_old\\_%' AND c.relkind = 'r' LIMIT 1")"
SAME_RATE="-"
if [ -n "$OLD_TABLE" ]; then
  # vacuumed first: the dead rows the migration's own minutes left behind would slow the copy, not the backfill
  psqlt -c "VACUUM $SCHEMA.$OLD_TABLE"
  SAME_RATES=()
  for attempt in 1 2 3; do
    read -r SCOPY_ROWS SCOPY_MS < <(raw_copy "$SCHEMA.$OLD_TABLE" "$TABLE")
    rate="$(awk -v r="$SCOPY_ROWS" -v ms="$SCOPY_MS" 'BEGIN {printf "%.0f", r / (ms / 1000)}')"
    SAME_RATES+=("$rate")
    say "raw INSERT INTO copy SELECT * FROM $SCHEMA.$OLD_TABLE (converted), under the same load, copy $attempt: $SCOPY_ROWS rows in $SCOPY_MS ms = $rate rows/s"
  done
  SAME_RATE="$(printf '%s\n' "${SAME_RATES[@]}" | sort -n | sed -n 2p)"
  say "raw copy of the table as the backfill found it, median of 3: $SAME_RATE rows/s (${SAME_RATES[*]})"
else
  say "WARNING: no rollback table left: no raw copy of the table as the backfill found it"
fi
stop "$LOAD_PID"; LOAD_PID=""
wait "$GRAB_PID" 2>/dev/null || true
curl -sf "$MIGRATION_URL/migrations/$PLAN2" > "$OUT/plan-v2.json" || true
say "v2 plan $PLAN2: $STATUS2, strategy $STRATEGY2; amount is now $(psqlt -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$TABLE'::regclass AND attname = 'amount'")"
[ "$STRATEGY2" = SHADOW_TABLE ] || say "WARNING: the v2 plan did not take the shadow-table path"
[ "$STATUS2" = COMPLETED ] || say "WARNING: the v2 plan ended $STATUS2: $(jq -r .error "$OUT/plan-v2.json" 2>/dev/null)"
FAILED_TX="$(grep -Eci 'error|abort' "$OUT/pgbench-migration.txt" || true)"

# --- 6. capture A/B with the engine's own trigger, on a copy of the original table ---------------------------------
AB_ROUNDS="${BENCH_AB_ROUNDS:-5}"
AB_SECONDS="${BENCH_AB_SECONDS:-20}"
AB_LOSS="-"
AB_LINE=""
if [ -s "$OUT/ab-capture-function.sql" ] && [ -s "$OUT/ab-capture-timing.txt" ] && [ -n "$OLD_TABLE" ]; then
  say "capture A/B: the engine's trigger on $SCHEMA.bench_ab (a copy of the original, $SCHEMA.$OLD_TABLE), $AB_ROUNDS rounds x ${AB_SECONDS}s each way"
  psqlt -c "DROP TABLE IF EXISTS $SCHEMA.bench_ab" \
    -c "CREATE TABLE $SCHEMA.bench_ab (LIKE $SCHEMA.$OLD_TABLE INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)" \
    -c "INSERT INTO $SCHEMA.bench_ab SELECT * FROM $SCHEMA.$OLD_TABLE" -c "VACUUM ANALYZE $SCHEMA.bench_ab"
  psqlt -f "$OUT/ab-capture-function.sql"
  sed -e "s/@TABLE@/$SCHEMA.bench_ab/g" -e "s/@ROWS@/$ROWS/g" "$HERE/writes.pgbench" > "$OUT/writes-ab.pgbench"
  ab_run() {  # -> tps; every run starts from an empty log, a vacuumed table and a checkpoint
    psqlt -c "TRUNCATE $SCHEMA.bench_ab_log" -c "VACUUM $SCHEMA.bench_ab" -c "CHECKPOINT"
    pgbench -n -c "$CLIENTS" -j "$THREADS" -T "$AB_SECONDS" -f "$OUT/writes-ab.pgbench" "$PG_URL" 2>&1 | awk '/^tps = / {printf "%d", $3}'
  }
  ab_capture() {
    psqlt -c "CREATE TRIGGER bench_ab_capture $(cat "$OUT/ab-capture-timing.txt") ON $SCHEMA.bench_ab FOR EACH ROW EXECUTE FUNCTION $SCHEMA.bench_ab_capture()"
    ab_run
    psqlt -c "DROP TRIGGER bench_ab_capture ON $SCHEMA.bench_ab"
  }
  AB_LOSSES=()
  for r in $(seq 1 "$AB_ROUNDS"); do
    # the order alternates, so that neither side always runs first
    if [ $((r % 2)) = 1 ]; then without="$(ab_run)"; with="$(ab_capture)"; else with="$(ab_capture)"; without="$(ab_run)"; fi
    AB_LOSSES+=("$(awk -v a="$without" -v b="$with" 'BEGIN {printf "%.1f", 100 * (a - b) / a}')")
    AB_LINE="$AB_LINE $without/$with"
    say "capture A/B round $r: without $without tps, with $with tps, loss ${AB_LOSSES[-1]} %"
  done
  AB_LOSS="$(printf '%s\n' "${AB_LOSSES[@]}" | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f", (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
  psqlt -c "DROP TABLE $SCHEMA.bench_ab, $SCHEMA.bench_ab_log" -c "DROP FUNCTION $SCHEMA.bench_ab_capture()"
else
  say "WARNING: no capture A/B (the capture was not copied during the hold, or no rollback table is left)"
fi

# --- 7. figures --------------------------------------------------------------------------------------------------
# From the polled migration record: the capture-only hold is the stretch in BACKFILLING with 0 rows copied (the
# migration holds there for BENCH_CAPTURE_SECONDS with its capture triggers on); the backfill runs from the end of
# the hold to the first sample past BACKFILLING; the migration window runs from there .. cutover - 1 s.
read -r REF_START REF_END HOLD_START HOLD_END BF_END BF_ROWS CUT_AT < <(awk '
  $2 == "PREPARED" {if (rs == "") rs = $1; re = $1}
  $2 == "BACKFILLING" && $3 == 0 {if (hs == "") hs = $1; he = $1}
  ($2 == "BACKFILLED" || $2 == "OPTIMIZED" || $2 == "VALIDATED" || $2 == "CUT_OVER" || $2 == "CLEANED") && be == "" {be = $1; rows = $3}
  $5 != "-" {cut = $5}
  END {print (rs == "" ? "-" : rs), (re == "" ? "-" : re), (hs == "" ? "-" : hs), (he == "" ? "-" : he), (be == "" ? "-" : be), (rows == "" ? 0 : rows), (cut == "" ? "-" : cut)}' "$OUT/poll.txt")
[ "$CUT_AT" != "-" ] || die "no cutover time recorded (see $OUT/poll.txt)"
# the backfill rate the worker measured itself (first batch .. high-water mark), from its log
BF_LINE="$(grep -a "plan $PLAN2: backfill done:" "$MIGRATION_LOG" 2>/dev/null | tail -1 || true)"
BF_RATE="$(printf '%s' "$BF_LINE" | sed -n 's/.*= \([0-9]*\) rows\/s.*/\1/p')"
BF_SECONDS="$(printf '%s' "$BF_LINE" | sed -n 's/.* rows in \([0-9.]*\) s .*/\1/p')"
BF_COPIED="$(printf '%s' "$BF_LINE" | sed -n 's/.*backfill done: \([0-9]*\) rows.*/\1/p')"
BF_DETAIL="$(printf '%s' "$BF_LINE" | sed -n 's/.* rows\/s (\(.*\))$/\1/p')"
[ -n "$BF_RATE" ] || { say "WARNING: no 'backfill done' line for $PLAN2 in $MIGRATION_LOG"; BF_RATE="-"; BF_SECONDS="-"; BF_COPIED="-"; }
# the change log applied right after the backfill (writes clients made meanwhile), also from the worker's log
CU_LINE="$(grep -a "plan $PLAN2: change log applied after the backfill:" "$MIGRATION_LOG" 2>/dev/null | tail -1 || true)"
CU_WRITES="$(printf '%s' "$CU_LINE" | sed -n 's/.*after the backfill: \([0-9]*\) logged.*/\1/p')"
CU_SECONDS="$(printf '%s' "$CU_LINE" | sed -n 's/.* in \([0-9.]*\) s$/\1/p')"
[ -n "$CU_WRITES" ] || { CU_WRITES=0; CU_SECONDS=0; }
BFCU_RATE="$(awk -v r="$BF_COPIED" -v a="$BF_SECONDS" -v b="$CU_SECONDS" 'BEGIN {if (r == "-" || a == "-") print "-"; else printf "%.0f", r / (a + b)}')"
LOGS=("$OUT"/migration.*)
tps_between() { # lo hi -> tps (or - when the window is missing or shorter than 1 s)
  if [ "$1" = "-" ] || [ "$2" = "-" ] || awk -v a="$1" -v b="$2" 'BEGIN {exit !(b - a < 1)}'; then echo "-"; return; fi
  cat "${LOGS[@]}" | awk -v lo="$1" -v hi="$2" -f "$HERE/latency.awk" | awk '{print $2}'
}
add() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-") print "-"; else printf "%.3f", a + b}'; }
# shrink the hold by 0.5 s at its start and 1 s at its end (sampling, the first batch starting)
CAP_LO="$(add "$HOLD_START" 0.5)"; CAP_HI="$(add "$HOLD_END" -1)"
CAP_TPS="$(tps_between "$CAP_LO" "$CAP_HI")"
REF_TPS="$(tps_between "$(add "$REF_START" 0.5)" "$(add "$REF_END" -1)")"
BF_TPS="$(tps_between "$(add "$HOLD_END" 0)" "$BF_END")"
WIN_TPS="$(tps_between "$(add "$HOLD_END" 0)" "$(add "$CUT_AT" -1)")"
PRE_TPS="$(tps_between "$(add "$MIG_START" -9)" "$MIG_START")"
read -r CUT_N _ _ CUT_P99 CUT_MAX < <(cat "${LOGS[@]}" | awk -v lo="$(add "$CUT_AT" -1)" -v hi="$(add "$CUT_AT" 1)" -f "$HERE/latency.awk")
read -r _ _ _ ALL_P99 ALL_MAX < <(cat "${LOGS[@]}" | awk -v lo="$MIG_START" -v hi="$MIG_END" -f "$HERE/latency.awk")
read -r _ _ _ BFL_P99 BFL_MAX < <(cat "${LOGS[@]}" | awk -v lo="$(add "$HOLD_END" 0)" -v hi="$BF_END" -f "$HERE/latency.awk")

pct() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.1f", 100 * a / b}'; }
loss() { awk -v c="$1" -v b="$2" 'BEGIN {if (c == "-" || b == "-" || b == 0) print "-"; else printf "%.1f", 100 * (b - c) / b}'; }
verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {if (v == "-") print "n/a"; else if ((op == "<=" && v + 0 <= g) || (op == ">=" && v + 0 >= g)) print "PASS"; else print "MISS"}'; }
# the verdict takes the larger of the two losses: against the 30 s baseline and against the 9 s just before the
# migration (the closest in time, with the same polling): the machine's speed drifts by more than the goal
CAP_LOSS_BASE="$(loss "$CAP_TPS" "$BASE_TPS")"
CAP_LOSS_PRE="$(loss "$CAP_TPS" "$PRE_TPS")"
CAP_LOSS_REF="$(loss "$CAP_TPS" "$REF_TPS")"
# the verdict: the interleaved A/B when it ran; else the largest of the losses against the three reference windows
CAP_LOSS="$(awk -v ab="$AB_LOSS" -v r="$CAP_LOSS_REF" -v a="$CAP_LOSS_BASE" -v b="$CAP_LOSS_PRE" 'BEGIN {
  if (ab != "-") {print ab; exit}
  m = "-"; if (r != "-") m = r; if (a != "-" && (m == "-" || a + 0 > m + 0)) m = a; if (b != "-" && (m == "-" || b + 0 > m + 0)) m = b; print m}')"
BF_LOSS="$(loss "$BF_TPS" "$BASE_TPS")"
WIN_LOSS="$(loss "$WIN_TPS" "$BASE_TPS")"
# the goal counts the copy of the same table as the backfill found it (step 5); the loaded-table copies are shown too
BF_PCT_FRESH="$(pct "$BF_RATE" "$RAW_RATE")"
BF_PCT_SAME="$(pct "$BF_RATE" "$SAME_RATE")"
BF_PCT="$( [ "$BF_PCT_SAME" != "-" ] && echo "$BF_PCT_SAME" || echo "$BF_PCT_FRESH")"
BF_PCT_IDLE="$(pct "$BF_RATE" "$RAW_IDLE_RATE")"

{
  echo "Shadowshift migration benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $ROWS rows, pgbench ${CLIENTS}c/${THREADS}j"
  echo "table $TABLE amount bigint -> text; v2 plan $PLAN2 $STATUS2 ($STRATEGY2); output in $OUT"
  echo
  printf '%-52s %16s %10s %s\n' "measure" "value" "goal" "verdict"
  printf '%-52s %16s %10s %s\n' "cutover write stall p99 (cutover +-1 s, $CUT_N tx)" "$CUT_P99 ms" "<= 50 ms" "$(verdict "$CUT_P99" "<=" 50)"
  printf '%-52s %16s %10s %s\n' "cutover write stall max (cutover +-1 s)" "$CUT_MAX ms" "" ""
  printf '%-52s %16s %10s %s\n' "backfill rate, under load (worker: $BF_COPIED rows/${BF_SECONDS}s)" "$BF_RATE rows/s" "" ""
  printf '%-52s %s\n' "  where its time went" "${BF_DETAIL:--}"
  printf '%-52s %16s %10s %s\n' "raw copy of the table as the backfill found it (load)" "$SAME_RATE rows/s" "" ""
  printf '%-52s %16s %10s %s\n' "raw copy of the table as loaded, same load (median 3)" "$RAW_RATE rows/s" "" ""
  printf '%-52s %16s %10s %s\n' "raw copy of the table as loaded, idle server" "$RAW_IDLE_RATE rows/s" "" ""
  printf '%-52s %16s %10s %s\n' "backfill / raw copy of the same table, both loaded" "$BF_PCT %" ">= 70 %" "$(verdict "$BF_PCT" ">=" 70)"
  printf '%-52s %16s %10s %s\n' "backfill / raw copy of the table as loaded" "$BF_PCT_FRESH %" "" ""
  printf '%-52s %16s %10s %s\n' "backfill (under load) / raw copy (idle)" "$BF_PCT_IDLE %" "" ""
  printf '%-52s %16s %10s %s\n' "change log applied after the backfill" "$CU_WRITES writes/${CU_SECONDS}s" "" ""
  printf '%-52s %16s %10s %s\n' "backfill + that catch-up, rows/s / same-table copy" "$BFCU_RATE rows/s $(pct "$BFCU_RATE" "$( [ "$SAME_RATE" != "-" ] && echo "$SAME_RATE" || echo "$RAW_RATE")") %" "" ""
  printf '%-52s %16s %10s %s\n' "TPS baseline (pgbench alone, before)" "$BASE_TPS" "" ""
  printf '%-52s %16s %10s %s\n' "TPS in the 9 s before the migration" "$PRE_TPS" "" ""
  printf '%-52s %16s %10s %s\n' "TPS reference hold (after preflight, no capture yet)" "$REF_TPS" "" ""
  printf '%-52s %16s %10s %s\n' "TPS capture only (triggers on, no backfill)" "$CAP_TPS" "" ""
  printf '%-52s %16s %10s %s\n' "  loss vs reference hold / baseline / 9 s before" "$CAP_LOSS_REF / $CAP_LOSS_BASE / $CAP_LOSS_PRE %" "" ""
  printf '%-52s %s\n' "capture A/B, engine's trigger, tps without/with" "${AB_LINE:- -}"
  printf '%-52s %16s %10s %s\n' "TPS loss from capture (A/B, median of $AB_ROUNDS rounds)" "$CAP_LOSS %" "<= 10 %" "$(verdict "$CAP_LOSS" "<=" 10)"
  printf '%-52s %16s %10s %s\n' "TPS during backfill (capture + backfill)" "$BF_TPS" "" ""
  printf '%-52s %16s %10s %s\n' "  loss vs baseline" "$BF_LOSS %" "" ""
  printf '%-52s %16s %10s %s\n' "TPS backfill .. cutover-1s (+ indexes, validation)" "$WIN_TPS" "" ""
  printf '%-52s %16s %10s %s\n' "  loss vs baseline" "$WIN_LOSS %" "" ""
  printf '%-52s %16s %10s %s\n' "latency p99 / max during backfill" "$BFL_P99 / $BFL_MAX ms" "" ""
  printf '%-52s %16s %10s %s\n' "latency p99 / max, whole migration" "$ALL_P99 / $ALL_MAX ms" "" ""
  printf '%-52s %16s %10s %s\n' "latency p50 / p99 / max, baseline" "$BASE_P50 / $BASE_P99 / $BASE_MAX ms" "" ""
  printf '%-52s %16s %10s %s\n' "pgbench error lines during migration" "$FAILED_TX" "0" "$( [ "$FAILED_TX" = 0 ] && echo PASS || echo MISS)"
  echo
  echo "phases (epoch s): reference hold $REF_START .. $REF_END, capture-only hold $HOLD_START .. $HOLD_END (measured $CAP_LO .. $CAP_HI), backfill until $BF_END"
  echo "($BF_ROWS rows checkpointed), cutover at $CUT_AT; v2 submitted $MIG_START, finished $MIG_END"
} | tee "$OUT/report.txt"
