-- wrk script: POST the JSON body in $SERVE_BODY to the path in $SERVE_PATH with $SERVE_TOKEN.
local f = assert(io.open(os.getenv("SERVE_BODY"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.path = os.getenv("SERVE_PATH") or "/v1/score"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("SERVE_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests/s=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
