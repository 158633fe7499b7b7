-- cl.model.gbdt's class weighting and monotone constraints, and the tree dump
-- (core values checked against LightGBM in GBDTExtensionTests; here: the Lua surface).
local t = cl.test

local function data()
  local n = 400
  local x, z, y = {}, {}, {}
  local s = 7
  local function rnd() s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 end
  for i = 1, n do
    x[i] = rnd() * 10; z[i] = rnd()
    y[i] = (rnd() < 0.1 + 0.08 * x[i] * (0.5 + z[i])) and 1 or 0
  end
  return cl.frame{x = x, z = z, churn = y}
end

t.case("monotone_constraints make predictions non-decreasing in x", function()
  local df = data()
  local m = cl.model.gbdt{trees = 30, leaves = 8, min_data_in_leaf = 5, monotone_constraints = {1, 0}, seed = 1}
  m:fit(df, {target = "churn", features = {"x", "z"}})
  local grid = {}
  for i = 1, 50 do grid[i] = (i - 1) * 0.2 end
  for _, zv in ipairs({0.1, 0.5, 0.9}) do
    local zs = {}
    for i = 1, 50 do zs[i] = zv end
    local p = m:predict_proba(cl.frame{x = grid, z = zs}):to_table()
    for i = 2, 50 do t.ok(p[i] >= p[i - 1] - 1e-12, "prediction fell at x = " .. grid[i]) end
  end
end)

t.case("scale_pos_weight raises the positive scores; bad values are refused at construction", function()
  local df = data()
  local a = cl.model.gbdt{trees = 20, seed = 1}:fit(df, {target = "churn"})
  local b = cl.model.gbdt{trees = 20, seed = 1, scale_pos_weight = 4}:fit(df, {target = "churn"})
  t.ok(b:predict_proba(df):mean() > a:predict_proba(df):mean())
  t.raises(function() cl.model.gbdt{scale_pos_weight = 0} end, "scale_pos_weight")
  t.raises(function() cl.model.gbdt{monotone_constraints = {2}} end, "must be %-1, 0 or 1")
  t.raises(function() cl.model.gbdt{class_weight = {0, 0}} end, "not both 0")
  t.raises(function() cl.model.tree{class_weight = {0, 0}} end, "not both 0")
end)

t.case("dump, trees and summary describe the fitted booster", function()
  local df = data()
  local m = cl.model.gbdt{trees = 3, leaves = 4, seed = 1}:fit(df, {target = "churn"})
  local d = m:dump(1)
  t.ok(d:find("^tree 1: 4 leaves"), d)
  t.ok(not d:find("tree 2:"), "max_trees = 1 shows one tree")
  local nodes = m:trees()
  t.eq(nodes:nrow(), 3 * 7)                    -- 4 leaves + 3 splits per tree
  t.eq(nodes:filter(cl.col("feature"):is_null()):nrow(), 3 * 4)
  t.ok(m:summary():find("trees: 3 of 3"), m:summary())
end)

t.case("goss = true fits on a sample of rows; its rates are checked", function()
  local df = data()
  local a = cl.model.gbdt{trees = 30, leaves = 8, min_data_in_leaf = 5, seed = 1}:fit(df, {target = "churn"})
  local g = cl.model.gbdt{trees = 30, leaves = 8, min_data_in_leaf = 5, seed = 1, goss = true, top_rate = 0.3, other_rate = 0.2}
  g:fit(df, {target = "churn"})
  local pa, pg = a:predict_proba(df), g:predict_proba(df)
  local ta, tg, diff = pa:to_table(), pg:to_table(), 0
  for i = 1, #ta do diff = math.max(diff, math.abs(ta[i] - tg[i])) end
  t.ok(diff > 0, "goss changed nothing")
  t.ok(math.abs(cl.metrics.auc(df.churn, pg) - cl.metrics.auc(df.churn, pa)) < 0.05)
  t.raises(function() cl.model.gbdt{top_rate = 0.2} end, "need goss = true")
  t.raises(function() cl.model.gbdt{goss = true, top_rate = 1} end, "top_rate")
  t.raises(function() cl.model.gbdt{goss = true, top_rate = 0.6, other_rate = 0.5}:fit(df, {target = "churn"}) end, "top_rate %+ other_rate")
  t.raises(function() cl.model.gbdt{goss = true, bagging_fraction = 0.5}:fit(df, {target = "churn"}) end, "bagging_fraction")
end)
