#!/usr/bin/env bash
# What does capturing writes cost, by design, on this machine? Interleaved A/B rounds of the benchmark's pgbench
# write load (writes.pgbench, 4 clients) on a 1M-row table, with:
#   none      no trigger (the baseline)
#   noop      a PL/pgSQL AFTER ROW trigger that does nothing: the floor of any trigger-based capture
#   keylog    a trigger that only appends the changed key to an unindexed log table (pg_repack / key-log style,
#             applied later; the applying is NOT part of this figure), declared SECURITY DEFINER SET search_path
#   keylog_noset  one INSERT of the old and new key, SECURITY DEFINER without the SET clause, into a logged table;
#             keylog_unlogged the same into an UNLOGGED log: the engine's capture since 2026-12-01
#             (ShadowSql.captureFunction); keylog_invoker without SECURITY DEFINER
#   mirror    the engine's capture until 2026-11-24 (now only its reverse sync after cutover): every write upserts/deletes the converted row in the shadow, in the writer's
#             transaction (the same function body ShadowSql.mirrorFunction generates), with the shadow empty (as
#             at the start of a migration) and full (as at the end of the backfill)
#   positioned  an experiment, tried in the engine and reverted (RESULTS.md): capture for a single integer key that
#             leaves writes to rows the backfill has not reached (not in the shadow, key between the position and the
#             high-water mark, both read from sequences) to the backfill; inserts above the mark are mirrored
#   noop_secdef_set  the noop trigger declared like the engine's (SECURITY DEFINER SET search_path): the price of
#             the declaration alone
#   noop_before, keylog_before  noop and keylog_unlogged as BEFORE ROW triggers (returning COALESCE(NEW, OLD)): no
#             after-trigger queue and no re-fetch of the row; an experiment (RESULTS.md), not the engine's
#   keylog_drained, keylog_before_drained  keylog_unlogged / keylog_before while a second session empties the log and
#             vacuums it every BENCH_AB_DRAIN_SECONDS (2), as a worker applying it often would; an experiment
#   keylog_when_start, keylog_when_half, keylog_when_end  keylog_unlogged behind WHEN clauses that skip writes to keys
#             between a position (a sequence, read by pg_sequence_last_value) and the largest key at capture time
#             ($ROWS): position-aware capture, not built in the engine (RESULTS.md), with the backfill's position at
#             the start (only inserts above the mark are logged), half way, and at the end (everything is logged:
#             the price of the WHEN clauses alone)
#   keylog_stmt  the same log rows from statement-level triggers with transition tables (one INSERT ... SELECT per
#             statement instead of one INSERT per row; an UPDATE logs its old and its new keys); an experiment
# Each round runs every variant once for BENCH_AB_SECONDS, so drift in the machine's speed hits all alike; the
# report gives each variant's median TPS, its loss against the median baseline, and the median of its losses
# against the baseline of the same round (paired: robust to drift between rounds).
#
#   benchmarks/migration/capture-ab.sh            uses postgresql://postgres@127.0.0.1:5432 (creates and drops a database)
#   BENCH_PG=postgresql://user@host:port BENCH_AB_ROUNDS=6 BENCH_AB_SECONDS=8 benchmarks/migration/capture-ab.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG="${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}"
DB="shadowshift_capture_ab"
ROUNDS="${BENCH_AB_ROUNDS:-6}"
SECONDS_EACH="${BENCH_AB_SECONDS:-8}"
ROWS=1000000
# the local stack's embedded PostgreSQL commits asynchronously (as many write-heavy servers do): match it
export PGOPTIONS='-c synchronous_commit=off'
psql "$PG/postgres" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'psql "$PG/postgres" -X -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
q() { psql "$PG/$DB" -X -q -v ON_ERROR_STOP=1 "$@"; }
q <<SQL
CREATE SCHEMA bench;
CREATE TABLE bench.ledgers (id bigint PRIMARY KEY, amount bigint, account text, memo text, status text);
INSERT INTO bench.ledgers SELECT g, g * 7, 'acct-' || (g % 1000), md5(g::text), 'open' FROM generate_series(1, $ROWS) g;
CREATE TABLE bench.shadow (id bigint PRIMARY KEY, amount text, account text, memo text, status text);
CREATE TABLE bench.full_shadow (id bigint PRIMARY KEY, amount text, account text, memo text, status text);
INSERT INTO bench.full_shadow SELECT id, amount::text, account, memo, status FROM bench.ledgers;
CREATE TABLE bench.key_log (id bigint);
-- the engine's change log: old and new key, no index, no insert-driven autovacuum (ShadowSql / CreateShadow)
CREATE TABLE bench.change_log (old_id bigint, new_id bigint) WITH (autovacuum_vacuum_insert_threshold = -1);
CREATE UNLOGGED TABLE bench.change_log_unlogged (old_id bigint, new_id bigint) WITH (autovacuum_vacuum_insert_threshold = -1);
VACUUM ANALYZE;
CREATE FUNCTION bench.noop() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NULL; END \$\$;
CREATE FUNCTION bench.keylog() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS \$\$
BEGIN
  IF TG_OP = 'DELETE' THEN INSERT INTO bench.key_log VALUES (OLD.id); RETURN NULL; END IF;
  INSERT INTO bench.key_log VALUES (NEW.id);
  IF TG_OP = 'UPDATE' AND OLD.id IS DISTINCT FROM NEW.id THEN INSERT INTO bench.key_log VALUES (OLD.id); END IF;
  RETURN NULL;
