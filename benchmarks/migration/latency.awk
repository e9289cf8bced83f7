# Per-transaction latencies from pgbench -l logs: "client_id txno latency_us script_no epoch_s epoch_us".
# With -v lo=<epoch s> -v hi=<epoch s> only transactions that completed inside [lo, hi] count (lo/hi empty: all).
# Prints: transactions, tps over the span, p50 ms, p99 ms, max ms.
{
    t = $5 + $6 / 1e6
    if (lo != "" && t < lo) next
    if (hi != "" && t > hi) next
    lat[n++] = $3 / 1000.0
    if (first == "" || t < first) first = t
    if (last == "" || t > last) last = t
}
END {
    if (n == 0) { print 0, 0, 0, 0, 0; exit }
    asort(lat)
    span = (lo != "" && hi != "") ? hi - lo : last - first
    p50 = lat[int(0.50 * (n - 1)) + 1]
    p99 = lat[int(0.99 * (n - 1)) + 1]
    printf "%d %.1f %.2f %.2f %.2f\n", n, (span > 0 ? n / span : 0), p50, p99, lat[n]
}
