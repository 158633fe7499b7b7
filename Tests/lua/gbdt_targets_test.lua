-- cl.model.gbdt with regression and multiclass targets through fit, predict,
-- save/load and cross_validate. Reference figures: LightGBM 4.x with the same
-- parameters, scripts/reference/gbdt_multiclass_reference.py (mlc_churn, test
-- rows 0-based i % 5 == 4). Our binning differs from LightGBM's, so the
-- figures agree to a tolerance, not exactly.
local t = cl.test
local fixtures = "Tests/ChurnCoreTests/Fixtures/"

local function split(df)
  local d = df:mutate({ _i = cl.col("churn"):row_number() })
  local test = (cl.col("_i") % 5):eq(0)        -- 1-based row r: (r - 1) % 5 == 4
  return d:filter(~test):drop("_i"), d:filter(test):drop("_i")
end

local function bill_data()
  local df = cl.read_csv(fixtures .. "mlc_churn.csv")
  df = df:mutate({ bill = cl.col("total_day_charge") + cl.col("total_eve_charge") + cl.col("total_night_charge") + cl.col("total_intl_charge") })
  return split(df)
end

local bill_exclude = { "total_day_charge", "total_eve_charge", "total_night_charge", "total_intl_charge", "total_intl_minutes", "churn" }