END \$\$;
-- one row per write, old and new key (OLD / NEW read as NULL where they do not apply): no branch, no operator,
-- so nothing in the body depends on the caller's search_path and the declaration needs no SET clause
CREATE FUNCTION bench.keylog_noset() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
BEGIN INSERT INTO bench.change_log (old_id, new_id) VALUES (OLD.id, NEW.id); RETURN NULL; END \$\$;
CREATE FUNCTION bench.keylog_unlogged() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
BEGIN INSERT INTO bench.change_log_unlogged (old_id, new_id) VALUES (OLD.id, NEW.id); RETURN NULL; END \$\$;
-- the same as BEFORE ROW triggers: no after-trigger queue, no re-fetch of the row at the end of the statement
CREATE FUNCTION bench.noop_before() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN COALESCE(NEW, OLD); END \$\$;
CREATE FUNCTION bench.keylog_before() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
BEGIN INSERT INTO bench.change_log_unlogged (old_id, new_id) VALUES (OLD.id, NEW.id); RETURN COALESCE(NEW, OLD); END \$\$;
CREATE FUNCTION bench.keylog_stmt_ins() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
BEGIN INSERT INTO bench.change_log_unlogged (new_id) SELECT id FROM n; RETURN NULL; END \$\$;
CREATE FUNCTION bench.keylog_stmt_upd() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
BEGIN INSERT INTO bench.change_log_unlogged (old_id, new_id) SELECT id, NULL FROM o UNION ALL SELECT NULL, id FROM n; RETURN NULL; END \$\$;
CREATE FUNCTION bench.keylog_stmt_del() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS \$\$
BEGIN INSERT INTO bench.change_log_unlogged (old_id) SELECT id FROM o; RETURN NULL; END \$\$;
CREATE FUNCTION bench.keylog_invoker() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN INSERT INTO bench.change_log (old_id, new_id) VALUES (OLD.id, NEW.id); RETURN NULL; END \$\$;
SQL
# the body ShadowSql.mirrorFunction generates for this table, writing into bench.$1
mirror_body() {
  cat <<SQL
  IF TG_OP = 'TRUNCATE' THEN TRUNCATE bench.$1; RETURN NULL; END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ROW(OLD.id) IS DISTINCT FROM ROW(NEW.id)) THEN
    DELETE FROM bench.$1 WHERE ROW(id) = ROW(OLD.id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO bench.$1 (id, amount, account, memo, status) OVERRIDING SYSTEM VALUE
      VALUES (NEW.id, CAST(NEW.amount AS text), NEW.account, NEW.memo, NEW.status)
      ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount, account = EXCLUDED.account, memo = EXCLUDED.memo, status = EXCLUDED.status;
  END IF;
  RETURN NULL;
SQL
}
for target in shadow full_shadow; do
  q <<SQL
