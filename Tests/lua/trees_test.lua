-- cl.model.tree / forest / gbdt: fit, predict, explain, importance, errors.
local T = cl.test

-- Plan levels a..d have churn rates 0.9, 0.1, 0.8, 0.2 (10 rows each); 6 rows
-- without a plan all churn. `usage` is noise-free: churn when usage > 50.
local plan, churn, usage = {}, {}, {}
for k, rate in ipairs({ 9, 1, 8, 2 }) do
  for i = 1, 10 do
    plan[#plan + 1] = ({ "a", "b", "c", "d" })[k]
    churn[#churn + 1] = i <= rate and "yes" or "no"
    usage[#usage + 1] = (i <= rate) and 60 + i or 40 - i
  end
end
for i = 1, 6 do plan[#plan + 1] = cl.null; churn[#churn + 1] = "yes"; usage[#usage + 1] = 70 + i end
local df = cl.frame({ plan = plan, churn = churn, usage = usage }, { names = { "plan", "usage", "churn" } })

T.case("tree: categorical split ordered by churn rate, missing learns its side", function()
  -- 26 'yes' and 20 'no': without `positive`, the minority 'no' is the positive class.
  local m = cl.model.tree({ max_depth = 1 }):fit(df, { target = "churn", features = { "plan" } })
  local s = tostring(m)
  T.ok(s:find("P(churn = 'no') — positive class chosen automatically (minority label)", 1, true), s)
  m = cl.model.tree({ max_depth = 1 }):fit(df, { target = "churn", features = { "plan" }, positive = "yes" })
  local p = m:predict_proba(df):to_table()
  T.near(p[1], 23 / 26, 1e-12)   -- plan a joins c and the missing rows
  T.near(p[11], 3 / 20, 1e-12)   -- plan b joins d
  T.near(p[41], 23 / 26, 1e-12)  -- missing plan
  T.eq(m:predict(df, { threshold = 0.5 }):to_table()[11], "no")
  T.eq(m:predict(df, { threshold = 0.1 }):to_table()[11], "yes")
end)

T.case("tree: explain gives the top reasons per row and they add up", function()
  local m = cl.model.tree({ max_depth = 3 }):fit(df, { target = "churn", positive = "yes" })
  local e = m:explain(df, { top = 2 })
  T.eq(e:names(), { "row", "rank", "feature", "value", "numeric_value", "contribution" })
  T.eq(e:nrow(), 2 * df:nrow())
  local r = e:row(1)
  T.eq(r.row, 1); T.eq(r.rank, 1)
  -- Both features explain row 1 fully: expected value + contributions = prediction.
  local p = m:predict_proba(df):to_table()[1]
  T.near(m:expected_value() + e:row(1).contribution + e:row(2).contribution, p, 1e-9)
  local imp = m:importance()
  T.eq(imp:names(), { "feature", "importance" })
  T.eq(imp:row(1).feature, "usage")
end)

T.case("forest: out-of-bag scores and deterministic seeds", function()
  local a = cl.model.forest({ n_trees = 20, seed = 3 }):fit(df, { target = "churn", positive = "yes" })
  local b = cl.model.forest({ n_trees = 20, seed = 3 }):fit(df, { target = "churn", positive = "yes" })
  local auc, acc = a:oob_score()
  T.ok(auc > 0.9 and auc <= 1, auc)
  T.ok(acc > 0.8 and acc <= 1, acc)
  T.eq(a:predict_proba(df):to_table(), b:predict_proba(df):to_table())
  T.eq(a:params(), { n_trees = 20, seed = 3 })
end)

T.case("gbdt: eval set, early stopping and log-odds explanations", function()
  local m = cl.model.gbdt({ trees = 300, learning_rate = 0.3, leaves = 4, min_data_in_leaf = 3, min_data_per_group = 3,
                            early_stopping_rounds = 5 })
  m:fit(df, { target = "churn", positive = "yes", eval_set = df })
  local best = m:best_iteration()
  T.ok(best >= 1 and best < 300, best)
  local p = m:predict_proba(df):to_table()
  T.ok(p[1] > 0.9 and p[12] < 0.1, p[1] .. " " .. p[12])   -- row 12: plan b, usage 38, no churn
  local e = m:explain(df, { top = 2 })
  local logit = math.log(p[1] / (1 - p[1]))
  T.near(m:expected_value() + e:row(1).contribution + e:row(2).contribution, logit, 1e-9)
end)

T.case("bad input gives clear errors", function()
  T.raises(function() cl.model.gbdt({ leafs = 3 }) end, "unknown option 'leafs'; did you mean 'leaves'?")
  T.raises(function() cl.model.tree({ criterion = "gain" }) end, "'gini' or 'entropy' expected")
  local m = cl.model.tree({})
  T.raises(function() m:predict_proba(df) end, "not fitted yet")
  T.raises(function() m:fit(df, {}) end, "field 'target' is required")
  T.raises(function() m:fit(df, { target = "churned" }) end, "no column 'churned'; did you mean 'churn'?")
  m:fit(df, { target = "churn", features = { "plan", "usage" } })
  local other = cl.frame({ usage = { 1, 2 } })
  T.raises(function() m:predict_proba(other) end, "lacks 1 feature the model was fitted on: 'plan'")
  T.raises(function() cl.model.tree({ min_samples_leaf = 0 }):fit(df, { target = "churn" }) end, "field 'min_samples_leaf': must be an integer in 1...2147483648, got 0")
  T.eq(tostring(cl.model.forest({})), "cl.Model forest (not fitted)")
end)