t.case("regression: LightGBM-level test RMSE, float predictions, save/load, no predict_proba", function()
  local train, test = bill_data()
  local m = cl.model.gbdt{ objective = "regression", seed = 1 }:fit(train, { target = "bill", exclude = bill_exclude })
  local p = m:predict(test)
  t.eq(p:type(), "float")
  local y, pv = test.bill:to_table(), p:to_table()
  local se = 0
  for i = 1, #y do se = se + (y[i] - pv[i]) ^ 2 end
  local rmse = math.sqrt(se / #y)
  -- LightGBM objective="regression": test RMSE 0.9772895654365138 (target sd 10.36).
  t.near(rmse, 0.9772895654365138, 0.1)
  t.raises(function() m:predict_proba(test) end, "regression")
  t.raises(function() m:predict(test, { threshold = 0.3 }) end, "binary")
  local path = os.tmpname()
  m:save(path)
  local back = cl.model.load(path)
  os.remove(path)
  local q = back:predict(test):to_table()
  for i = 1, #q do t.eq(q[i], pv[i]) end
  t.ok(tostring(back):find("regression"), tostring(back))
  -- A text target is refused with the column named.
  t.raises(function() cl.model.gbdt{ objective = "regression" }:fit(train, { target = "churn" }) end, "churn")
end)

t.case("regression cross_validate defaults to rmse, mae, r2 (unstratified folds)", function()
  local train = bill_data()
  local folds, s = cl.model.cross_validate(cl.model.gbdt{ objective = "regression", trees = 30, seed = 1 }, train,
    { target = "bill", exclude = bill_exclude, k = 3, seed = 1 })
  t.eq(folds:names(), { "fold", "n_test", "rmse", "mae", "r2" })
  t.ok(s.mean.rmse > 0.5 and s.mean.rmse < 2.5, s.mean.rmse)
  t.ok(s.mean.r2 > 0.95, s.mean.r2)
  t.ok(s.mean.mae < s.mean.rmse)
  -- rmse^2 >= mean squared error of the fold means (Jensen): a sanity check on the per-fold rows.
  local r = folds.rmse:to_table()
  t.eq(#r, 3)
  t.raises(function() cl.model.cross_validate(cl.model.gbdt{ objective = "regression" }, train, { target = "bill", stratify = true }) end, "continuous")
  t.raises(function() cl.model.cross_validate(cl.model.gbdt{ objective = "regression" }, train, { target = "bill", metrics = "auc" }) end, "rmse")
end)

local function outcome_data()
  local df = cl.read_csv(fixtures .. "mlc_churn.csv")
  df = df:mutate({ outcome = cl.when(cl.col("churn"):eq("no"), "stay",
                     cl.when(cl.col("number_customer_service_calls"):ge(4), "churn_service", "churn_other")) })
  return split(df)
end

t.case("multiclass: softmax GBDT matches LightGBM's test accuracy and log-loss", function()
  local train, test = outcome_data()
  local m = cl.model.gbdt{ objective = "multiclass", seed = 1 }:fit(train, { target = "outcome", exclude = { "churn" } })
  local proba = m:predict_proba(test)
  -- Class columns in sorted label order (LightGBM/scikit-learn classes_).
  t.eq(proba:names(), { "churn_other", "churn_service", "stay" })
  local cols = { proba.churn_other:to_table(), proba.churn_service:to_table(), proba.stay:to_table() }
  local y = test.outcome:to_table()
  local pred = m:predict(test)
  t.eq(pred:type(), "string")
  local pv = pred:to_table()
  local hits, ll = 0, 0
  local idx = { churn_other = 1, churn_service = 2, stay = 3 }
  for i = 1, #y do
    t.near(cols[1][i] + cols[2][i] + cols[3][i], 1, 1e-12)
    if pv[i] == y[i] then hits = hits + 1 end
    ll = ll - math.log(cols[idx[y[i]]][i])
  end
  local acc, logloss = hits / #y, ll / #y
  print(string.format("    multiclass test accuracy %.4f (LightGBM 0.947), log-loss %.4f (LightGBM 0.22939011543699422)", acc, logloss))
  t.near(acc, 0.947, 0.02)
  t.near(logloss, 0.22939011543699422, 0.05)
  -- save/load keeps the classes and the predictions.
  local path = os.tmpname()
  m:save(path)
  local back = cl.model.load(path)
  os.remove(path)
  t.eq(back:predict(test):to_table(), pv)
  t.eq(back:predict_proba(test):names(), proba:names())
  t.ok(m:summary():find("3 classes"), m:summary())
  t.eq(m:trees():column("tree"):max(), 300)        -- 100 rounds x 3 classes
  t.raises(function() m:explain(test) end, "multiclass")
end)

t.case("multiclass with an integer target predicts integers; cross_validate defaults to accuracy", function()
  local x, y = {}, {}
  local s = 11
  local function rnd() s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 end
  for i = 1, 300 do x[i] = rnd() * 3; y[i] = math.floor(x[i]) * 10 + ((rnd() < 0.1) and 10 or 0) end
  for i = 1, 300 do if y[i] > 20 then y[i] = 0 end end
  local df = cl.frame{ x = x, y = y }
  local m = cl.model.gbdt{ objective = "multiclass", trees = 20, min_data_in_leaf = 5, seed = 1 }:fit(df, { target = "y" })
  local p = m:predict(cl.frame{ x = { 0.5, 1.5, 2.5 } })
  t.eq(p:type(), "int")
  t.eq(p:to_table(), { 0, 10, 20 })
  t.eq(m:predict_proba(df):names(), { "0", "10", "20" })
  local folds, sm = cl.model.cross_validate(m, df, { target = "y", k = 3, seed = 2 })
  t.eq(folds:names(), { "fold", "n_test", "accuracy" })
  t.ok(sm.mean.accuracy > 0.8, sm.mean.accuracy)
  t.raises(function() cl.model.gbdt{ objective = "multiclass" }:fit(df, { target = "y", positive = "10" }) end, "binary")
  t.raises(function() cl.model.gbdt{ objective = "poisson" } end, "multiclass")
  t.raises(function() cl.model.gbdt{ objective = "multiclass", scale_pos_weight = 2 } end, "binary")
end)

t.case("permutation_importance works on regression models (rmse, lower is better)", function()
  local x, z, y = {}, {}, {}
  for i = 1, 200 do x[i] = (i % 17) / 17; z[i] = (i % 7) / 7; y[i] = 5 * x[i] end
  local df = cl.frame{ x = x, z = z, y = y }
  local m = cl.model.gbdt{ objective = "regression", trees = 30, min_data_in_leaf = 5, seed = 1 }:fit(df, { target = "y" })
  local imp = cl.model.permutation_importance(m, df, { target = "y", repeats = 3, seed = 1 })
  t.eq(imp.feature:to_table()[1], "x")
  t.ok(imp.mean:to_table()[1] > 0.5, imp.mean:to_table()[1])
end)

t.case("grid_search on a regression ranks by rmse (lower is better) and refits the best", function()
  local x, y = {}, {}
  for i = 1, 240 do x[i] = (i % 24) / 24; y[i] = 3 * x[i] + ((i * 7919) % 13) / 130 end
  local df = cl.frame{ x = x, y = y }
  local res, best, model = cl.model.grid_search(cl.model.gbdt{ objective = "regression", min_data_in_leaf = 5, seed = 1 }, df,
    { target = "y", grid = { trees = { 2, 40 } }, k = 3, seed = 1 })
  t.eq(best.trees, 40)                          -- 2 rounds of lr 0.1 leave most of the variance
  t.eq(model:predict(df):type(), "float")
  local r = res:sort_by("rank")
  t.ok(r.mean_rmse:to_table()[1] < r.mean_rmse:to_table()[2])
  -- a grid that would change the target kind is refused, not fitted on a wrongly coded target
  t.raises(function()
    cl.model.grid_search(cl.model.gbdt{ objective = "regression", min_data_in_leaf = 5, seed = 1 }, df,
      { target = "y", grid = { objective = { "regression", "binary" } }, k = 3, seed = 1 })
  end, "the grid changes the target kind (continuous → binary")
end)