CREATE FUNCTION bench.mirror_$target() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS \$\$
BEGIN
$(mirror_body "$target")
END \$\$;
SQL
done
q <<SQL
CREATE FUNCTION bench.noop_secdef_set() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS \$\$ BEGIN RETURN NULL; END \$\$;
CREATE SEQUENCE bench.pos AS bigint MINVALUE $((-9223372036854775807 - 1)) START WITH $((-9223372036854775807 - 1));
SELECT pg_catalog.setval('bench.pos', $((-9223372036854775807 - 1)), true);
CREATE SEQUENCE bench.wpos AS bigint MINVALUE 0;
CREATE SEQUENCE bench.hwm AS bigint MINVALUE $((-9223372036854775807 - 1));
SELECT pg_catalog.setval('bench.hwm', $ROWS, true);
CREATE FUNCTION bench.positioned() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS \$\$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.id > pg_catalog.pg_sequence_last_value('bench.pos'::pg_catalog.regclass) AND OLD.id <= pg_catalog.pg_sequence_last_value('bench.hwm'::pg_catalog.regclass)
       AND NOT EXISTS (SELECT 1 FROM bench.shadow WHERE id = OLD.id) THEN
      RETURN NULL;
    END IF;
  ELSIF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.id = NEW.id) THEN
    IF NEW.id > pg_catalog.pg_sequence_last_value('bench.pos'::pg_catalog.regclass) AND NEW.id <= pg_catalog.pg_sequence_last_value('bench.hwm'::pg_catalog.regclass)
       AND NOT EXISTS (SELECT 1 FROM bench.shadow WHERE id = NEW.id) THEN
      RETURN NULL;
    END IF;
  END IF;
