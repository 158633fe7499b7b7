-- Data step of scripts/bench/nn_vs_torch.sh (not timed): the simulator's
-- platform with temporal churn drivers (cl.simulate.platform{temporal = true},
-- seed 7, 130 days from 2024-01-01), one observation date (2024-04-01):
--   x    cl.features.sequences: 90 days × 8 channels (daily counts of the 8 event
--        types, log1p), one row per user active in the 30 days before the date;
--   agg  the same users' aggregate features (cl.features.snapshots, windows 7/30/90),
--        standardised with the first 80 % of rows' means and SDs, nulls at the mean;
--   y    churn: no activity in the 30 days after the date.
-- The first ROWS such users (about 40 % of the simulated ones are, so 2.6 × ROWS
-- are simulated) are written as raw float32 to DIR/nn_{x,agg,y}.f32, which both
-- sides read; prints `DATA rows agg_columns churn_rate`.
-- Usage: churnlab run scripts/bench/nn_vs_torch_data.lua ROWS DIR
local want = math.tointeger(tonumber(arg[1]) or 100000)
local dir = assert(arg[2], "usage: nn_vs_torch_data.lua ROWS DIR")
local as_of = "2024-04-01"
local sim = cl.simulate.platform { users = math.ceil(want * 2.6), days = 130, start = "2024-01-01", seed = 7,
                                   temporal = true, courses = 0 }
local log = cl.events(sim.events)
local snap = cl.features.snapshots(log, { from = as_of, to = as_of, spec = { windows = { 7, 30, 90 } },
                                          label = { horizon = 30, active_within = 30 } })
if #snap > want then snap = snap:head(want) end
local rows = #snap
local x, ids = cl.features.sequences(log, { as_of = as_of, days = 90, channels = "types" })
local pos = {}
for i, u in ipairs(ids:to_table()) do pos[u] = i end
local idx = {}
for i, u in ipairs(snap.user_id:to_table()) do idx[i] = assert(pos[u], "a labelled user without a sequence") end
x = x:rows(idx)
assert(x:size(3) == 8, "expected 8 event types")
local ntrain = math.floor(rows * 0.8)
local features = snap:drop { "as_of", "user_id", "churn", "censored" }
local scaler = cl.prep.standard_scaler {}
scaler:fit(features:head(ntrain))
local agg = scaler:transform(features)
local at_mean = {}
for _, name in ipairs(agg:names()) do at_mean[name] = 0 end
agg = agg:fillna(at_mean)
cl.nn._write_raw(x, dir .. "/nn_x.f32")
cl.nn._write_raw(cl.tensor(agg), dir .. "/nn_agg.f32")
cl.nn._write_raw(cl.tensor(snap:select { "churn" }), dir .. "/nn_y.f32")
print(("DATA %d %d %.4f"):format(rows, agg:ncol(), snap.churn:mean()))
