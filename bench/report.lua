-- wrk reporter: one JSON line with the latency percentiles (microseconds),
-- the request count and the errors, read by bench/run.py.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"p50":%d,"p95":%d,"p99":%d,"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout, e.status))
end