$(mirror_body shadow)
END \$\$;
SQL
sed -e "s/@TABLE@/bench.ledgers/g" -e "s/@ROWS@/$ROWS/g" "$HERE/writes.pgbench" > "/tmp/capture-ab-$$.pgbench"
# every measurement starts from the same state: empty logs and shadow (a log left by the variant before made the next
# one pay), a vacuumed table (the updates of the run before leave dead rows that slow the next one down) and a fresh
# checkpoint (so no run pays for another's dirty pages)
run() {
  q -c "TRUNCATE bench.shadow, bench.key_log, bench.change_log, bench.change_log_unlogged"
  q -c "VACUUM bench.ledgers" -c "CHECKPOINT"
  pgbench -n -c 4 -j 2 -T "$SECONDS_EACH" -f "/tmp/capture-ab-$$.pgbench" "$PG/$DB" 2>&1 | awk '/^tps = / {printf "%d", $3}'
}
# $1 function, then the measurement; with $2 = drain, a second session empties the log and vacuums it every
# BENCH_AB_DRAIN_SECONDS (2) meanwhile, as a worker applying the log that often would (an experiment, not the engine)
with_trigger() {
  local timing=AFTER drainer=""
  case "$1" in *_before) timing=BEFORE ;; esac
  q -c "CREATE TRIGGER ab $timing INSERT OR UPDATE OR DELETE ON bench.ledgers FOR EACH ROW EXECUTE FUNCTION bench.$1()"
  if [ "${2:-}" = drain ]; then
    ( while sleep "${BENCH_AB_DRAIN_SECONDS:-2}"; do
        q -c "DELETE FROM bench.change_log_unlogged" -c "VACUUM bench.change_log_unlogged" || true
      done ) >/dev/null 2>&1 &
    drainer=$!
  fi
  run
  if [ -n "$drainer" ]; then kill "$drainer" 2>/dev/null; wait "$drainer" 2>/dev/null || true; fi
  q -c "DROP TRIGGER ab ON bench.ledgers"
}
# $1..$3 CREATE TRIGGER statements for triggers named ab_i, ab_u and ab_d, then the measurement
with_three_triggers() {
  q -c "$1" -c "$2" -c "$3"
  run
  q -c "DROP TRIGGER ab_i ON bench.ledgers" -c "DROP TRIGGER ab_u ON bench.ledgers" -c "DROP TRIGGER ab_d ON bench.ledgers"
}
# position-aware capture: one trigger per event, since a WHEN clause may name OLD or NEW only where the event has it
with_when() {  # $1 position
  local pos="pg_catalog.pg_sequence_last_value('bench.wpos'::pg_catalog.regclass)"
  q -c "SELECT pg_catalog.setval('bench.wpos', $1, true)" >/dev/null
  with_three_triggers \
    "CREATE TRIGGER ab_i AFTER INSERT ON bench.ledgers FOR EACH ROW
       WHEN (NEW.id <= $pos OR NEW.id > $ROWS) EXECUTE FUNCTION bench.keylog_unlogged()" \
    "CREATE TRIGGER ab_u AFTER UPDATE ON bench.ledgers FOR EACH ROW
       WHEN (OLD.id <= $pos OR OLD.id > $ROWS OR NEW.id <= $pos OR NEW.id > $ROWS) EXECUTE FUNCTION bench.keylog_unlogged()" \
    "CREATE TRIGGER ab_d AFTER DELETE ON bench.ledgers FOR EACH ROW
       WHEN (OLD.id <= $pos OR OLD.id > $ROWS) EXECUTE FUNCTION bench.keylog_unlogged()"
}
with_statement_triggers() {
  with_three_triggers \
    "CREATE TRIGGER ab_i AFTER INSERT ON bench.ledgers REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION bench.keylog_stmt_ins()" \
    "CREATE TRIGGER ab_u AFTER UPDATE ON bench.ledgers REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION bench.keylog_stmt_upd()" \
    "CREATE TRIGGER ab_d AFTER DELETE ON bench.ledgers REFERENCING OLD TABLE AS o FOR EACH STATEMENT EXECUTE FUNCTION bench.keylog_stmt_del()"
}
read -r -a VARIANTS <<< "${BENCH_AB_VARIANTS:-none noop noop_secdef_set keylog keylog_noset keylog_unlogged keylog_invoker positioned mirror_shadow mirror_full_shadow}"
declare -A results
for r in $(seq 1 "$ROUNDS"); do
  line="round $r:"
  # the order rotates from round to round, so that no variant always runs first or last
  for i in $(seq 0 $(( ${#VARIANTS[@]} - 1 ))); do
    v="${VARIANTS[$(( (i + r - 1) % ${#VARIANTS[@]} ))]}"
    case "$v" in
      none) tps="$(run)" ;;
      keylog_drained) tps="$(with_trigger keylog_unlogged drain)" ;;
      keylog_before_drained) tps="$(with_trigger keylog_before drain)" ;;
      keylog_stmt) tps="$(with_statement_triggers)" ;;
      keylog_when_start) tps="$(with_when 0)" ;;
      keylog_when_half) tps="$(with_when $((ROWS / 2)))" ;;
      keylog_when_end) tps="$(with_when "$ROWS")" ;;
      *) tps="$(with_trigger "$v")" ;;
    esac
    results[$v]="${results[$v]:-} $tps"
    line="$line $v=$tps"
  done
  echo "$line" >&2
done
rm -f "/tmp/capture-ab-$$.pgbench"
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
base="$(echo "${results[none]}" | median)"
# a variant's loss is taken against the baseline of its own round (the machine's speed drifts between rounds by
# as much as the differences measured), and the median of those paired losses is reported
paired() { # $1 variant -> median of the per-round losses against none
  paste <(echo "${results[none]}" | tr ' ' '\n' | grep -v '^$') <(echo "${results[$1]}" | tr ' ' '\n' | grep -v '^$') \
    | awk '{printf "%.2f\n", 100 * ($1 - $2) / $1}' | median | awk '{printf "%.1f", $1}'
}
echo "capture cost A/B, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $ROUNDS rounds x ${SECONDS_EACH}s per variant, pgbench 4c/2j, synchronous_commit=off"
printf '%-40s %10s %8s %14s\n' variant "median tps" loss "paired loss"
for v in "${VARIANTS[@]}"; do
  m="$(echo "${results[$v]}" | median)"
  printf '%-40s %10s %7s%% %13s%%\n' "$v" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.1f", 100 * (b - a) / b}')" "$(paired "$v")"
done
