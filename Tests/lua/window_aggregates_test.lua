-- Group aggregates in column expressions: cl.col("x"):sum():over("user") and
-- running versions with order_by. Expected values: pandas groupby().transform /
-- cumsum / cummin / cummax / expanding().mean() / expanding().count() / ffill,
-- scripts/reference/window_aggregates_reference.py (output in .out next to it).
local t = cl.test
local N = cl.null

local df = cl.frame{
  user = { "a", "b", "a", "b", "a", "c", "a", "b" },
  day = { 3, 1, 1, 2, 2, 1, 4, 3 },
  x = { 1.5, 2.25, N, 10.0, -3.5, 7.0, 0.1, N },
  k = { 1, 2, 3, 4, 5, 6, 7, 8 },
}

local function same(got, want, what)
  for i = 1, #want do
    if want[i] == N then t.ok(got[i] == nil or got[i] == N, what .. " row " .. i .. " should be null")
    else t.near(got[i], want[i], 1e-12, what .. " row " .. i) end
  end
end

local function col(expr)
  local out = df:mutate({ r = expr }).r
  local v = out:to_table()
  local n = {}
  for i = 1, df:nrow() do n[i] = v[i] end
  return n, out
end

t.case("whole-group aggregates equal pandas groupby().transform()", function()
  local want = {
    sum = { -1.9, 12.25, -1.9, 12.25, -1.9, 7.0, -1.9, 12.25 },
    mean = { -0.6333333333333333, 6.125, -0.6333333333333333, 6.125, -0.6333333333333333, 7.0, -0.6333333333333333, 6.125 },
    min = { -3.5, 2.25, -3.5, 2.25, -3.5, 7.0, -3.5, 2.25 },
    max = { 1.5, 10.0, 1.5, 10.0, 1.5, 7.0, 1.5, 10.0 },
    count = { 3, 2, 3, 2, 3, 1, 3, 2 },
    first = { 1.5, 2.25, 1.5, 2.25, 1.5, 7.0, 1.5, 2.25 },
    last = { 0.1, 10.0, 0.1, 10.0, 0.1, 7.0, 0.1, 10.0 },
  }
  for op, w in pairs(want) do
    local x = cl.col("x")
    same(col(x[op](x):over("user")), w, op)
  end
  local ks, kcol = col(cl.col("k"):sum():over("user"))
  t.eq(kcol:type(), "int")
  t.eq(ks, { 16, 14, 16, 14, 16, 6, 16, 14 })
  local _, ccol = col(cl.col("x"):count():over("user"))
  t.eq(ccol:type(), "int")
  -- Without over: the whole column.
  same(col(cl.col("x"):sum()), { 17.35, 17.35, 17.35, 17.35, 17.35, 17.35, 17.35, 17.35 }, "total")
end)

t.case("running aggregates with order_by equal pandas cumsum / cummin / cummax / expanding / ffill", function()
  local o = { order_by = "day" }
  local x = cl.col("x")
  same(col(x:sum():over("user", o)), { -2.0, 2.25, N, 12.25, -3.5, 7.0, -1.9, N }, "cumsum")
  same(col(x:min():over("user", o)), { -3.5, 2.25, N, 2.25, -3.5, 7.0, -3.5, N }, "cummin")
  same(col(x:max():over("user", o)), { 1.5, 2.25, N, 10.0, -3.5, 7.0, 1.5, N }, "cummax")
  same(col(x:mean():over("user", o)), { -1.0, 2.25, N, 6.125, -3.5, 7.0, -0.6333333333333333, 6.125 }, "expanding mean")
  same(col(x:count():over("user", o)), { 2, 1, 0, 2, 1, 1, 3, 2 }, "expanding count")
  same(col(x:last():over("user", o)), { 1.5, 2.25, N, 10.0, -3.5, 7.0, 0.1, 10.0 }, "ffill")
  -- cumsum and sum():over(..., order_by) agree.
  same(col(x:cumsum():over("user", o)), { -2.0, 2.25, N, 12.25, -3.5, 7.0, -1.9, N }, "cumsum()")
end)

t.case("aggregates refuse text where a number is needed", function()
  t.raises(function() df:mutate({ r = cl.col("user"):sum():over("day") }) end, "sum needs")
  t.raises(function() df:mutate({ r = cl.col("user"):max() }) end, "max needs")
  t.eq(df:mutate({ r = cl.col("user"):first():over("day") }).r:to_table()[1], "a")
end)
