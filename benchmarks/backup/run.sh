#!/usr/bin/env bash
# Backup benchmark: our backup (what backup-worker runs: a snapshot exported and counted while pg_dump reads it,
# pg_restore --list, the archive's SHA-256, the rename into the storage) against a bare pg_dump of the same tables with
# the same format, compression and jobs, interleaved in one run; our verification (a restore into a scratch database
# and the row counts) is timed on its own. Prints a Markdown table; progress goes to stderr.
#
#   benchmarks/backup/run.sh
#   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres BENCH_ROWS=2000000 BENCH_ROUNDS=9 benchmarks/backup/run.sh
#
# Knobs: BENCH_PG_URL (a server where the benchmark may create and drop a database ss_bench_backup_<pid>; default the
#        local postgres on 127.0.0.1:5432), BENCH_ROWS (2,000,000 orders; customers are a tenth), BENCH_ROUNDS (9),
#        BENCH_FORMATS (custom,directory:2 - format[:jobs]), BENCH_COMPRESSION (pg_dump's default unless set),
#        BENCH_PG_DUMP, BENCH_PG_RESTORE, BENCH_JAVA_OPTS.
# Not part of ./mvnw verify: it builds backup-worker (package, no tests) and its test classes first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
app=backup-worker/target/quarkus-app
# always built: the benchmark must measure the worker's current code, not an old package's copy of pg-support
echo "building backup-worker and its test classes (no tests run)" >&2
./mvnw -B -q -DskipTests -pl backup-worker -am package >&2   # -DskipTests still compiles the test classes
cp="backup-worker/target/test-classes"
for jar in "$app"/lib/main/*.jar; do cp="$cp:$jar"; done
exec java ${BENCH_JAVA_OPTS:--Xmx512m} -cp "$cp" dev.shadowshift.backup.bench.BackupBench
