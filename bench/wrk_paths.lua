-- wrk script for bench/supervision.py: random paths from a file, a bearer token, and
-- one summary line (WRK requests errors p50_ms p95_ms duration_us) for the bench to read.
local paths = {}
for line in io.lines(os.getenv("PDCS_BENCH_PATHS")) do
  paths[#paths + 1] = line
end
local headers = { ["Authorization"] = "Bearer " .. os.getenv("PDCS_BENCH_TOKEN") }

request = function()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %.1f %.1f %d\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration))
end
