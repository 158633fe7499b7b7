-- m:dump() and m:trees() on CART trees and random forests (as on gbdt; the
-- shared TreeStructured view). Expected values hand-computed: x = 1…10 with
-- churn = (x > 5) is separated by one split, so a CART tree has two pure
-- leaves of 5 rows each, with P(positive) 0 and 1.
local t = cl.test

local function data()
  local x, y = {}, {}
  for i = 1, 10 do x[i] = i; y[i] = i > 5 and 1 or 0 end
  return cl.frame{ x = x, churn = y }
end

t.case("a CART tree dumps one split and two pure leaves", function()
  local m = cl.model.tree{ seed = 1 }:fit(data(), { target = "churn" })
  local d = m:dump()
  t.ok(d:find("^tree 1: 2 leaves, depth 1"), d)
  t.ok(d:find("node 0: x <= "), d)
  local nodes = m:trees()
  t.eq(nodes:nrow(), 3)
  t.eq(nodes.feature:to_table()[1], "x")
  local leaves = nodes:filter(cl.col("feature"):is_null())
  local v = leaves.value:to_table()
  table.sort(v)
  t.eq(v, { 0, 1 })
  t.eq(leaves.cover:to_table(), { 5, 5 })
  t.eq(nodes.depth:to_table(), { 0, 1, 1 })
end)

t.case("a forest dumps every tree; max_trees limits the text", function()
  local m = cl.model.forest{ n_trees = 4, seed = 1, min_samples_leaf = 1 }:fit(data(), { target = "churn" })
  t.eq(m:trees().tree:max(), 4)
  local d = m:dump(2)
  t.ok(d:find("tree 2:"), d)
  t.ok(not d:find("tree 3:"), d)
  t.raises(function() m:dump(0) end, "100000")
end)
