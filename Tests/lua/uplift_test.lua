-- cl.rules.uplift: the two-model uplift estimator over any model kind.
local T = cl.test

-- x = 1: the offer cuts churn from 0.8 to 0.2; x = 0: no effect (0.5 / 0.5).
local x, churn, group = {}, {}, {}
local function add(xv, g, churned, n)
  for i = 1, n do x[#x + 1] = xv; group[#group + 1] = g; churn[#churn + 1] = i <= churned and 1 or 0 end
end
add(1, "control", 80, 100); add(1, "treatment", 20, 100)
add(0, "control", 50, 100); add(0, "treatment", 50, 100)
local df = cl.frame({ x = x, churn = churn, group = group }, { names = { "x", "group", "churn" } })
local probe = cl.frame({ x = { 1, 0 } })

T.case("T-learner with logistic regression recovers the group effects", function()
  local u = cl.rules.uplift(cl.model.logistic { penalty = "none" }, df, { target = "churn", treatment = "group" }, probe)
  T.near(u:to_table(), { 0.6, 0.0 }, 1e-6)
end)

T.case("any model kind works; persuadable users rank first", function()
  local u = cl.rules.uplift(cl.model.tree { max_depth = 1 }, df, { target = "churn", treatment = "group" }):to_table()
  T.near(u[1], 0.6, 1e-9)     -- row 1 has x = 1
  T.near(u[400], 0.0, 1e-9)   -- row 400 has x = 0
end)

T.case("bad input", function()
  T.raises(function() cl.rules.uplift(cl.model.logistic {}, df, { target = "churn" }) end, "field 'treatment' is required")
  T.raises(function() cl.rules.uplift(df, df, { target = "churn", treatment = "group" }) end, "model expected")
  local bad = cl.frame({ x = { 1, 0 }, churn = { 1, 0 }, group = { "yes", "no" } })
  T.raises(function() cl.rules.uplift(cl.model.logistic {}, bad, { target = "churn", treatment = "group" }) end,
           "expected 'treatment' or 'control', got 'yes'")
end)
