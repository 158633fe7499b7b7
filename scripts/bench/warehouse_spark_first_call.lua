-- Run: CHURNLAB_TEST_SPARK_HOME=<a SPARK_HOME> [ROUNDS=2] churnlab run scripts/bench/warehouse_spark_first_call.lua
-- (scripts/lib/spark.sh's start_test_spark provides one). Measured 2026-12-04 (debug client, Spark 4.3
-- local[2], load average 5-6): round 1 footer 13.91 s / probe first 14.69 s; round 2 17.47 s / 21.63 s.
-- First-call time of cl.features.build on a fresh Spark source: column types from the Parquet footer (now)
-- against the same first call preceded by the one-row probe job the source used to run (before).
local home = os.getenv("CHURNLAB_TEST_SPARK_HOME")
local sim = cl.simulate.platform { users = 3000, days = 200, start = "2024-01-01", seed = 11 }
local path = os.tmpname() .. ".parquet"
sim.events:write_parquet(path)
local spec = { as_of = "2024-06-01", windows = { 7, 30, 90 } }
local function run(probe_first)
  local src = cl.source.spark { path = path, master = "local[2]", spark_home = home }
  local t0 = cl.clock()
  if probe_first then
    -- starts the session as the old first call did (view + one-row probe job)
    src:query("SELECT * FROM churnlab_events LIMIT 1")
  end
  local f = cl.features.build(src, spec)
  local t = cl.clock() - t0
  local tm = src:timings()
  src:close()
  return t - tm.start_seconds, tm.start_seconds, f:nrow()
end
for round = 1, tonumber(os.getenv("ROUNDS") or "1") do
  local a, sa, n = run(false)
  local b, sb = run(true)
  print(string.format("round %d: first call after the JVM start: footer (now) %.2f s, with the one-row probe job (before) %.2f s; JVM start %.1f / %.1f s; rows %d",
                      round, a, b, sa, sb, n))
end
os.remove(path)
