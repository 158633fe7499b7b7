-- One model interface: every kind is a cl.Model with the same methods, and
-- model selection, permutation importance, reports and uplift take any kind.
local T = cl.test

local n = 300
local s = 11
local function r() s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 end
local cols = { x1 = {}, x2 = {}, noise = {}, churn = {}, churn_b = {}, churn_s = {}, churn_f = {}, treat = {} }
for i = 1, n do
  local x1, x2 = r(), r()
  cols.x1[i], cols.x2[i], cols.noise[i] = x1, x2, r()
  local y = (r() < 1 / (1 + math.exp(-(6 * x1 - 3)))) and 1 or 0
  cols.churn[i] = y
  cols.churn_b[i] = y == 1
  cols.churn_s[i] = y == 1 and "left" or "stayed"
  cols.churn_f[i] = y + 0.0
  cols.treat[i] = i % 2 == 0
end
local df = cl.frame(cols, { names = { "x1", "x2", "noise", "churn", "churn_b", "churn_s", "churn_f", "treat" } })
local targets = { "churn", "churn_b", "churn_s", "churn_f" }
local function exclude(t)
  local e = { "treat" }
  for _, name in ipairs(targets) do if name ~= t then e[#e + 1] = name end end
  return e
end

local kinds = {
  tree = function() return cl.model.tree { max_depth = 3, seed = 1 } end,
  forest = function() return cl.model.forest { n_trees = 10, max_depth = 4, seed = 1, threads = 2 } end,
  gbdt = function() return cl.model.gbdt { trees = 20, leaves = 4, min_data_in_leaf = 5, seed = 1, threads = 1 } end,
  logistic = function() return cl.model.logistic {} end,
}

for _, kind in ipairs { "tree", "forest", "gbdt", "logistic" } do
  T.case(kind .. ": one cl.Model type with the common methods", function()
    local m = kinds[kind]()
    T.eq(m.kind, kind)
    T.eq(tostring(m), "cl.Model " .. kind .. " (not fitted)")
    m:fit(df, { target = "churn", exclude = exclude("churn") })
    T.ok(tostring(m):find("cl.Model " .. kind .. ": P(churn = '1')", 1, true), tostring(m))
    T.eq(type(m:summary()), "string")
    -- Contributions add up to the raw prediction (probability for tree/forest, log-odds otherwise).
    local contrib, base = m:contributions(df)
    T.eq(contrib:names(), { "x1", "x2", "noise" })
    T.eq(base, m:expected_value())
    local p = m:predict_proba(df):to_table()
    local a, b, c = contrib.x1:to_table(), contrib.x2:to_table(), contrib.noise:to_table()
    for i = 1, 20 do
      local raw = base + a[i] + b[i] + c[i]
      local prob = (kind == "tree" or kind == "forest") and raw or 1 / (1 + math.exp(-raw))
      T.near(prob, p[i], 1e-9)
    end
    local ex = m:explain(df, { top = 2 })
    T.eq(ex:nrow(), 2 * n)
    T.ok(math.abs(ex.contribution:to_table()[1]) >= math.abs(ex.contribution:to_table()[2]))
    -- Built-in importance and permutation importance (any kind): x1 carries the signal.
    T.eq(m:importance().feature:to_table()[1], "x1")
    local pi = cl.model.permutation_importance(m, df, { metric = "auc", repeats = 3, seed = 1 })
    T.eq(pi.feature:to_table()[1], "x1")
    T.ok(pi.mean:to_table()[1] > 0.05)
    -- Report and uplift take every kind through the same interface.
    local html = cl.report.html { model = m, data = df, target = "churn" }
    T.ok(html:find("<html", 1, true))
    local up = cl.rules.uplift(kinds[kind](), df, { target = "churn", treatment = "treat", exclude = exclude("churn") })
    T.eq(#up, n)
  end)

  T.case(kind .. ": predict returns the target's own type", function()
    for _, t in ipairs(targets) do
      local m = kinds[kind]():fit(df, { target = t, exclude = exclude(t) })
      local pred = m:predict(df):to_table()
      local p = m:predict_proba(df):to_table()
      local want = ({ churn = { 1, 0 }, churn_b = { true, false }, churn_s = { "left", "stayed" }, churn_f = { 1.0, 0.0 } })[t]
      -- positive class: 1 / true / the minority text label ('left' here: fewer churners than stayers)
      for i = 1, n do T.eq(pred[i], p[i] >= 0.5 and want[1] or want[2]) end
      if t == "churn" then T.eq(math.type(pred[1]), "integer") end
      if t == "churn_f" then T.eq(math.type(pred[1]), "float") end
      -- and so does a model loaded back from its file
      local path = os.tmpname()
      m:save(path)
      T.eq(cl.model.load(path):predict(df):to_table(), pred)
      os.remove(path)
    end
  end)
end

T.case("files written before target types were recorded predict in their labels' type", function()
  local m = cl.model.load("Tests/fuzz/corpus/model_file/valid_gbdt.clm")
  local p = m:predict(cl.frame({ tenure = { 10, 20 }, plan = { "annual", "monthly" } })):to_table()
  T.eq(math.type(p[1]), "integer")
  T.eq(p, { 0, 1 })
end)

T.case("kind-only methods say which kinds have them", function()
  local m = kinds.tree():fit(df, { target = "churn", exclude = exclude("churn") })
  T.raises(function() m:oob_score() end, "oob_score is for forest models, not tree")
  T.raises(function() m:coefficients() end, "coefficients is for logistic models, not tree")
  local f = kinds.forest():fit(df, { target = "churn", exclude = exclude("churn") })
  T.ok(f:oob_score() > 0.5)
end)

T.case("unknown options always list the valid keys; options are checked at construction", function()
  T.raises(function() cl.model.gbdt { n_estimators = 10 } end, "unknown option 'n_estimators'")
  T.raises(function() cl.model.gbdt { n_estimators = 10 } end, "(valid: bagging_fraction, cat_l2,")
  T.raises(function() cl.model.logistic { alpha = 1 } end, "(valid: C, class_weight, fit_intercept,")
  -- The list once: the model options used to append a second copy ("(valid: …) (valid options: …)").
  local ok, err = pcall(function() cl.model.gbdt { min_child_samples = 1 } end)
  T.ok(not ok)
  local _, lists = tostring(err):gsub("%(valid", "")
  T.eq(lists, 1)
  for _, call in ipairs {
    function() cl.model.gbdt {}:fit(df, { target = "churn", nope = 1 }) end,
    function() cl.model.cross_validate(cl.model.logistic {}, df, { target = "churn", n_folds = 3 }) end,
  } do
    local ok2, err2 = pcall(call)
    T.ok(not ok2)
    local _, n = tostring(err2):gsub("%(valid", "")
    T.eq(n, 1)
  end
  T.raises(function() cl.model.gbdt { threads = 0 } end, "field 'threads': must be an integer in 1...1024, got 0")
  T.raises(function() cl.model.tree { threads = 2 } end, "unknown option 'threads'")
end)

T.case("threads: the same forest and GBDT on 1 and 2 threads", function()
  for _, kind in ipairs { "forest", "gbdt" } do
    local one = cl.model[kind] { seed = 4, threads = 1 }:fit(df, { target = "churn", exclude = exclude("churn") })
    local two = cl.model[kind] { seed = 4, threads = 2 }:fit(df, { target = "churn", exclude = exclude("churn") })
    T.eq(one:predict_proba(df):to_table(), two:predict_proba(df):to_table())
  end
end)

T.case("uplift scores a frame through the prep pipeline fitted on the training frame", function()
  -- The score frame has a null the pipeline's imputer fills; unimputed, logistic regression would refuse it.
  local x1, x2 = df.x1:to_table(), df.x2:to_table()
  x1[1] = cl.null
  local score = cl.frame({ x1 = x1, x2 = x2, noise = df.noise:to_table() }, { names = { "x1", "x2", "noise" } })
  local p = cl.prep.imputer { strategy = "constant", value = 0.5, columns = { "x1" } }
  local opts = { target = "churn", treatment = "treat", exclude = exclude("churn"), prep = p }
  local up = cl.rules.uplift(kinds.logistic(), df, opts, score):to_table()
  local all = cl.rules.uplift(kinds.logistic(), df, opts):to_table()
  T.eq(#up, n)
  for i = 2, n do T.near(up[i], all[i], 1e-12) end
  T.ok(up[1] == up[1])   -- a number (not NaN) for the imputed row
end)

T.case("explain keyed by an id column with numeric values", function()
  -- logistic explanations are exact linear SHAP: coef * (x - training mean)
  local df = cl.frame({ user_id = { "u1", "u2", "u3", "u4", "u5", "u6" }, plan = { "a", "b", "a", "b", "a", "b" },
                        x = { 1, 2, 3, 4, 5, 6 }, churn = { 0, 0, 1, 0, 1, 1 } })
  local m = cl.model.logistic({ C = 10 }):fit(df, { target = "churn", features = { "x" } })
  local e = m:explain(df, { top = 1, id = "user_id" })
  T.eq(e:names(), { "row", "user_id", "rank", "feature", "value", "numeric_value", "contribution" })
  T.eq(e.user_id:to_table(), { "u1", "u2", "u3", "u4", "u5", "u6" })
  T.eq(e.numeric_value:to_table(), { 1, 2, 3, 4, 5, 6 })
  local b = m:coefficients().coef:to_table()[2]
  T.near(e.contribution:to_table()[1], b * (1 - 3.5), 1e-12)
  -- a text feature has no numeric value
  local t = cl.model.gbdt({ trees = 2, min_data_in_leaf = 1 }):fit(df, { target = "churn", features = { "plan" } })
  local et = t:explain(df, { top = 1 })
  T.eq(et:filter(cl.col("numeric_value"):is_null()):nrow(), 6)
  T.raises(function() m:explain(df, { id = "nosuch" }) end, "nosuch")
end)
