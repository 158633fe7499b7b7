-- The `cl` core module: version, seed, clock, printf, inspect, help, require.
local T = cl.test

T.case("require returns the preloaded module", function()
  T.eq(require("churnlab"), cl)
  T.eq(type(cl.version), "string")
  T.ok(cl.version:match("^%d+%.%d+%.%d+$"), cl.version)
end)

T.case("seed returns the previous seed and checks its argument", function()
  cl.seed(7)
  T.eq(cl.seed(11), 7)
  T.eq(cl.seed(42), 11)
  T.raises(function() cl.seed("x") end, "bad argument #1 to 'seed' (number expected, got string)")
  T.raises(function() cl.seed(-1) end, "bad argument #1 to 'seed' (must be an integer >= 0, got -1)")
  T.raises(function() cl.seed(1.5) end, "bad argument #1 to 'seed' (must be an integer >= 0, got 1.5)")
end)

T.case("clock is monotonic seconds", function()
  local a = cl.clock()
  local x = 0
  for i = 1, 1e5 do x = x + i end
  local b = cl.clock()
  T.ok(b >= a)
  T.ok(b - a < 5)
end)

T.case("inspect renders nested tables, cycles and scalars", function()
  T.eq(cl.inspect({ 1, 2, { a = 1 } }), '{1, 2, {a = 1}}')
  local t = { x = 1 }
  t.self = t
  T.eq(cl.inspect(t), "{self = <cycle>, x = 1}")
  T.eq(cl.inspect("a\nb"), '"a\\nb"')
  T.eq(cl.inspect(1.0), "1.0")
  T.eq(cl.inspect(0 / 0), "nan")
  T.eq(cl.inspect({ [10] = "x", ["a b"] = true }), '{[10] = "x", ["a b"] = true}')
  -- shared (non-cyclic) references print twice, not as cycles
  local s = { 1 }
  T.eq(cl.inspect({ s, s }), "{{1}, {1}}")
  -- long tables break over lines
  local long = {}
  for i = 1, 40 do long[i] = i * 1000 end
  T.ok(cl.inspect(long):find("\n"))
end)

T.case("printf formats to stdout", function()
  local out = {}
  local write = io.write
  io.write = function(s) out[#out + 1] = s end
  cl.printf("%d-%s", 3, "x")
  io.write = write
  T.eq(out, { "3-x" })
end)

T.case("help describes functions and suggests near names", function()
  T.ok(cl.help_text("seed"):find("cl.seed%(n%)"))
  T.ok(cl.help_text():find("cl.clock()", 1, true))
  -- cl.help prints (formatted text, real newlines) and returns nothing.
  T.eq(select("#", cl.help("seed")), 0)
  T.eq(cl.help_text(cl.seed), cl.help_text("seed"))
  T.ok(cl.help_text("metrics"):find("\n  cl.metrics.auc(", 1, true))
  -- Methods: by conventional receiver, by class, from an object; near misses suggested.
  T.ok(cl.help_text("df:filter"):find("^df:filter%(expr%)"))
  T.eq(cl.help_text("cl.Frame:filter"), cl.help_text("df:filter"))
  local df = cl.frame{ a = { 1 } }
  T.ok(cl.help_text(df):find("\n  df:filter%(expr%) +Rows where"))
  T.ok(cl.help_text(df.a):find("^cl.Column methods"))
  T.ok(cl.help_text("anything:value_counts"):find("col:value_counts(", 1, true))
  T.raises(function() cl.help("df:filtr") end, "cl.Frame has no method 'filtr'; did you mean 'filter'?")
  -- Internal names are not listed.
  T.eq(cl.help_text():find("_bench", 1, true), nil)
  T.eq(cl.help_text():find("_methods", 1, true), nil)
  T.raises(function() cl.help("nonexistent") end, "no help for 'cl.nonexistent'")
end)

T.case("test helpers themselves", function()
  T.near(0.1 + 0.2, 0.3, 1e-12)
  T.near({ 1, 2 }, { 1.0000001, 2 }, 1e-6)
  T.raises(function() T.near(1, 2, 0.5) end, "expected 2 ± 0.5, got 1")
  T.raises(function() T.eq({ a = 1 }, { a = 2 }) end, "expected {a = 2}, got {a = 1}")
  T.raises(function() T.raises(function() end) end, "but the call succeeded")
  T.eq(0 / 0, 0 / 0) -- NaN equals NaN in eq
end)
