-- Column expression functions (issue 12 gap "column expressions").
-- Expected values: scripts/reference/frame_reference.py (pandas 3.1.1, numpy 2.4.6),
-- copied next to each assertion; nulls where pandas shows NaN for a missing value.
local T = cl.test
local N = cl.null

local df = cl.frame({ x = { 3.0, 1.0, N, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0 } })

local function col(expr) return df:mutate({ r = expr }).r:to_table() end

T.case("rank: average, min, max, dense, first, descending (pandas Series.rank)", function()
  T.eq(col(cl.col("x"):rank()), { 4.0, 1.5, nil, 5.0, 1.5, 6.0, 8.0, 3.0, 7.0 })
  T.eq(col(cl.col("x"):rank({ method = "min" })), { 4.0, 1.0, nil, 5.0, 1.0, 6.0, 8.0, 3.0, 7.0 })
  T.eq(col(cl.col("x"):rank({ method = "max" })), { 4.0, 2.0, nil, 5.0, 2.0, 6.0, 8.0, 3.0, 7.0 })
  T.eq(col(cl.col("x"):rank({ method = "dense" })), { 3.0, 1.0, nil, 4.0, 1.0, 5.0, 7.0, 2.0, 6.0 })
  T.eq(col(cl.col("x"):rank({ method = "first" })), { 4.0, 1.0, nil, 5.0, 2.0, 6.0, 8.0, 3.0, 7.0 })
  T.eq(col(cl.col("x"):rank({ method = "min", descending = true })), { 5.0, 7.0, nil, 4.0, 7.0, 3.0, 1.0, 6.0, 2.0 })
  T.raises(function() cl.col("x"):rank({ method = "avg" }) end, "one of average, min, max, dense, first")
  T.raises(function() cl.col("x"):rank({ ascending = false }) end, "(valid: descending, method)")
end)

T.case("cumsum, shift, lag, lead (pandas cumsum / shift)", function()
  -- pandas: [3, 4, NaN, 8, 9, 14, 23, 25, 31]
  T.eq(col(cl.col("x"):cumsum()), { 3.0, 4.0, nil, 8.0, 9.0, 14.0, 23.0, 25.0, 31.0 })
  -- shift(1): [NaN, 3, 1, NaN, 4, 1, 5, 9, 2]; shift(-2): [NaN, 4, 1, 5, 9, 2, 6, NaN, NaN]
  T.eq(col(cl.col("x"):shift(1)), { nil, 3.0, 1.0, nil, 4.0, 1.0, 5.0, 9.0, 2.0 })
  T.eq(col(cl.col("x"):lag()), col(cl.col("x"):shift(1)))
  local lead = col(cl.col("x"):lead(2))
  T.eq(lead, { nil, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0 })
  T.eq(cl.frame({ n = { 1, 2, 3 } }):mutate({ s = cl.col("n"):cumsum() }).s:to_table(), { 1, 3, 6 })
  T.eq(cl.frame({ n = { 5, 6 } }):mutate({ r = cl.col("n"):row_number() }).r:to_table(), { 1, 2 })
end)

T.case("window functions over groups, ordered by date (pandas groupby().shift/cumsum/rank)", function()
  local ev = cl.frame({
    user_id = { 1, 2, 1, 2, 1, 3 },
    date = { "2024-01-03", "2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02", "2024-01-01" },
    x = { 10.0, 20.0, 30.0, 40.0, 50.0, 60.0 },
  }):mutate({ date = cl.col("date"):cast("date") })
  local r = ev:mutate({
    prev = cl.col("x"):shift(1):over("user_id", { order_by = "date" }),
    cs = cl.col("x"):cumsum():over("user_id", { order_by = "date" }),
    rk = cl.col("x"):rank({ method = "min", descending = true }):over("user_id"),
  })
  -- pandas: prev [50, NaN, NaN, 20, 30, NaN]; cumsum [90, 20, 30, 60, 80, 60]; rank [3, 2, 2, 1, 1, 1]
  T.eq(r.prev:to_table(), { 50.0, nil, nil, 20.0, 30.0, nil })
  T.eq(r.cs:to_table(), { 90.0, 20.0, 30.0, 60.0, 80.0, 60.0 })
  T.eq(r.rk:to_table(), { 3.0, 2.0, 2.0, 1.0, 1.0, 1.0 })
  T.raises(function() ev:mutate({ p = cl.col("x"):shift(1):over("usr") }) end, "no column 'usr'")
  T.raises(function() cl.col("x"):over("u", { orderby = "date" }) end, "(valid: descending, order_by)")
end)

