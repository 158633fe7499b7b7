-- cl.model.mlp: a multilayer perceptron under the common model interface.
local T = cl.test

local n = 400
local s = 7
local function r() s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 end
local cols = { x1 = {}, x2 = {}, noise = {}, plan = {}, churn = {}, churn_s = {} }
for i = 1, n do
  local x1, x2 = r() * 10, r()
  local plan = ({ "basic", "pro", "team" })[1 + (i % 3)]
  cols.x1[i] = (i % 17 == 0) and cl.null or x1          -- missing numerics become the mean
  cols.x2[i], cols.noise[i], cols.plan[i] = x2, r(), plan
  local z = 0.8 * (x1 - 5) + (plan == "pro" and 1.5 or 0) - 0.5
  local y = (r() < 1 / (1 + math.exp(-z))) and 1 or 0
  cols.churn[i] = y
  cols.churn_s[i] = y == 1 and "left" or "stayed"
end
local df = cl.frame(cols, { names = { "x1", "x2", "noise", "plan", "churn", "churn_s" } })
local fit_opts = { target = "churn", exclude = { "churn_s" } }
local function small(t)
  local o = { hidden = { 16, 8 }, epochs = 15, batch_size = 32, learning_rate = 0.01, seed = 3, threads = 1 }
  for k, v in pairs(t or {}) do o[k] = v end
  return cl.model.mlp(o)
end

