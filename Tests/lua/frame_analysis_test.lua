-- Frame analysis, reshaping, joins by time and the per-row slow paths (issue 12 gap "frames").
-- Expected values: scripts/reference/frame_reference.py (pandas 3.1.1), copied next to each assertion.
local T = cl.test
local N = cl.null

T.case("rows(): for i, row in df:rows()", function()
  local df = cl.frame({ a = { 1, 2, 3 }, s = { "x", N, "z" } }, { names = { "a", "s" } })
  local seen = {}
  for i, row in df:rows() do seen[#seen + 1] = { i, row.a, row.s } end
  T.eq(seen, { { 1, 1, "x" }, { 2, 2, nil }, { 3, 3, "z" } })
  for _ in cl.frame({ a = {} }):rows() do error("no rows expected") end
end)

T.case("apply, map and mutate with a Lua function (slow path)", function()
  local df = cl.frame({ a = { 1, 2, 3 }, b = { 10, 20, 30 } })
  T.eq(df:apply(function(r) return r.a + r.b end):to_table(), { 11, 22, 33 })
  T.eq(df:apply(function(r) return r.a > 1 end, { name = "big" }):name(), "big")
  T.eq(df.a:map(function(v) return v * 0.5 end):to_table(), { 0.5, 1.0, 1.5 })
  T.eq(df:mutate({ c = function(r) return r.a == 2 and cl.null or r.b end }).c:to_table(), { 10, nil, 30 })
  T.raises(function() df:apply(function() return {} end) end, "the function returned table for row 1")
  T.raises(function() df:apply(function(r) error("boom") end) end, "boom")
end)

T.case("cl.frame from columns", function()
  local df = cl.frame({ a = { 1, 2 }, b = { 0.5, 1.5 } })
  local g = cl.frame({ x = df.a, y = df.a * df.b, z = { "p", "q" } })
  T.eq(g:names(), { "x", "y", "z" })
  T.eq(g.y:to_table(), { 0.5, 3.0 })
  T.raises(function() cl.frame({ x = df.a, z = { 1 } }) end, "has 1 values but")
end)

T.case("corr pearson and spearman, pairwise complete (pandas DataFrame.corr)", function()
  local a = cl.frame({ a = { 1.0, 2.0, 3.0, 4.0, 5.0, N }, b = { 2.0, 1.0, 4.0, 3.0, 7.0, 1.0 }, c = { 1, 1, 2, 3, 5, 8 } },
                     { names = { "a", "b", "c" } })
  local p = a:corr()
  T.eq(p.column:to_table(), { "a", "b", "c" })
  -- pandas: [[1, 0.824163383692134, 0.944911182523068], [.., 1, 0.09629111081495545], ...]
  T.near(p.a:to_table(), { 1.0, 0.824163383692134, 0.944911182523068 }, 1e-12)
  T.near(p.b:to_table(), { 0.824163383692134, 1.0, 0.09629111081495545 }, 1e-12)
  local s = a:corr({ method = "spearman" })
  -- pandas spearman: a–b 0.8, a–c 0.9746794344808964, b–c 0.19117647058823528
  T.near(s.a:to_table(), { 1.0, 0.8, 0.9746794344808964 }, 1e-12)
  T.near(s.c:to_table(), { 0.9746794344808964, 0.19117647058823528, 1.0 }, 1e-12)
  T.near(a.b:corr(a.c), 0.09629111081495545, 1e-12)
  T.raises(function() a:corr({ method = "kendall" }) end, "'pearson' or 'spearman' expected")
end)

T.case("skew and kurtosis (pandas Series.skew / Series.kurt, bias-corrected)", function()
  local x = cl.frame({ x = { 3.0, 1.0, N, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0 } }).x
  -- pandas: skew 0.8335031385336661, kurt 0.276605804536995
  T.near(x:skew(), 0.8335031385336661, 1e-12)
  T.near(x:kurtosis(), 0.276605804536995, 1e-12)
  local c = cl.frame({ c = { 1, 1, 2, 3, 5, 8 } }).c
  -- pandas: skew 1.15343546568359, kurt 0.5859375000000016
  T.near(c:skew(), 1.15343546568359, 1e-12)
  T.near(c:kurtosis(), 0.5859375, 1e-12)
  T.eq(cl.frame({ k = { 2.0, 2.0, 2.0, 2.0 } }).k:kurtosis(), 0)
  T.ok(cl.frame({ k = { 1.0, 2.0 } }).k:skew() ~= cl.frame({ k = { 1.0, 2.0 } }).k:skew())   -- NaN
end)

T.case("crosstab (pandas crosstab)", function()
  local ct = cl.frame({ plan = { "a", "b", "a", "a", "b", N }, churn = { "no", "yes", "yes", "no", "no", "no" } })
  local t = ct:crosstab("plan", "churn")
  -- pandas: a: no 2, yes 1; b: no 1, yes 1
  T.eq(t:names(), { "plan", "no", "yes" })
  T.eq(t.plan:to_table(), { "a", "b" })
  T.eq(t.no:to_table(), { 2, 1 }); T.eq(t.yes:to_table(), { 1, 1 })
  -- normalize='index': [[0.6666666666666666, 0.3333333333333333], [0.5, 0.5]]
  T.near(ct:crosstab("plan", "churn", { normalize = "index" }).no:to_table(), { 2 / 3, 0.5 }, 1e-15)
  T.near(ct:crosstab("plan", "churn", { normalize = true }).yes:to_table(), { 0.2, 0.2 }, 1e-15)
  T.raises(function() ct:crosstab("plan", "churn", { normalize = "rows" }) end, "field 'normalize'")
end)

T.case("melt, nlargest, nsmallest, slice", function()
  local m = cl.frame({ id = { 1, 2 }, a = { 1, 2 }, b = { 3.5, 4.5 } }, { names = { "id", "a", "b" } }):melt({ id_vars = { "id" } })
  -- pandas melt: id [1, 2, 1, 2], variable [a, a, b, b], value [1.0, 2.0, 3.5, 4.5]
  T.eq(m:names(), { "id", "variable", "value" })
  T.eq(m.id:to_table(), { 1, 2, 1, 2 })
  T.eq(m.variable:to_table(), { "a", "a", "b", "b" })
  T.eq(m.value:to_table(), { 1.0, 2.0, 3.5, 4.5 })
  local v = cl.frame({ v = { 3, 1, 3, 2, 5 }, i = { 1, 2, 3, 4, 5 } })
  -- pandas nlargest(3, 'v').index → [4, 0, 2] (0-based) = rows 5, 1, 3
  T.eq(v:nlargest(3, "v").i:to_table(), { 5, 1, 3 })
  T.eq(v:nsmallest(2, { "v" }).i:to_table(), { 2, 4 })
  T.eq(v:slice(2, 3).i:to_table(), { 2, 3 })
  T.eq(v:slice(-2).i:to_table(), { 4, 5 })
  T.eq(v:slice(4, 2):nrow(), 0)
end)

T.case("join_asof backward / forward / nearest, tolerance, exact matches (pandas merge_asof)", function()
  local left = cl.frame({ t = { 1, 5, 10, 12 }, k = { "a", "a", "b", "a" } })
  local right = cl.frame({ t = { 6, 1, 2, 3, 7, 11 }, k = { "a", "a", "a", "b", "b", "b" }, v = { 60, 10, 20, 30, 70, 110 } })
  -- pandas (right sorted by t): backward [10, 20, 70, 60]; forward [10, 60, 110, NaN]; nearest [10, 60, 110, 60]
  local r = left:join_asof(right, { on = "t", by = "k" })
  T.eq(r:names(), { "k", "t", "v" })
  T.eq(r.v:to_table(), { 10, 20, 70, 60 })
  T.eq(left:join_asof(right, { on = "t", by = "k", direction = "forward" }).v:to_table(), { 10, 60, 110, nil })
  T.eq(left:join_asof(right, { on = "t", by = "k", direction = "nearest" }).v:to_table(), { 10, 60, 110, 60 })
  -- tolerance=2: [10, NaN, NaN, NaN]; allow_exact_matches=False: [NaN, 20, 70, 60]
  T.eq(left:join_asof(right, { on = "t", by = "k", tolerance = 2 }).v:to_table(), { 10 })
  T.eq(left:join_asof(right, { on = "t", by = "k", allow_exact_matches = false }).v:to_table(), { nil, 20, 70, 60 })
  T.raises(function() left:join_asof(right, { on = "t", direction = "back" }) end, "'backward', 'forward' or 'nearest'")
  T.raises(function() left:join_asof(right, { by = "k" }) end, "join_asof needs 'on'")
  -- dates: the plan in force at each event
  local ev = cl.frame({ user = { 1, 1, 2 }, day = { "2024-02-10", "2024-03-05", "2024-01-20" } }):mutate({ day = cl.col("day"):cast("date") })
  local plans = cl.frame({ user = { 1, 1, 2 }, start = { "2024-01-01", "2024-03-01", "2024-02-01" }, plan = { "basic", "pro", "basic" } })
    :mutate({ start = cl.col("start"):cast("date") })
  T.eq(ev:join_asof(plans, { on = "day", right_on = "start", by = "user" }).plan:to_table(), { "basic", "pro" })
end)

T.case("join_range: the interval containing each row", function()
  local ev = cl.frame({ user = { 1, 1, 2, 3 }, x = { 5, 15, 5, 1 } })
  local terms = cl.frame({ user = { 1, 1, 2 }, lo = { 0, 10, 0 }, hi = { 10, 20, 5 }, term = { 1, 2, 1 } })
  local r = ev:join_range(terms, { on = "x", lower = "lo", upper = "hi", by = "user" })
  T.eq(r.term:to_table(), { 1, 2, nil, nil })   -- x = 5 is not in [0, 5)
  T.eq(ev:join_range(terms, { on = "x", lower = "lo", upper = "hi", by = "user", closed = "both" }).term:to_table(), { 1, 2, 1, nil })
  T.eq(ev:join_range(terms, { on = "x", lower = "lo", upper = "hi", by = "user", how = "inner" }):nrow(), 2)
end)
