-- Model selection folds: supplied, group and time-series folds (checked by hand
-- and against scikit-learn: scripts/reference/cv_splits.py, scikit-learn 1.9.1),
-- a default metric, the refitted best model, threads, and prep fitted per fold.
local T = cl.test

local function sorted(t) local c = {}; for i, v in ipairs(t) do c[i] = v end; table.sort(c); return c end

T.case("group folds equal scikit-learn's GroupKFold(n_splits=3)", function()
  local users = { "u3", "u1", "u5", "u3", "u2", "u5", "u4", "u5", "u4", "u3", "u5", "u2", "u4", "u5", "u4" }
  local df = cl.frame({ user = users })
  local f = cl.model.folds(df, { groups = "user", k = 3 })
  -- GroupKFold(n_splits=3).split(X, groups=users), 1-based. By hand: sizes u5 5, u4 4,
  -- u3 3, u2 2, u1 1 taken largest first, each to the emptiest fold: {u5}, {u4, u1}, {u3, u2}.
  T.eq(#f, 3)
  T.eq(f[1].test, { 3, 6, 8, 11, 14 }); T.eq(f[1].train, { 1, 2, 4, 5, 7, 9, 10, 12, 13, 15 })
  T.eq(f[2].test, { 2, 7, 9, 13, 15 }); T.eq(f[2].train, { 1, 3, 4, 5, 6, 8, 10, 11, 12, 14 })
  T.eq(f[3].test, { 1, 4, 5, 10, 12 }); T.eq(f[3].train, { 2, 3, 6, 7, 8, 9, 11, 13, 14, 15 })
end)

local times = { 5, 1, 9, 3, 12, 7, 2, 11, 4, 10, 6, 8 }

T.case("time-series folds equal scikit-learn's TimeSeriesSplit (gap in rows)", function()
  local df = cl.frame({ t = times })
  -- TimeSeriesSplit(n_splits=3, gap=0) over the rows sorted by t, 1-based.
  local f = cl.model.folds(df, { time = "t", k = 3 })
  T.eq(f[1].train, { 2, 7, 4 });                      T.eq(f[1].test, { 9, 1, 11 })
  T.eq(f[2].train, { 2, 7, 4, 9, 1, 11 });            T.eq(f[2].test, { 6, 12, 3 })
  T.eq(f[3].train, { 2, 7, 4, 9, 1, 11, 6, 12, 3 });  T.eq(f[3].test, { 10, 8, 5 })
  -- TimeSeriesSplit(n_splits=3, gap=2)
  f = cl.model.folds(df, { time = "t", k = 3, gap = 2 })
  T.eq(f[1].train, { 2 });                   T.eq(f[1].test, { 9, 1, 11 })
  T.eq(f[2].train, { 2, 7, 4, 9 });          T.eq(f[2].test, { 6, 12, 3 })
  T.eq(f[3].train, { 2, 7, 4, 9, 1, 11, 6 }); T.eq(f[3].test, { 10, 8, 5 })
end)

T.case("a gap in days keeps training dates clear of each test block", function()
  local path = os.tmpname()
  local fh = io.open(path, "w")
  fh:write("d\n")
  for _, d in ipairs(times) do fh:write(string.format("2024-01-%02d\n", d)) end
  fh:close()
  local df = cl.read_csv(path, { types = { d = "date" } })
  os.remove(path)
  -- One row per day, so '2d' (train on dates < first test date − 2 days) equals
  -- TimeSeriesSplit(n_splits=3, gap=2) above: first test dates Jan 4, 7, 10 → train before Jan 2, 5, 8.
  local f = cl.model.folds(df, { time = "d", k = 3, gap = "2d" })
  T.eq(f[1].train, { 2 }); T.eq(f[2].train, { 2, 7, 4, 9 }); T.eq(f[3].train, { 2, 7, 4, 9, 1, 11, 6 })
  T.eq(f[3].test, { 10, 8, 5 })
  T.raises(function() cl.model.folds(cl.frame({ t = times }), { time = "t", gap = "2d" }) end, "a gap in days needs a date or timestamp")
  T.raises(function() cl.model.folds(df, { time = "d", k = 3, gap = "2w" }) end, "field 'gap': rows (an integer) or days as '30d'")
  T.raises(function() cl.model.folds(df, { time = "d", k = 3, gap = 9 }) end, "too few for k = 3 test blocks of 3 rows and a gap of 9 rows")
end)

T.case("supplied folds: one fold per value, in value order", function()
  local df = cl.frame({ fold = { 2, 1, 3, 1, 2, 3, 10 } })
  local f = cl.model.folds(df, { folds = "fold" })
  T.eq(#f, 4)
  T.eq(f[1].test, { 2, 4 }); T.eq(f[2].test, { 1, 5 }); T.eq(f[3].test, { 3, 6 }); T.eq(f[4].test, { 7 })
  T.eq(f[4].train, { 1, 2, 3, 4, 5, 6 })
  T.raises(function() cl.model.folds(df, { folds = "fold", k = 3 }) end, "supplied folds = 'fold' set the number of folds")
  T.raises(function() cl.model.folds(df, { folds = "fold", groups = "fold" }) end, "give one of 'folds', 'groups' and 'time'")
end)

T.case("stratified k-fold deals each class round the folds", function()
  local y = {}
  for i = 1, 20 do y[i] = i <= 6 and 1 or 0 end
  local f = cl.model.folds(cl.frame({ y = y }), { target = "y", k = 3, seed = 5 })
  local seen = {}
  for _, fold in ipairs(f) do
    local pos = 0
    for _, r in ipairs(fold.test) do pos = pos + y[r]; T.ok(not seen[r]); seen[r] = true end
    T.eq(pos, 2)                             -- 6 positives dealt 2, 2, 2
    T.eq(#fold.train + #fold.test, 20)
  end
  -- 20 rows: positives 6 dealt to folds 1,2,3,1,2,3; negatives 14 continue at fold 1: 5, 5, 4 → sizes 7, 7, 6
  T.eq({ #f[1].test, #f[2].test, #f[3].test }, { 7, 7, 6 })
end)

-- A data set for the model-selection cases.
local n = 240
local s = 3
local function r() s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 end
local cols = { x = {}, z = {}, user = {}, day = {}, fold = {}, churn = {} }
for i = 1, n do
  local x = r()
  cols.x[i] = (i % 7 == 0) and cl.null or x
  cols.z[i] = r()
  cols.user[i] = "u" .. (i % 40)
  cols.day[i] = i
  cols.fold[i] = 1 + i % 4
  cols.churn[i] = (r() < 1 / (1 + math.exp(-(5 * x - 2.5)))) and 1 or 0
end
local df = cl.frame(cols, { names = { "x", "z", "user", "day", "fold", "churn" } })
local base = { target = "churn", features = { "x", "z" } }
local function with(t) local o = {}; for k, v in pairs(base) do o[k] = v end; for k, v in pairs(t) do o[k] = v end; return o end

T.case("cross_validate: default metric AUC, and the folds it was asked for", function()
  local m = cl.model.gbdt { trees = 10, leaves = 4, min_data_in_leaf = 5, seed = 1 }
  local p = cl.prep.imputer { strategy = "mean", columns = { "x" } }
  local a, sa = cl.model.cross_validate(m, df, with { prep = p, k = 3, seed = 2 })
  local b, sb = cl.model.cross_validate(m, df, with { prep = p, k = 3, seed = 2, metrics = { "auc" } })
  T.eq(a:names(), { "fold", "n_test", "auc" })
  T.eq(sa.mean.auc, sb.mean.auc)
  local g = cl.model.cross_validate(m, df, with { prep = p, groups = "user", k = 4 })
  T.eq(g.n_test:to_table(), { 60, 60, 60, 60 })      -- 40 users of 6 rows into 4 folds of 10 users
  local t = cl.model.cross_validate(m, df, with { prep = p, time = "day", k = 3, gap = 10 })
  T.eq(t.n_test:to_table(), { 60, 60, 60 })          -- TimeSeriesSplit: 240 // 4 rows per test block
  local f = cl.model.cross_validate(m, df, with { prep = p, folds = "fold", threads = 1 })
  T.eq(#f, 4)
end)

T.case("prep is fitted on each fold's training rows (no leakage from the test rows)", function()
  -- By hand: for each supplied fold, fit imputer + logistic on the other folds'
  -- rows only and score the fold's rows; cross_validate must give exactly that.
  local m = cl.model.logistic {}
  local p = cl.prep.imputer { strategy = "mean", columns = { "x" } }
  local _, summary = cl.model.cross_validate(m, df, with { prep = p, folds = "fold" })
  local folds = cl.model.folds(df, { folds = "fold" })
  local function take(rows)
    local out = { x = {}, z = {}, churn = {} }
    local x, z, y = df.x:to_table(), df.z:to_table(), df.churn:to_table()
    for i, row in ipairs(rows) do
      out.x[i] = x[row] == nil and cl.null or x[row]; out.z[i] = z[row]; out.churn[i] = y[row]
    end
    return cl.frame(out, { names = { "x", "z", "churn" } })
  end
  local total = 0
  for _, f in ipairs(folds) do
    local train, test = take(f.train), take(f.test)
    local fitted = cl.model.logistic {}:fit(train, with { prep = p })
    total = total + cl.metrics.auc(test.churn, fitted:predict_proba(test))
  end
  T.near(summary.mean.auc, total / #folds, 1e-12)
end)

T.case("searches return the best parameters and the best model refitted on every row", function()
  local m = cl.model.gbdt { trees = 10, min_data_in_leaf = 5, seed = 1 }
  local res, best, model = cl.model.grid_search(m, df, with { grid = { leaves = { 2, 4 } }, groups = "user", k = 3, threads = 2 })
  T.eq(res:nrow(), 2)
  T.ok(best.leaves == 2 or best.leaves == 4)
  T.eq(model.kind, "gbdt")
  T.eq(model:params().leaves, best.leaves)
  local direct = cl.model.gbdt { trees = 10, min_data_in_leaf = 5, seed = 1, leaves = best.leaves }:fit(df, base)
  T.eq(model:predict_proba(df):to_table(), direct:predict_proba(df):to_table())
  local r2, b2, m2 = cl.model.random_search(cl.model.logistic {}, df:drop("user"), with {
    space = { C = { log_uniform = { 0.01, 10 } } }, n_iter = 3, seed = 4, time = "day", k = 3, gap = 5,
    prep = cl.prep.imputer { strategy = "mean", columns = { "x" } } })
  T.eq(r2:nrow(), 3); T.ok(b2.C > 0); T.eq(m2.kind, "logistic")
  local _, _, none = cl.model.grid_search(m, df, with { grid = { leaves = { 2 } }, k = 3, refit = false })
  T.eq(none, nil)
  T.raises(function() cl.model.grid_search(m, df, with { grid = { leaves = { 2 } }, threads = 0 }) end, "field 'threads': must be an integer in 1...1024")
end)

T.case("time_split{gap =} keeps training rows gap days before the cutoff", function()
  local path = os.tmpname()
  local fh = io.open(path, "w")
  fh:write("d,v\n")
  for day = 1, 10 do fh:write(string.format("2024-03-%02d,%d\n", day, day)) end
  fh:close()
  local df = cl.read_csv(path, { types = { d = "date" } })
  os.remove(path)
  -- cutoff Mar 8, gap 3 days: train = dates + 3 < Mar 8 → Mar 1..4; test = Mar 8..10; Mar 5..7 in neither.
  local train, test = df:time_split { time = "d", cutoff = "2024-03-08", gap = 3 }
  T.eq(train.v:to_table(), { 1, 2, 3, 4 })
  T.eq(test.v:to_table(), { 8, 9, 10 })
  train = df:time_split { time = "d", cutoff = "2024-03-08" }
  T.eq(train:nrow(), 7)
end)

T.case("selection options: unknown keys list the valid ones", function()
  T.raises(function() cl.model.cross_validate(cl.model.logistic {}, df, with { n_folds = 3 }) end, "(valid: ")
end)