T.case("math, round (half to even), clip, floor division", function()
  local m = cl.frame({ v = { 0.0, 1.0, 9.0 }, w = { -1.0, 0.0, 2.0 } })
  -- numpy: log1p [0, 0.6931471805599453, 2.302585092994046]; arcsinh [-0.881373587019543, 0, 1.4436354751788103]
  T.near(m:mutate({ r = cl.col("v"):log1p() }).r:to_table(), { 0.0, 0.6931471805599453, 2.302585092994046 }, 1e-15)
  T.near(m.w:asinh():to_table(), { -0.881373587019543, 0.0, 1.4436354751788103 }, 1e-15)
  T.near(m.v:sqrt():to_table(), { 0.0, 1.0, 3.0 }, 0)
  T.near(m.v:exp():log():to_table(), { 0.0, 1.0, 9.0 }, 1e-12)
  T.eq(m.w:abs():to_table(), { 1.0, 0.0, 2.0 })
  T.eq(cl.frame({ i = { -3, 4 } }).i:abs():to_table(), { 3, 4 })
  -- pandas round(0): [0, 2, 2, -0, 1, 3]; round(1) of [1.25, 2.675, -1.35]: [1.2, 2.7, -1.4]
  T.eq(cl.frame({ v = { 0.5, 1.5, 2.5, -0.5, 1.25, 2.675 } }).v:round():to_table(), { 0.0, 2.0, 2.0, -0.0, 1.0, 3.0 })
  T.eq(cl.frame({ v = { 1.25, 2.675, -1.35 } }).v:round(1):to_table(), { 1.2, 2.7, -1.4 })
  T.eq(cl.frame({ v = { 2.5, -2.5 } }).v:floor():to_table(), { 2.0, -3.0 })
  -- pandas clip(0, 1) of [-2, 0.5, 3, NaN]: [0, 0.5, 1, NaN]
  local c = cl.frame({ v = { -2.0, 0.5, 3.0, 0 / 0 } }).v:clip(0, 1):to_table()
  T.eq({ c[1], c[2], c[3] }, { 0.0, 0.5, 1.0 }); T.ok(c[4] ~= c[4])
  T.eq(cl.frame({ i = { -5, 5, 50 } }).i:clip(0, 10):to_table(), { 0, 5, 10 })
  T.raises(function() cl.col("v"):clip(2, 1) end, "lower 2.0 is above upper 1.0")
  -- pandas: [7, -7, 7, -7] // [2, 2, -2, -2] = [3, -4, -4, 3]; [7.5, -7.5] // 2 = [3, -4]
  local d = cl.frame({ a = { 7, -7, 7, -7, 1 }, b = { 2, 2, -2, -2, 0 } })
  T.eq(d:mutate({ q = cl.col("a") // cl.col("b") }).q:to_table(), { 3, -4, -4, 3, nil })
  T.eq((d.a // d.b):to_table(), { 3, -4, -4, 3, nil })
  T.eq((cl.frame({ f = { 7.5, -7.5 } }).f // 2):to_table(), { 3.0, -4.0 })
end)

T.case("fill_null, cast and typed nulls", function()
  local f = cl.frame({ a = { 1, N, 3 }, s = { "1", "2", "x" }, d = { "2024-01-31", "2024-02-01", N } })
  T.eq(f:mutate({ a = cl.col("a"):fill_null(0) }).a:to_table(), { 1, 0, 3 })
  T.eq(f.a:fill_null(-1):to_table(), { 1, -1, 3 })
  T.eq(f.a:cast("float"):type(), "float")
  T.eq(f.a:cast("string"):to_table(), { "1", nil, "3" })
  T.raises(function() f.s:cast("int") end, "row 3 'x' is not a valid int")
  T.eq(f:head(2).s:cast("int"):to_table(), { 1, 2 })
  T.eq(f.d:cast("date"):type(), "date")
  T.raises(function() cl.frame({ v = { 1.5, 0 / 0 } }).v:cast("int") end, "cannot cast float column 'v' to int: row 2 is NaN")
  -- typed nulls: an all-null column of the given type
  local t = f:mutate({ z = cl.null("float"), y = cl.lit(nil, "string"), w = cl.lit(2, "float") })
  T.eq(t:types().z, "float"); T.eq(t:types().y, "string"); T.eq(t:types().w, "float")
  T.eq(t.z:to_table(), {})
  T.raises(function() cl.null("decimal") end, "type must be one of float, int, bool, string, category, date, timestamp")
end)

T.case("text functions (pandas .str)", function()
  local s = cl.frame({ p = { "Pro Annual", "basic", N, "PRO monthly" } })
  T.eq(s.p:lower():to_table(), { "pro annual", "basic", nil, "pro monthly" })
  T.eq(s.p:upper():to_table(), { "PRO ANNUAL", "BASIC", nil, "PRO MONTHLY" })
  T.eq(s.p:lower():contains("pro"):to_table(), { true, false, nil, true })
  T.eq(s.p:starts_with("Pro"):to_table(), { true, false, nil, false })
  T.eq(s.p:ends_with("ly"):to_table(), { false, false, nil, true })
  T.eq(s.p:replace("o", "0"):to_table(), { "Pr0 Annual", "basic", nil, "PRO m0nthly" })
  T.eq(s.p:len():to_table(), { 10, 5, nil, 11 })
  T.eq(s:filter(cl.col("p"):lower():starts_with("pro")):nrow(), 2)
  T.raises(function() cl.frame({ n = { 1 } }).n:lower() end, "text functions need a string column, got int")
end)

T.case("date parts and add_months with end-of-month clamping (pandas DateOffset)", function()
  local d = cl.frame({ d = { "2024-01-31", "2023-01-31", "2024-02-29", "2023-12-15", "2020-03-31" } }).d:cast("date")
  -- pandas + DateOffset(months=1)
  T.eq(d:add_months(1):to_table(), { "2024-02-29", "2023-02-28", "2024-03-29", "2024-01-15", "2020-04-30" })
  T.eq(d:add_months(-1):to_table(), { "2023-12-31", "2022-12-31", "2024-01-29", "2023-11-15", "2020-02-29" })
  T.eq(d:add_months(12):to_table(), { "2025-01-31", "2024-01-31", "2025-02-28", "2024-12-15", "2021-03-31" })
  -- pandas dt.day_of_week [2, 1, 3, 4, 1], day_of_year [31, 31, 60, 349, 91], quarter [1, 1, 1, 4, 1]
  T.eq(d:weekday():to_table(), { 2, 1, 3, 4, 1 })
  T.eq(d:day_of_year():to_table(), { 31, 31, 60, 349, 91 })
  T.eq(d:quarter():to_table(), { 1, 1, 1, 4, 1 })
  T.eq(d:year():to_table(), { 2024, 2023, 2024, 2023, 2020 })
  T.eq(d:month():to_table(), { 1, 1, 2, 12, 3 })
  T.eq(d:day():to_table(), { 31, 31, 29, 15, 31 })
  local ts = cl.frame({ t = { "2024-01-31 13:45:10" } }).t:cast("timestamp")
  T.eq(ts:add_months(1):to_table(), { "2024-02-29T13:45:10" })
  T.eq({ ts:hour():to_table()[1], ts:minute():to_table()[1], ts:second():to_table()[1] }, { 13, 45, 10 })
  T.raises(function() cl.frame({ n = { 1 } }).n:year() end, "year needs a date or timestamp column")
end)

T.case("column vector arithmetic and comparisons", function()
  local f = cl.frame({ a = { 1, 2, N }, b = { 10.0, 20.0, 30.0 } })
  T.eq((f.a + 1):to_table(), { 2, 3, nil })
  T.eq((f.a * f.b):to_table(), { 10.0, 40.0, nil })
  T.eq((f.a * f.b):name(), "a")
  T.eq((1 - f.b):to_table(), { -9.0, -19.0, -29.0 })
  T.eq((-f.a):to_table(), { -1, -2, nil })
  T.eq(f.b:gt(15):to_table(), { false, true, true })
  T.raises(function() return f.a + cl.frame({ z = { 1 } }).z end, "differ in length")
  T.raises(function() return f.a + cl.col("b") end, "cannot mix a cl.Column and a cl.Expr")
end)
