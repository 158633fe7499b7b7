-- Issue 11 item 10: values that used to crash the process with a Swift trap
-- (rc 132) are errors that name the argument, the field and the accepted range
-- (or, for valid values, give the right answer). Siblings of each case are
-- covered by APIFuzzTests.testExtremeValuesNeverTrap.
local T = cl.test

local df = cl.frame({ x = { 1, 2, 3, 4, 5, 6, 7, 8 }, y = { 0, 1, 0, 1, 0, 1, 1, 0 } }, { names = { "x", "y" } })
local sim = cl.simulate.platform { users = 30, days = 60, seed = 1 }
local events = cl.events(sim.events)
local subs = cl.subscriptions(sim.subscriptions)

T.case("max/min of an int column holding math.maxinteger / math.mininteger are exact integers", function()
  local c = cl.frame { a = { math.maxinteger, 1, math.mininteger } }.a
  T.eq(c:max(), math.maxinteger)
  T.eq(math.type(c:max()), "integer")
  T.eq(c:min(), math.mininteger)
  -- 2^53 + 1 is not a double: the old path through Double returned 2^53
  T.eq(cl.frame { a = { 9007199254740993, 0 } }.a:max(), 9007199254740993)
  T.eq(cl.frame { a = { 1, cl.null } }.a:max(), 1)
end)

T.case("tree max_features = math.huge / NaN / too large is an error", function()
  T.raises(function() cl.model.tree { max_features = math.huge } end,
    "bad argument #1 to 'tree' (field 'max_features': must be a number in (0, 2147483648], got inf)")
  T.raises(function() cl.model.tree { max_features = 0 / 0 } end, "field 'max_features': must be a number in (0, 2147483648], got")
  T.raises(function() cl.model.tree { max_features = 2.5 } end, "field 'max_features': a fraction in (0, 1) or a whole count")
  T.eq(tostring(cl.model.tree { max_features = 2 }), "cl.Model tree (not fitted)")
end)

T.case("forest n_trees = math.maxinteger is an error before fit", function()
  T.raises(function() cl.model.forest { n_trees = math.maxinteger } end,
    "bad argument #1 to 'forest' (field 'n_trees': must be an integer in 1...100000, got 9223372036854775807)")
  T.raises(function() cl.model.forest { n_trees = 2 ^ 63 } end, "field 'n_trees': must be an integer in 1...100000, got 9.2233720368548e+18")
  T.raises(function() cl.model.forest { n_trees = 0 } end, "field 'n_trees': must be an integer in 1...100000, got 0")
end)

T.case("forest min_samples_leaf = math.maxinteger is an error", function()
  T.raises(function() cl.model.forest { min_samples_leaf = math.maxinteger } end,
    "bad argument #1 to 'forest' (field 'min_samples_leaf': must be an integer in 1...2147483648, got 9223372036854775807)")
  -- the largest allowed value fits (one leaf holds every row)
  local m = cl.model.forest { n_trees = 3, min_samples_leaf = 2 ^ 31, bootstrap = false, seed = 1 }:fit(df, { target = "y", features = { "x" } })
  T.near(m:predict_proba(df):mean(), 0.5, 1e-12)   -- a single leaf: 4 of the 8 rows are positive
end)

T.case("gbdt options are range-checked too", function()
  T.raises(function() cl.model.gbdt { learning_rate = 0 / 0 } end, "field 'learning_rate': must be a number in (0, 1], got nan")
  T.raises(function() cl.model.gbdt { leaves = math.mininteger } end, "field 'leaves': must be an integer in 2...131072")
  T.raises(function() cl.model.gbdt { lambda_l2 = math.huge } end, "field 'lambda_l2': must be a finite number >= 0, got inf")
end)

T.case("features.build session_gap_minutes = 1e300 is an error", function()
  T.raises(function() cl.features.build(events, { as_of = "2024-02-01", session_gap_minutes = 1e300 }) end,
    "bad argument #2 to 'build' (field 'session_gap_minutes': must be a number in (0, 52560000], got 1e+300)")
  T.raises(function() cl.features.build(events, { as_of = "2024-02-01", windows = { 1e300 } }) end,
    "field 'windows': 1e+300 is not a whole number of days in 1...36500")
end)

