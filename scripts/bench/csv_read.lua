-- Issue 19 item 3, the ChurnLab side of scripts/bench/csv_bench.sh: one
-- cl.read_csv of FILE as a script makes it (types inferred, all cores), then
-- df:write_csv of the frame to OUT when given. Prints the BENCH lines
-- csv_bench.sh and scripts/bench/all read:
--   BENCH churnlab read_csv NAME S s cpu=… rows=… cols=… peakRSS=… MiB columns=… MiB ratio=… types=…
-- peakRSS is the process's peak during the read (the high-water mark restarted
-- just before it, so the interpreter's start-up does not count); columns is
-- df:estimated_size(), the bytes the loaded columns hold.
-- Usage: churnlab run scripts/bench/csv_read.lua FILE [OUT]
local B = require "bench_util"
local path, out = arg[1], arg[2]
assert(path, "usage: csv_read.lua FILE [OUT]")
local name = path:match("[^/]+$")
collectgarbage()
B.reset_peak()
local cpu0 = B.cpu_s()
local secs, df = B.time(function() return cl.read_csv(path) end)
local cpu = B.cpu_s() - cpu0
local peak = B.peak_mb()
local columns = df:estimated_size() / 1048576
local counts, kinds = {}, {}
for _, t in pairs(df:types()) do
  if not counts[t] then kinds[#kinds + 1] = t end
  counts[t] = (counts[t] or 0) + 1
end
table.sort(kinds)
for i, t in ipairs(kinds) do kinds[i] = t .. ":" .. counts[t] end
print(string.format("BENCH churnlab read_csv %s %.3f s cpu=%.2f s rows=%d cols=%d peakRSS=%.0f MiB columns=%.0f MiB ratio=%.2f types=%s",
  name, secs, cpu, df:nrow(), df:ncol(), peak, columns, peak / columns, table.concat(kinds, ",")))
if out then
  local c1 = B.cpu_s()
  local w = B.time(function() df:write_csv(out) end)
  print(string.format("BENCH churnlab write_csv %s %.3f s cpu=%.2f s", name, w, B.cpu_s() - c1))
end