T.case("fit, predict_proba, predict in the target's type, summary, params, history", function()
  local m = small()
  T.eq(m.kind, "mlp")
  T.eq(tostring(m), "cl.Model mlp (not fitted)")
  m:fit(df, fit_opts)
  local p = m:predict_proba(df):to_table()
  T.eq(#p, n)
  for i = 1, n do T.ok(p[i] > 0 and p[i] < 1, "probability " .. i) end
  T.ok(cl.metrics.auc(df.churn:to_table(), p) > 0.8)
  local pred = m:predict(df):to_table()
  T.eq(math.type(pred[1]), "integer")
  for i = 1, n do T.eq(pred[i], p[i] >= 0.5 and 1 or 0) end
  T.ok(m:summary():find("mlp 6 → 16 → 8 → 1 (relu", 1, true), m:summary())   -- 3 numerics + 3 plan levels
  T.eq(m:params().hidden, { 16, 8 })
  T.eq(m:params().epochs, 15)
  local h = m:history()
  T.eq(h:nrow(), 15)
  T.ok(h.loss:to_table()[15] < h.loss:to_table()[1])
  -- a text target predicts its labels
  local ms = small():fit(df, { target = "churn_s", exclude = { "churn" } })
  local ps = ms:predict(df):to_table()
  T.ok(ps[1] == "left" or ps[1] == "stayed")
  -- no built-in importance or contributions, permutation importance instead
  T.raises(function() m:contributions(df) end, "mlp")
end)

T.case("save and cl.model.load give identical probabilities; unseen levels and missing values predict", function()
  local m = small():fit(df, fit_opts)
  local path = os.tmpname()
  m:save(path)
  local back = cl.model.load(path)
  os.remove(path)
  T.eq(back.kind, "mlp")
  T.eq(back:predict_proba(df):to_table(), m:predict_proba(df):to_table())
  T.eq(back:predict(df):to_table(), m:predict(df):to_table())
  local odd = cl.frame({ x1 = { cl.null, 3 }, x2 = { 0.5, cl.null }, noise = { 0.1, 0.2 }, plan = { "enterprise", cl.null } })
  local p = back:predict_proba(odd):to_table()
  T.eq(#p, 2)
  T.ok(p[1] == p[1] and p[2] == p[2])
end)

T.case("same seed and threads: identical; another seed: different", function()
  local a = small():fit(df, fit_opts):predict_proba(df):to_table()
  local b = small():fit(df, fit_opts):predict_proba(df):to_table()
  T.eq(a, b)
  local c = small { seed = 4 }:fit(df, fit_opts):predict_proba(df):to_table()
  T.ok(a[1] ~= c[1])
  -- dropout draws from the seed too
  local d1 = small { dropout = 0.2 }:fit(df, fit_opts):predict_proba(df):to_table()
  local d2 = small { dropout = 0.2 }:fit(df, fit_opts):predict_proba(df):to_table()
  T.eq(d1, d2)
end)

T.case("eval set and early stopping keep the best epoch", function()
  local train, valid = df:head(300), df:tail(100)
  local m = small { epochs = 60, early_stopping_rounds = 3, learning_rate = 0.05 }
  m:fit(train, { target = "churn", exclude = { "churn_s" }, eval_set = valid })
  local h = m:history()
  T.ok(h:nrow() < 60, "stopped early after " .. h:nrow() .. " epochs")
  local auc = h.eval_auc:to_table()
  local best = math.max(table.unpack(auc))
  T.near(cl.metrics.auc(valid.churn:to_table(), m:predict_proba(valid):to_table()), best, 1e-6)
end)

T.case("cross_validate, grid_search and permutation_importance take mlp", function()
  local cv, sm = cl.model.cross_validate(small(), df, { target = "churn", exclude = { "churn_s" }, k = 3, metrics = { "auc" }, seed = 1 })
  T.eq(#cv, 3)
  T.ok(sm.mean.auc > 0.75, tostring(sm.mean.auc))
  local g = cl.model.grid_search(small(), df, { target = "churn", exclude = { "churn_s" }, k = 3, grid = { hidden = { 4, 8 } }, metrics = { "auc" }, seed = 1 })
  T.eq(#g, 2)
  local m = small():fit(df, fit_opts)
  local pi = cl.model.permutation_importance(m, df, { metric = "auc", repeats = 3, seed = 1 })
  T.eq(pi.feature:to_table()[1], "x1")
end)

T.case("bad options are refused at construction", function()
  T.raises(function() cl.model.mlp { hidden = { 64, 0 } } end, "field 'hidden'")
  T.raises(function() cl.model.mlp { hidden = { 64, 2.5 } } end, "field 'hidden'")
  T.raises(function() cl.model.mlp { hidden = "64" } end, "field 'hidden'")
  T.raises(function() cl.model.mlp { hidden = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } } end, "at most 16")
  T.raises(function() cl.model.mlp { activation = "softmax" } end, "field 'activation'")
  T.raises(function() cl.model.mlp { optimizer = "sgd" } end, "field 'optimizer'")
  T.raises(function() cl.model.mlp { dropout = 1 } end, "field 'dropout': must be a number in [0, 0.95]")
  T.raises(function() cl.model.mlp { epochs = 0 } end, "field 'epochs': must be an integer in 1...100000")
  T.raises(function() cl.model.mlp { batch_size = 0 } end, "field 'batch_size'")
  T.raises(function() cl.model.mlp { learning_rate = 0 } end, "field 'learning_rate'")
  T.raises(function() cl.model.mlp { learning_rate = 0 / 0 } end, "field 'learning_rate'")
  T.raises(function() cl.model.mlp { weight_decay = -1 } end, "field 'weight_decay'")
  T.raises(function() cl.model.mlp { weight_decay = math.huge } end, "field 'weight_decay'")
  T.raises(function() cl.model.mlp { early_stopping_rounds = 0 } end, "field 'early_stopping_rounds'")
  T.raises(function() cl.model.mlp { seed = -1 } end, "field 'seed'")
  T.raises(function() cl.model.mlp { threads = 0 } end, "field 'threads'")
  T.raises(function() cl.model.mlp { hiden = { 8 } } end, "unknown option 'hiden'")
  T.raises(function() small():fit(df, { target = "churn", exclude = { "churn_s" }, weight = "x2" }) end, "sample weights")
end)

-- Accuracy against scikit-learn: MLPClassifier(hidden_layer_sizes=(64, 32), relu, adam, lr 1e-3,
-- batch 256, alpha 0, 20 epochs) on the same split and inputs, mean test AUC over 10 seeds
-- 0.904550 (sd 0.0027), from scripts/reference/mlp_sklearn_reference.py.
T.case("mlc_churn: within 0.01 AUC of scikit-learn's MLPClassifier (64, 32, relu, adam)", function()
  local churn = cl.read_csv("Tests/ChurnCoreTests/Fixtures/mlc_churn.csv")
  local train, test = churn:head(3500), churn:tail(1500)
  local m = cl.model.mlp { hidden = { 64, 32 }, activation = "relu", epochs = 20, batch_size = 256,
                           learning_rate = 1e-3, seed = 1 }
  m:fit(train, { target = "churn", positive = "yes" })
  local y = {}
  for i, v in ipairs(test.churn:to_table()) do y[i] = v == "yes" and 1 or 0 end
  local auc = cl.metrics.auc(y, m:predict_proba(test):to_table())
  local sklearn = 0.904550
  T.ok(math.abs(auc - sklearn) <= 0.01, string.format("mlp AUC %.4f, scikit-learn %.4f", auc, sklearn))
end)
