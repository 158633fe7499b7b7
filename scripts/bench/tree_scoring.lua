-- Issue 19 item 2, the ChurnLab side of scripts/bench/tree_scoring.sh: batch
-- scoring speed of the two tree ensembles on the benchmark table.
-- Usage: churnlab run scripts/bench/tree_scoring.lua TABLE.csv TRAIN_ROWS FIT_ROWS REPEATS
-- Fits (untimed) on the first FIT_ROWS rows: gbdt 200 trees × 63 leaves, lr 0.1;
-- forest 100 trees, depth 16, seed 1. Times predict_proba on the test rows
-- (TRAIN_ROWS + 1 … end), best of REPEATS. Prints one BENCH line per model.
local path = arg[1]
local ntrain, nfit, reps = math.tointeger(tonumber(arg[2])), math.tointeger(tonumber(arg[3])), math.tointeger(tonumber(arg[4] or "3"))
assert(path and ntrain and nfit, "usage: tree_scoring.lua TABLE.csv TRAIN_ROWS FIT_ROWS [REPEATS]")
local df = cl.read_csv(path)
local fit, test = df:head(nfit), df:slice(ntrain + 1)
df = nil
collectgarbage()

local function best_predict(m)
  local best, p = math.huge, nil
  for _ = 1, reps do
    local t0 = cl.clock()
    p = m:predict_proba(test)
    best = math.min(best, cl.clock() - t0)
  end
  return best, p
end

local models = {
  { "gbdt", cl.model.gbdt { trees = 200, learning_rate = 0.1, leaves = 63, seed = 1 } },
  { "forest", cl.model.forest { n_trees = 100, max_depth = 16, seed = 1 } },
}
for _, spec in ipairs(models) do
  local name, m = spec[1], spec[2]
  m:fit(fit, { target = "churn" })
  local secs, p = best_predict(m)
  cl.printf('BENCH {"lib": "churnlab", "model": "%s", "rows": %d, "predict_s": %.4f, "predict_rows_per_s": %.0f, "auc": %.5f}\n',
    name, test:nrow(), secs, test:nrow() / secs, cl.metrics.auc(test.churn, p))
end
