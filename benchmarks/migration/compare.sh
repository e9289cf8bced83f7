#!/usr/bin/env bash
# Side by side, in one run, on one throwaway PostgreSQL 15 (wal_level=logical, the settings of ./shadowshift up's
# embedded server): the same bigint -> text change of a ROWS-row table under CLIENTS pgbench writers, made by
#   alter     a plain ALTER TABLE ... ALTER COLUMN ... TYPE (the anchor: it blocks every writer while it rewrites)
#   trigger   ./shadowshift migrate with the capture trigger (shadowshift.migration.shadow.capture=trigger)
#   logical   ./shadowshift migrate with logical-decoding capture where the server allows it (capture=auto)
# each on a fresh database with the same rows. Reported per mode: worst and p99 write latency while it runs,
# throughput before / during / after (the AFTER seconds following the end), the wall time as a multiple of a raw
# copy of the table (INSERT INTO copy SELECT with the same conversion, idle, measured in the same database just
# before), rows differing between the rebuilt table and the rollback table (which reverse sync keeps in step),
# failed writes, and the tool's objects left in the user's schema. Not a test; run it by hand on a quiet machine:
#
#   flock /tmp/shadowshift-bench.lock benchmarks/migration/compare.sh
#   BENCH_ROWS=200000 BENCH_MODES="alter logical" flock /tmp/shadowshift-bench.lock benchmarks/migration/compare.sh
#
# Knobs: BENCH_ROWS (1000000), BENCH_CLIENTS (4), BENCH_THREADS (2), BENCH_BEFORE_SECONDS (10), BENCH_AFTER_SECONDS
# (10), BENCH_MODES ("alter trigger logical"), BENCH_PORT (5498), BENCH_PGBIN (/usr/lib/postgresql/15/bin),
# BENCH_MIGRATE_TIMEOUT (600 s, then the mode counts as failed), BENCH_OUT (benchmarks/migration/out/compare-<time>).
# The server preloads pg_stat_statements and each database has the extension, as under ./shadowshift up: the
# worker's writer-latency throttle reads it. Needs the CLI built (./shadowshift build).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROWS="${BENCH_ROWS:-1000000}"
CLIENTS="${BENCH_CLIENTS:-4}"
THREADS="${BENCH_THREADS:-2}"
BEFORE="${BENCH_BEFORE_SECONDS:-10}"
AFTER="${BENCH_AFTER_SECONDS:-10}"
MODES="${BENCH_MODES:-alter trigger logical}"
PORT="${BENCH_PORT:-5498}"
PGBIN="${BENCH_PGBIN:-/usr/lib/postgresql/15/bin}"
MIGRATE_TIMEOUT="${BENCH_MIGRATE_TIMEOUT:-600}"
OUT="${BENCH_OUT:-$HERE/out/compare-$(date +%Y%m%dT%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
DATA="$OUT/pgdata"
LOAD_PID=""

say() { printf 'bench | %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  set +e
  [ -n "$LOAD_PID" ] && { kill -INT "$LOAD_PID" 2>/dev/null; wait "$LOAD_PID" 2>/dev/null; }
  [ -d "$DATA" ] && as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1
}
trap cleanup EXIT

[ -d "$ROOT/cli/target/lib" ] && [ -d "$ROOT/cli/target/classes" ] || die "the CLI is not built: run ./shadowshift build"
[ "$(id -u)" = 0 ] && chown postgres "$OUT"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres -A trust >"$OUT/initdb.log" 2>&1 || die "initdb failed (see $OUT/initdb.log)"
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$OUT/postgres.log" -w -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$OUT \
  -c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10 -c max_connections=100 \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_preload_libraries=pg_stat_statements" start >/dev/null || die "PostgreSQL did not start ($OUT/postgres.log)"
BASE="postgresql://postgres@127.0.0.1:$PORT"

# ./shadowshift migrate, exactly as the launcher runs it (without its build check), at most MIGRATE_TIMEOUT seconds
migrate() {  # capture db spec [flags]
  local capture="$1" db="$2" spec="$3"; shift 3
  SHADOWSHIFT_MIGRATION_SHADOW_CAPTURE="$capture" timeout -s TERM "$MIGRATE_TIMEOUT" java -Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dshadowshift.home="$ROOT" -Dshadowshift.log-file="$OUT/migrate-$db.log" -Dorg.jboss.logging.provider=jdk \
    -Dslf4j.internal.verbosity=ERROR -cp "$ROOT/cli/target/classes:$ROOT/cli/target/lib/*" dev.shadowshift.cli.Shadowshift \
    migrate --spec="$spec" --schema=app --existing-db="$BASE/$db" --approve "$@"
}

