-- Issue 19 item 4, the ChurnLab side of scripts/bench/features_bench.sh, on the
-- log of gen_feature_events.py (20M events / 1M users by default). Spec: windows
-- 7/30/90, activity, types, monetary, recency, trend 30 — what features_polars.py
-- and features_duckdb.py compute.
--   in memory:  events.parquet read untimed; cl.events (the per-user index) timed
--               once; cl.features.build best of 3 (the issue's "feature build").
--   end to end: cl.read_csv(events.csv) → cl.events → cl.features.build, best of 2
--               (against polars' lazy scan_csv pipeline).
-- Prints "bench features swift…" lines and a check line of column sums that
-- must equal the peers'.
-- Usage: churnlab run scripts/bench/features_bench.lua DIR
local B = require "bench_util"
local dir = assert(arg[1], "usage: features_bench.lua DIR")
local spec = { as_of = "2024-10-27", windows = { 7, 30, 90 }, families = { "activity", "types", "monetary", "recency", "trend" },
               event_types = { "login", "view_course", "finish_lesson", "comment", "share", "purchase", "renew" },
               recency_types = {}, trend_windows = { 30 } }
local threads = math.tointeger(tonumber(os.getenv("CHURNLAB_THREADS") or "0")) or 0

local df = cl.read_parquet(dir .. "/events.parquet")
local tindex, log = B.time(function() return cl.events(df) end)
local tbuild, out = B.best_of(3, function() return cl.features.build(log, spec) end)
print(string.format("bench features swift: index %.3fs, features %.3fs (best of 3), index+features %.3fs, %d events, threads %s",
  tindex, tbuild, tindex + tbuild, df:nrow(), threads > 0 and threads or "all"))
local function s(c) return out[c]:sum() end
print(string.format("bench check swift: rows %d cols %d events_30d %.0f active_days_30d %.0f purchase_90d %.0f amount_90d %.2f recency_days %.4f trend_30d %.4f",
  out:nrow(), out:ncol() - 1, s("events_30d"), s("active_days_30d"), s("purchase_90d"), s("amount_90d"), s("recency_days"), s("trend_30d")))
df, log, out = nil, nil, nil
collectgarbage()

local te2e, f = B.best_of(2, function()
  return cl.features.build(cl.events(cl.read_csv(dir .. "/events.csv")), spec)
end)
print(string.format("bench features swift end-to-end: csv -> features %.3fs (best of 2), %d users", te2e, f:nrow()))
