-- Export for scripts/bench/sequence_signal_check.sh: the sequence_auc data
-- (cl.simulate.platform{temporal = true}, snapshots every 28 days, 54
-- aggregates) as CSV, and the raw daily counts (users × 90 days × 8 channels,
-- one tensor per observation date) for the Python diagnostic.
-- Usage: churnlab run scripts/bench/sequence_signal_check.lua USERS DIR
local users = tonumber(arg[1]) or 10000
local out = arg[2] or "/tmp"
local sim = cl.simulate.platform { users = users, days = 365, start = "2024-01-01", seed = 7, temporal = true, courses = 0 }
local log = cl.events(sim.events)
local data = cl.features.snapshots(log, { from = "2024-03-01", to = "2024-12-01", every = "28d",
  spec = { windows = { 7, 30, 90 } }, label = { horizon = 30, active_within = 30 } })
data:write_csv(out .. "/data.csv")
local dates, seen = {}, {}
for _, v in ipairs(data.as_of:to_table()) do local s = tostring(v); if not seen[s] then seen[s] = true; dates[#dates + 1] = s end end
local x, ids = cl.features.sequences(log, { as_of = dates, days = 90, normalize = "none" })
cl.nn._write_raw(x, out .. "/seq.f32")
ids:write_csv(out .. "/ids.csv")