declare -A R
failed_modes=""
for mode in $MODES; do
  db="bench_$mode"
  psql "$BASE/postgres" -X -q -c "CREATE DATABASE $db"
  P=(psql "$BASE/$db" -X -q -v ON_ERROR_STOP=1 -At)
  "${P[@]}" -c "CREATE EXTENSION pg_stat_statements"
  migrate trigger "$db" "$HERE/spec-v1.yaml" --no-backup >"$OUT/$mode-v1.txt" 2>&1 || { cat "$OUT/$mode-v1.txt" >&2; die "$mode: spec v1 failed"; }
  table="$("${P[@]}" -c "SELECT table_name FROM information_schema.columns WHERE table_schema = 'app' AND column_name = 'amount' LIMIT 1")"
  T="app.\"$table\""
  "${P[@]}" -c "INSERT INTO $T (id, amount, account, memo, status) SELECT g, g * 7, 'acct-' || (g % 1000), md5(g::text), 'open'
                FROM generate_series(1, $ROWS) g" -c "VACUUM ANALYZE $T" -c "CHECKPOINT"
  # the raw copy: the same rows, the same conversion, into a table with only the primary key (as the shadow's backfill)
  "${P[@]}" -c "CREATE TABLE app.raw_copy (LIKE $T INCLUDING DEFAULTS)" -c "ALTER TABLE app.raw_copy ALTER COLUMN amount TYPE text" \
    -c "ALTER TABLE app.raw_copy ADD PRIMARY KEY (id)" -c "CHECKPOINT"
  t0=$(now); "${P[@]}" -c "INSERT INTO app.raw_copy SELECT id, amount::text, account, memo, status FROM $T"; t1=$(now)
  copy_s="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')"
  "${P[@]}" -c "DROP TABLE app.raw_copy" -c "CHECKPOINT"
  sed -e "s/@TABLE@/$(printf '%s' "$T" | sed 's/[&/\]/\\&/g')/g" -e "s/@ROWS@/$ROWS/g" "$HERE/writes.pgbench" > "$OUT/writes-$mode.pgbench"
  mkdir -p "$OUT/$mode"
  (cd "$OUT/$mode" && exec pgbench -n -c "$CLIENTS" -j "$THREADS" -T 3600 -l -f "$OUT/writes-$mode.pgbench" "$BASE/$db") \
    > "$OUT/pgbench-$mode.txt" 2>&1 &
  LOAD_PID=$!
  sleep "$BEFORE"
  say "$mode: $ROWS rows, raw copy ${copy_s}s; migrating under pgbench ${CLIENTS}c"
  start=$(now)
  case "$mode" in
    alter) "${P[@]}" -c "ALTER TABLE $T ALTER COLUMN amount TYPE text" ;;
    trigger|logical)
      # each output line stamped with its time since the start: where the start-up (JVM, diff, backup) goes
      set +e
      migrate "$([ "$mode" = trigger ] && echo trigger || echo auto)" "$db" "$HERE/spec-v2.yaml" --backup-dir="$OUT/backups" 2>&1 \
        | while IFS= read -r line; do printf '%8.3f %s\n' "$(awk -v s="$start" -v n="$(now)" 'BEGIN {print n - s}')" "$line"; done \
        >"$OUT/$mode-v2.txt"
      rc="${PIPESTATUS[0]}"
      set -e
      [ "$rc" = 0 ] || { say "$mode: migrate failed with exit code $rc (see $OUT/$mode-v2.txt)"; failed_modes="$failed_modes $mode"; } ;;
  esac
  end=$(now)
  sleep "$AFTER"
  kill -INT "$LOAD_PID"; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""
  lat() { cat "$OUT/$mode"/pgbench_log.* | awk -v lo="$1" -v hi="$2" -f "$HERE/latency.awk"; }
  # printf, not print: awk prints a number with OFMT (%.6g), and an epoch in seconds would lose its last digits
  read -r _ tps_before _ _ _ < <(lat "$(awk -v s="$start" -v b="$BEFORE" 'BEGIN {printf "%.6f", s - b + 1}')" "$start")
  read -r _ tps_during _ p99 worst < <(lat "$start" "$end")
  read -r _ tps_after _ _ _ < <(lat "$end" "$(awk -v e="$end" -v a="$AFTER" 'BEGIN {printf "%.6f", e + a - 1}')")
  wall="$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')"
  type_now="$("${P[@]}" -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$T'::regclass AND attname = 'amount'")"
  old="$("${P[@]}" -c "SELECT relname FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relkind = 'r' AND relname LIKE '${table}\\_ss\\_old\\_%'")"
  differing="-"
  if [ -n "$old" ]; then
    # the rollback table is the original as it was at cutover; the rollback window's key log (shadowshift.*_ss_wlog_*)
    # lists the keys written since, which may differ by design: every other row must be equal. Without a key log (the
    # older reverse-sync design kept the rollback table in step) every row must be equal.
    wlog="$("${P[@]}" -c "SELECT relname FROM pg_class WHERE relnamespace = 'shadowshift'::regnamespace AND relkind = 'r'
        AND relname = replace('$old', '_ss_old_', '_ss_wlog_')")"
    since="true"
    [ -z "$wlog" ] || since="id NOT IN (SELECT k FROM (SELECT old_0 AS k FROM shadowshift.\"$wlog\" UNION SELECT new_0 FROM shadowshift.\"$wlog\") u WHERE k IS NOT NULL)"
    differing="$("${P[@]}" -c "SELECT (SELECT count(*) FROM (SELECT id, amount::text, account, memo, status FROM app.\"$old\" WHERE $since
        EXCEPT SELECT id, amount, account, memo, status FROM $T) a) + (SELECT count(*) FROM (SELECT id, amount, account, memo, status FROM $T WHERE $since
        EXCEPT SELECT id, amount::text, account, memo, status FROM app.\"$old\") b)")"
  fi
  failed="$(awk '/number of failed transactions/ {print $5; f = 1} END {if (!f) print 0}' "$OUT/pgbench-$mode.txt")"
  errors="$(grep -ci 'error' "$OUT/pgbench-$mode.txt" || true)"
  objects="$("${P[@]}" -c "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'app'::regnamespace) || ' fn, '
      || (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'app'::regnamespace AND NOT t.tgisinternal)
      || ' trg, ' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relname LIKE '%\\_ss\\_%' AND relkind = 'r')
      || ' tables'")"
  capture="$(grep -ao 'capture: [a-z ]*' "$OUT/$mode-v2.txt" "$OUT/migrate-$db.log" 2>/dev/null | head -1 | sed 's/.*capture: //' || true)"
  # from the start to the first statement on the table (JVM start, diff, catalog reads, backup), and the throttle's words
  startup="$(awk '/ STARTED / {print $1; exit}' "$OUT/$mode-v2.txt" 2>/dev/null || true)"
  worst_startup="-"; worst_rest="-"
  if [ -n "$startup" ]; then
    split="$(awk -v s="$start" -v u="$startup" 'BEGIN {printf "%.6f", s + u}')"
    read -r _ _ _ _ worst_startup < <(lat "$start" "$split")
    read -r _ _ _ _ worst_rest < <(lat "$split" "$end")
  fi
  throttled="$(grep -c 'throttled\|throttle:' "$OUT/$mode-v2.txt" 2>/dev/null || true)"
  R[$mode]="$type_now|$wall|$(awk -v w="$wall" -v c="$copy_s" 'BEGIN {printf "%.1f", w / c}')|$copy_s|$worst|$p99|$tps_before|$tps_during|$tps_after|$(awk -v b="$tps_before" -v d="$tps_during" 'BEGIN {printf "%.0f", (b > 0 ? 100 * d / b : 0)}')|$(awk -v b="$tps_before" -v a="$tps_after" 'BEGIN {printf "%.0f", (b > 0 ? 100 * a / b : 0)}')|$failed+$errors|$differing|$objects|${capture:--}|${startup:--}|$worst_startup / $worst_rest|${throttled:-0}"
  say "$mode: ${R[$mode]}"
done

{
  echo "compare.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $ROWS rows, pgbench ${CLIENTS}c/${THREADS}j, before/after windows ${BEFORE}s/${AFTER}s"
  [ -z "$failed_modes" ] || echo "migrate FAILED (exit code not 0, see <mode>-v2.txt) in:$failed_modes"
  printf '%-34s' "measure"; for m in $MODES; do printf '%-26s' "$m"; done; echo
  i=0
  for label in "amount is now" "wall time s" "wall / raw copy (goal <= 6)" "raw copy s" "worst write ms (goal <= 20)" \
      "p99 write ms" "tps before" "tps during" "tps after (rollback window)" "during / before % (goal >= 80)" \
      "after / before % (goal >= 95)" "failed tx + error lines" "rows differing (goal 0)" "tool objects in app (goal 0)" "capture" \
      "start-up s (JVM, diff, backup)" "worst ms start-up / rest" "throttle messages"; do
    printf '%-34s' "$label"
    for m in $MODES; do printf '%-26s' "$(printf '%s' "${R[$m]}" | cut -d'|' -f$((i + 1)))"; done; echo
    i=$((i + 1))
  done
} | tee "$OUT/report.txt"
