#!/usr/bin/env bash
# monitor-service: database time of one poll over many tables, and the delay from the poll that sees a condition to
# its alert on Kafka. Runs the monitor of a base commit (default: the last one before issues 15 and 19) and this
# checkout's side by side, with one harness (MonitorBench) and the same embedded Kafka and PostgreSQL 15.
#   benchmarks/monitor/run.sh
# Env: BENCH_BASE_COMMIT (8046690), BENCH_TABLES (10000), BENCH_POLLS (20), BENCH_ALERTS (10),
#      BENCH_JAVA_OPTS (-Xmx1g). Not part of ./mvnw verify. Loads the machine: run it under
#      flock /tmp/shadowshift-bench.lock on a shared one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BASE="${BENCH_BASE_COMMIT:-8046690}"
TABLES="${BENCH_TABLES:-10000}"
POLLS="${BENCH_POLLS:-20}"
ALERTS="${BENCH_ALERTS:-10}"
OUT="$ROOT/benchmarks/monitor/out/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

echo "bench | building this checkout's monitor-service and the harness" >&2
./mvnw -B -q -DskipTests -pl monitor-service -am package >&2
./mvnw -B -q -DskipTests -pl monitor-service -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp >&2
old="$(mktemp -d)"
trap 'rm -rf "$old"' EXIT
echo "bench | building monitor-service at $BASE in $old" >&2
git archive "$BASE" | tar -x -C "$old"
(cd "$old" && ./mvnw -B -q -DskipTests -pl monitor-service -am package >&2)

cp="monitor-service/target/test-classes:$(cat monitor-service/target/bench.cp)"
bench() {
  # the embedded broker prints its storage formatting on stdout: keep the table clean
  java ${BENCH_JAVA_OPTS:--Xmx1g} -cp "$cp" dev.shadowshift.monitor.bench.MonitorBench --tables="$TABLES" \
    --polls="$POLLS" --alerts="$ALERTS" --out="$OUT" "$@" | grep -v '^Formatting metadata directory'
}
{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(java -version 2>&1 | head -1), PostgreSQL 15 (embedded), poll every 2 s"
  printf '%-28s %7s %6s %9s %9s %9s   %7s %7s   %7s %7s\n' "monitor" "tables" "polls" "db_ms" "exec_ms" "plan_ms" \
    "fire_p50" "fire_max" "res_p50" "res_max"
  bench --jar="$old/monitor-service/target/quarkus-app/quarkus-run.jar" --label="before ($BASE)"
  bench --jar="monitor-service/target/quarkus-app/quarkus-run.jar" --label="after, typical poll"
  bench --jar="monitor-service/target/quarkus-app/quarkus-run.jar" --label="after, every poll slow" \
    --env=SHADOWSHIFT_MONITOR_SLOW_POLL_INTERVAL=0s
} | tee "$OUT/report.txt"
