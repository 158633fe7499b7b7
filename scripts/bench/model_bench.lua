-- Issue 19, the ChurnLab side of scripts/bench/gbdt_bench.sh and forest_bench.sh:
-- fit time, CPU time, peak memory, test AUC and batch scoring speed of the tree
-- ensembles on the benchmark table, through the same calls a script makes.
--
-- Usage: churnlab run scripts/bench/model_bench.lua gbdt|forest DATA_DIR
-- DATA_DIR is written by gen_model_table.py --csv (table.csv + meta.json); the
-- first train_rows rows train (the forest: only the first 200,000 of them, as
-- the issue's table), the rest test. Hyperparameters as model_peers.py:
-- gbdt 200 trees × 63 leaves, learning rate 0.1; forest 100 trees, depth 16;
-- seed 1. The fit time is the whole `m:fit(frame, …)` call, so it includes
-- turning the frame into the model's feature matrix. Prints one BENCH line
-- (read by run_model_bench.sh and scripts/bench/all); gbdt prints a second one,
-- the same model with goss = true (lib "churnlab-goss"; CHURNLAB_BENCH_GOSS=0 skips it).
local B = require "bench_util"
local kind, dir = arg[1], arg[2]
assert((kind == "gbdt" or kind == "forest") and dir, "usage: model_bench.lua gbdt|forest DATA_DIR")

local meta = assert(io.open(dir .. "/meta.json")):read("a")
local ntrain = math.tointeger(tonumber(meta:match('"train_rows":%s*(%d+)')))
local df = cl.read_csv(dir .. "/table.csv")
local train = df:head(kind == "forest" and math.min(ntrain, 200000) or ntrain)
local test = df:slice(ntrain + 1)
df = nil
collectgarbage()
-- The CSV's whole frame is gone: restart the high-water mark from what is
-- resident now (the train and test frames), as the peer's peak starts from its
-- loaded arrays.
B.reset_peak()
local data_mb = B.peak_mb()
local threads = math.tointeger(tonumber(os.getenv("CHURNLAB_THREADS") or "2"))

local m = kind == "gbdt" and cl.model.gbdt { trees = 200, learning_rate = 0.1, leaves = 63, seed = 1, threads = threads }
  or cl.model.forest { n_trees = 100, max_depth = 16, seed = 1, threads = threads }
local cpu0 = B.cpu_s()
local train_s = B.time(function() m:fit(train, { target = "churn" }) end)
local train_cpu = B.cpu_s() - cpu0
local peak = B.peak_mb()
local predict_s, p = B.time(function() return m:predict_proba(test) end)
local out = {
  lib = "churnlab", model = kind, threads = threads, train_s = train_s, train_cpu_s = train_cpu,
  auc = cl.metrics.auc(test.churn, p), predict_rows_per_s = test:nrow() / predict_s,
  peak_mb = peak, data_mb = data_mb, train_rows = train:nrow(), test_rows = test:nrow(),
}
if kind == "gbdt" then
  local sample = test:head(10000)
  out.shap_rows_per_s = sample:nrow() / B.time(function() return m:contributions(sample) end)
end
B.emit(out)

-- GBDT with GOSS (goss = true: top_rate 0.2, other_rate 0.1), its own line
-- (lib "churnlab-goss"; ChurnLab's option, no peer runs it here).
if kind == "gbdt" and os.getenv("CHURNLAB_BENCH_GOSS") ~= "0" then
  m, p = nil, nil
  collectgarbage()
  B.reset_peak()
  local g = cl.model.gbdt { trees = 200, learning_rate = 0.1, leaves = 63, seed = 1, threads = threads, goss = true }
  local c0 = B.cpu_s()
  local ts = B.time(function() g:fit(train, { target = "churn" }) end)
  local cpu = B.cpu_s() - c0
  local gpeak = B.peak_mb()
  local ps, gp = B.time(function() return g:predict_proba(test) end)
  B.emit({ lib = "churnlab-goss", model = kind, threads = threads, train_s = ts, train_cpu_s = cpu,
           auc = cl.metrics.auc(test.churn, gp), predict_rows_per_s = test:nrow() / ps, peak_mb = gpeak,
           data_mb = data_mb, train_rows = train:nrow(), test_rows = test:nrow() })
end
