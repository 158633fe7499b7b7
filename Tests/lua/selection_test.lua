-- cl.model.cross_validate / grid_search / random_search / permutation_importance
-- with metrics written in Lua (f(y, p) gets two columns, returns a number).
local T = cl.test

local n = 240
local x1, x2, noise, y = {}, {}, {}, {}
for i = 1, n do
  x1[i] = i % 10
  x2[i] = (i * 7) % 13
  noise[i] = (i * 37) % 11
  y[i] = ((x1[i] * 3 + x2[i] + (i % 5)) > 22) and 1 or 0
end
local df = cl.frame({ x1 = x1, x2 = x2, noise = noise, y = y }, { names = { "x1", "x2", "noise", "y" } })

-- Accuracy at 0.5 and the spread of the scores, as Lua metrics.
local function accuracy(yc, pc)
  local yt, pt, hit = yc:to_table(), pc:to_table(), 0
  for i = 1, #yt do if (pt[i] >= 0.5 and 1 or 0) == yt[i] then hit = hit + 1 end end
  return hit / #yt
end
local function spread(_, pc)
  local lo, hi = math.huge, -math.huge
  for _, v in ipairs(pc:to_table()) do lo = math.min(lo, v); hi = math.max(hi, v) end
  return hi - lo
end

T.case("cross_validate: one row per fold, mean of the folds, seeded", function()
  local calls = 0
  local m = cl.model.logistic({ C = 1, standardize = true })
  local folds, summary = cl.model.cross_validate(m, df, {
    target = "y", k = 4, seed = 7,
    metrics = { acc = accuracy, count = function() calls = calls + 1; return calls end } })
  T.eq(folds:names(), { "fold", "n_test", "acc", "count" })
  T.eq(folds.fold:to_table(), { 1, 2, 3, 4 })
  T.eq(folds.n_test:to_table(), { 60, 60, 60, 60 })
  T.eq(calls, 4)
  local acc = folds.acc:to_table()
  T.near(summary.mean.acc, (acc[1] + acc[2] + acc[3] + acc[4]) / 4, 1e-15)
  T.ok(summary.mean.acc > 0.7, "the linear signal is learnable: " .. summary.mean.acc)
  local again = cl.model.cross_validate(m, df, { target = "y", k = 4, seed = 7, metrics = { accuracy } })
  T.eq(again.metric1:to_table(), acc)
end)

T.case("grid_search ranks settings; an all-zero L1 model has no spread", function()
  local res, best = cl.model.grid_search(cl.model.logistic({ penalty = "l1", standardize = true }), df, {
    target = "y", k = 3, seed = 1, grid = { C = { 0.0001, 10 } }, metrics = { spread = spread, acc = accuracy },
    rank_by = "spread" })
  T.eq(res:names(), { "C", "mean_acc", "std_acc", "mean_spread", "std_spread", "rank" })   -- named metrics sort by name
  T.eq(res.C:to_table(), { 0.0001, 10 })
  T.eq(res.mean_spread:to_table()[1], 0)                -- every coefficient is exactly 0
  T.eq(res.rank:to_table(), { 2, 1 })
  T.eq(best.C, 10)
  local byacc = cl.model.grid_search(cl.model.logistic(), df, {
    target = "y", k = 3, grid = { C = { 0.01, 1 } }, metrics = { spread = spread, acc = accuracy }, rank_by = "acc" })
  T.eq(byacc:nrow(), 2)
end)

T.case("random_search draws from the space with a seed", function()
  local opts = { target = "y", k = 3, seed = 5, n_iter = 3, metrics = { accuracy },
                 space = { C = { log_uniform = { 0.01, 10 } }, class_weight = { "none", "balanced" } } }
  local a = cl.model.random_search(cl.model.logistic(), df, opts)
  local b = cl.model.random_search(cl.model.logistic(), df, opts)
  T.eq(a:nrow(), 3)
  T.eq(a.C:to_table(), b.C:to_table())
  for _, c in ipairs(a.C:to_table()) do T.ok(c >= 0.01 and c < 10, tostring(c)) end
end)

T.case("permutation_importance: the noise column matters least", function()
  local m = cl.model.logistic({ penalty = "l1", C = 0.05, standardize = true }):fit(df, { target = "y" })
  local imp = cl.model.permutation_importance(m, df, { target = "y", metric = accuracy, repeats = 3, seed = 2 })
  T.eq(imp:names(), { "feature", "mean", "std" })
  T.eq(imp:nrow(), 3)
  local f = imp.feature:to_table()
  T.eq(f[3], "noise")
  T.ok(imp.mean:to_table()[1] > 0.05)
end)

T.case("built-in metrics by name run in Swift and agree with the same metric called from Lua", function()
  local m = cl.model.logistic({ C = 1, standardize = true })
  local named, summary = cl.model.cross_validate(m, df, { target = "y", k = 5, seed = 3, metrics = { "auc", "log_loss" } })
  local viaLua = cl.model.cross_validate(m, df, { target = "y", k = 5, seed = 3,
    metrics = { auc = function(yc, pc) return cl.metrics.auc(yc, pc) end } })
  T.eq(named.auc:to_table(), viaLua.auc:to_table())
  T.ok(summary.mean.auc > 0.8 and summary.mean.auc <= 1, tostring(summary.mean.auc))
  -- Ranking by log_loss: lower is better by default.
  local res = cl.model.grid_search(m, df, { target = "y", k = 3, grid = { C = { 0.001, 1 } }, metrics = { "log_loss" } })
  local ll, rank = res.mean_log_loss:to_table(), res.rank:to_table()
  T.eq(rank[1] == 1, ll[1] < ll[2])
end)

T.case("clear errors", function()
  local m = cl.model.logistic()
  T.raises(function() cl.model.cross_validate(m, df, { target = "y", metrics = { "no_such_metric" } }) end,
           "metric 'no_such_metric' is not a cl.metrics function")
  T.raises(function() cl.model.cross_validate(m, df, { target = "y", metrics = { function() return "x" end } }) end,
           "must return a number, got string")
  T.raises(function() cl.model.cross_validate(m, df, { target = "y", metrics = { function() error("boom") end } }) end, "boom")
  T.raises(function() cl.model.grid_search(m, df, { target = "y", metrics = { accuracy }, grid = { CC = { 1 } } }) end,
           "unknown parameter 'CC'")
  T.raises(function() cl.model.cross_validate(df, df, { target = "y", metrics = { accuracy } }) end, "model expected")
end)
