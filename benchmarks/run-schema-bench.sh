#!/usr/bin/env bash
# Parse + compile + diff timings for every spec in ../shared/specs (or the files given), cold and warm.
#   benchmarks/run-schema-bench.sh [spec-file...]
# Env: BENCH_WARMUP (5), BENCH_RUNS (10), BENCH_JAVA_OPTS (-Xmx1g -XX:+UseSerialGC).
# Not part of ./mvnw verify: it builds schema-service's test classes if they are missing, then runs plain java.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPECS_DIR="${SPECS_DIR:-$ROOT/../shared/specs}"
cd "$ROOT"
if [ "$#" -gt 0 ]; then files=("$@"); else files=("$SPECS_DIR"/*.json "$SPECS_DIR"/*.yaml); fi

app=schema-service/target/quarkus-app
if [ ! -f "$app/app/schema-service-0.1.0-SNAPSHOT.jar" ]; then
  echo "building schema-service (package, no tests)" >&2
  ./mvnw -B -q -DskipTests -pl schema-service package >&2
fi
if [ ! -f schema-service/target/test-classes/dev/shadowshift/schema/bench/SchemaBench.class ] \
   || [ schema-service/src/test/java/dev/shadowshift/schema/bench/SchemaBench.java -nt schema-service/target/test-classes/dev/shadowshift/schema/bench/SchemaBench.class ]; then
  echo "compiling the benchmark (test-compile)" >&2
  ./mvnw -B -q -pl schema-service test-compile >&2
fi
cp="schema-service/target/test-classes:$app/app/*"
for jar in "$app"/lib/main/*.jar; do
  case "$jar" in *slf4j-jboss-logmanager*) ;; *) cp="$cp:$jar" ;; esac
done
opts=(${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC} -Dslf4j.internal.verbosity=ERROR)

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "# cold: one run in a fresh JVM per spec (includes class loading and JIT warm-up)"
for f in "${files[@]}"; do
  java "${opts[@]}" -cp "$cp" dev.shadowshift.schema.bench.SchemaBench --cold "$f"
done
echo "# warm: ${BENCH_WARMUP:-5} runs thrown away, then the median of ${BENCH_RUNS:-10}, one JVM for all specs"
java "${opts[@]}" -cp "$cp" dev.shadowshift.schema.bench.SchemaBench --warmup="${BENCH_WARMUP:-5}" --runs="${BENCH_RUNS:-10}" "${files[@]}"