T.case("snapshots every = math.maxinteger is an error", function()
  T.raises(function() cl.features.snapshots(events, { from = "2024-01-10", to = "2024-02-01", every = math.maxinteger, spec = {} }) end,
    "bad argument #2 to 'snapshots' (field 'every': must be an integer in 1...36500, got 9223372036854775807)")
  T.raises(function() cl.features.snapshots(events, { from = "2024-01-10", to = "2024-02-01", every = "9223372036854775807w", spec = {} }) end,
    "field 'every': '9223372036854775807w' is not a period like '28d' or '4w' of 1...36500 days")
end)

T.case("labels.churn grace_days = 1e9 is an error", function()
  T.raises(function() cl.labels.churn(subs, { as_of = "2024-02-01", grace_days = 1e9 }) end,
    "bad argument #2 to 'churn' (field 'grace_days': must be an integer in 0...36500, got 1000000000.0)")
  T.raises(function() cl.labels.churn(events, { as_of = "2024-02-01", horizon = math.maxinteger }) end,
    "field 'horizon': must be an integer in 1...36500")
end)

T.case("plot.shap max_points = math.maxinteger is an error; 2^31 works", function()
  T.raises(function() cl.plot.shap({ "a" }, { { 1, 2 } }, { { 1, 2 } }, { max_points = math.maxinteger }) end,
    "bad argument #4 to 'shap' (field 'max_points': must be an integer in 1...2147483648, got 9223372036854775807)")
  local svg = cl.plot.shap({ "a" }, { { 1, 2 } }, { { 1, 2 } }, { max_points = 2 ^ 31 })
  T.ok(svg:find("<svg", 1, true))
end)

T.case("random_search ranges with NaN or ±maxinteger are errors", function()
  local m = cl.model.tree {}
  local function search(space) return cl.model.random_search(m, df, { target = "y", space = space, metrics = { "auc" }, k = 2 }) end
  T.raises(function() search { max_depth = { int = { math.mininteger, math.maxinteger } } } end,
    "bad argument #3 to 'random_search' (field 'space.max_depth.int': bounds must be integers in ±2147483648, got -9.2233720368548e+18)")
  T.raises(function() search { max_depth = { int = { 0 / 0, 3 } } } end, "field 'space.max_depth.int': bounds must be finite numbers, got nan")
  T.raises(function() search { max_features = { uniform = { 0.1, math.huge } } } end,
    "field 'space.max_features.uniform': bounds must be finite numbers, got inf")
  -- a drawn value out of the option's range names the parameter
  T.raises(function() search { max_depth = { -5 } } end, "tree: parameter 'max_depth' must be an integer in 0...10000, got -5")
end)

T.case("metrics threshold = 0/0 is an error, not 0.5", function()
  local y, p = { 0, 1, 1, 0 }, { 0.2, 0.8, 0.6, 0.4 }
  T.raises(function() cl.metrics.accuracy(y, p, { threshold = 0 / 0 }) end,
    "bad argument #3 to 'accuracy' (field 'threshold': must be a number (not NaN), got nan)")
  T.raises(function() cl.metrics.confusion(y, p, { threshold = 0 / 0 }) end, "field 'threshold': must be a number (not NaN), got nan")
  T.eq(cl.metrics.accuracy(y, p, { threshold = 0.5 }), 1)
  T.eq(cl.metrics.accuracy(y, p, { threshold = math.huge }), 0.5)   -- everything predicted 0: 2 of 4 right
end)

T.case("positional numbers: head/tail, row, quantile, seed", function()
  T.raises(function() df:head(math.maxinteger) end, "must be an integer in -2147483648...2147483648, got 9223372036854775807")
  T.eq(df:head(-6):nrow(), 2)
  T.raises(function() df:row(0 / 0) end, "must be an integer in 1...8, got nan")
  T.raises(function() df.x:quantile(0 / 0) end, "must be a number in [0, 1], got nan")
  T.raises(function() cl.seed(math.huge) end, "bad argument #1 to 'seed' (must be an integer >= 0, got inf)")
end)

T.case("durations and rule options cannot overflow", function()
  T.raises(function() cl.rules.cap { channel = "email", max = 1, within = "9223372036854775807w" } end, "is longer than 36500 days")
  T.raises(function() cl.rules.rule { name = "r", action = { channel = "c" }, cooldown = math.maxinteger } end,
    "field 'cooldown': must be an integer in 0...36500")
end)

T.case("an all-null text column can be concatenated, joined and sorted", function()
  local d = cl.frame({ x = { 1.5, 2 } }):describe()   -- one row; its `top` column is text and all null
  T.eq(d:concat(d):nrow(), 2)
  T.eq(d:sort_by("top"):nrow(), 1)
  T.eq(d:join(d, { on = "top" }):nrow(), 0)   -- null keys never match
end)
