-- Issue 11, item 12: results that used to be silently wrong, seen from Lua. Expected values:
-- pandas 3.1.1 / SciPy 1.17.1 (noted per case) or hand-computed; where ChurnLab deliberately
-- differs (NUL bytes, integers past Int64, NaN join keys, domain errors) the case says why.
local T = cl.test

local function write(bytes)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb")); f:write(bytes); f:close()
  return path
end

T.case("CSV: lone CR line ends, blank lines, NUL bytes, Int64 bounds, skipped rows", function()
  -- pandas: read_csv(b"a,b\r1,x\r2,y\r") → a = [1, 2], b = ['x', 'y']
  local p = write("a,b\r1,x\r2,y\r")
  local df = cl.read_csv(p)
  T.eq(df.a:to_table(), { 1, 2 }); T.eq(df.b:to_table(), { "x", "y" })
  os.remove(p)
  -- pandas skip_blank_lines: b"x\n\n\n\n" → 0 rows
  p = write("x\n\n\n\n"); T.eq(cl.read_csv(p):nrow(), 0); os.remove(p)
  -- NUL: an error naming line and column (pandas would keep 'x\x00y')
  p = write("a,b\n1,x\0y\n")
  T.raises(function() cl.read_csv(p) end, p .. ":2: column 2 'b': NUL byte")
  os.remove(p)
  -- 9223372036854775807 stays an integer (math.maxinteger); one past it is text, never a rounded float
  p = write("a\n9223372036854775807\n1\n")
  local a = cl.read_csv(p).a:to_table()
  T.eq(a[1], math.maxinteger); T.eq(math.type(a[1]), "integer")
  os.remove(p)
  p = write("a\n9223372036854775808\n")
  T.eq(cl.read_csv(p).a:to_table(), { "9223372036854775808" })
  os.remove(p)
  -- a skipped ragged row does not make the int column text
  p = write("a,b\n1,2\nx,y,z\n3,4\n")
  local s, bad = cl.read_csv(p, { bad_rows = "skip" })
  T.eq(s.a:to_table(), { 1, 3 }); T.eq(math.type(s.a:to_table()[1]), "integer"); T.eq(#bad, 1)
  os.remove(p)
end)

T.case("ks and auc with 1e308 weights", function()
  -- y, p hand-checked: KS = 2/3 (scipy ks_2samp on the two classes), AUC = 7/9
  local y, p = { 1, 1, 0, 0, 1, 0 }, { 0.9, 0.8, 0.7, 0.3, 0.2, 0.1 }
  local w = { 1e308, 1e308, 1e308, 1e308, 1e308, 1e308 }
  T.near(cl.metrics.ks(y, p, { weights = w }), 2 / 3, 1e-15)
  T.near(cl.metrics.auc(y, p, { weights = w }), 7 / 9, 1e-15)
end)

T.case("distribution functions raise outside their domain", function()
  T.raises(function() cl.stats.qnorm(2) end, "qnorm: probability p must be in [0, 1], got 2.0")
  T.raises(function() cl.stats.qchisq(1.5, 3) end, "qchisq: probability p must be in [0, 1], got 1.5")
  T.raises(function() cl.stats.pt(1, 0) end, "pt: degrees of freedom df must be > 0, got 0.0")
  T.raises(function() cl.stats.qt(0.5, -1) end, "qt: degrees of freedom")
  T.raises(function() cl.stats.pchisq(0 / 0, 3) end, "pchisq: x is NaN")
  T.near(cl.stats.qnorm(0.975), 1.959963984540054, 1e-13)   -- scipy norm.ppf(0.975)
end)

T.case("integer overflow in expressions is an error, not a wrap", function()
  local df = cl.frame { a = { 1, math.maxinteger } }
  T.raises(function() df:mutate { b = cl.col("a") + 1 } end, "integer overflow at row 2: 9223372036854775807 + 1")
  T.raises(function() df:mutate { b = cl.col("a") * 2 } end, "integer overflow at row 2")
  T.eq(df:mutate({ b = cl.col("a") - 1 }).b:to_table(), { 0, math.maxinteger - 1 })
  local g = cl.frame { k = { "x", "x" }, v = { math.maxinteger, 1 } }
  T.raises(function() g:group_by("k"):agg { s = { "sum", "v" } } end, "sum of int column 'v' overflows")
  T.raises(function() g.v:sum() end, "sum of int column 'v' overflows a 64-bit integer")
  T.eq(cl.frame({ v = { math.maxinteger, -1 } }).v:sum(), math.maxinteger - 1)
  T.near(df:mutate({ b = cl.col("a") * 1.0 + 1 }).b:to_table()[2], 9.223372036854775807e18, 1e3)
end)

T.case("NaN join keys match nothing (SQL / polars)", function()
  local l = cl.frame({ k = { 1.0, 0 / 0 }, l = { "a", "b" } }, { names = { "k", "l" } })
  local r = cl.frame({ k = { 0 / 0, 1.0 }, r = { "x", "y" } }, { names = { "k", "r" } })
  local j = l:join(r, { on = "k" })
  T.eq(j:nrow(), 1); T.eq(j.r:to_table(), { "y" })
end)
