-- cl.params (no -p given under `churnlab test`: every value is its default) and cl.mime / cl.display.
local T = cl.test

T.case("defaults with declared and inferred types", function()
  local p = cl.params{
    horizon = { default = 30, type = "int", help = "days ahead" },
    as_of = { default = "2024-10-01", type = "date" },
    rate = { default = 0.25 },
    name = { default = "base" },
    verbose = { default = false },
    start = { default = "2024-02-29" },   -- inferred as a date
  }
  T.eq(p.horizon, 30)
  T.eq(math.type(p.horizon), "integer")
  T.eq(p.as_of, "2024-10-01")
  T.eq(p.rate, 0.25)
  T.eq(p.name, "base")
  T.eq(p.verbose, false)
  T.eq(p.start, "2024-02-29")
  T.eq(cl.params{ n = { default = 2.0, type = "int" } }.n, 2)
  T.eq(math.type(cl.params{ x = { default = 3, type = "number" } }.x), "float")
end)

T.case("bad declarations are errors naming the parameter", function()
  T.raises(function() cl.params{ horizon = { default = "soon", type = "int" } } end,
           "parameter 'horizon': default soon is not a valid int")
  T.raises(function() cl.params{ d = { default = "2023-02-29", type = "date" } } end, "parameter 'd'")
  T.raises(function() cl.params{ d = { default = 1, type = "integer" } } end, "unknown type 'integer'")
  T.raises(function() cl.params{ d = { default = 1, typ = "int" } } end, "typ")
  T.raises(function() cl.params{ d = 5 } end, "field 'd': table expected, got number")
  T.raises(function() cl.params{ d = { type = "int" } } end, "parameter 'd' has no default: give it with %-p d=VALUE")
  T.raises(function() cl.params(5) end, "bad argument #1 to 'params' (table expected, got number)")
end)

T.case("mime bundles: frames, SVG strings, other values", function()
  local df = cl.frame{ a = { 1, 2 }, b = { "x", "<y>" } }
  local m = cl.mime(df)
  T.ok(m["text/html"]:find("<th>a<br><small>int</small></th>", 1, true), m["text/html"])
  T.ok(m["text/html"]:find("<td>&lt;y&gt;</td>", 1, true), "HTML is escaped")
  T.eq(m["text/plain"], tostring(df))
  local svg = cl.plot.retention({ a = { times = { 0, 1 }, share = { 1, 0.5 } } })
  local s = cl.mime(svg)
  T.eq(s["image/svg+xml"], svg)
  T.eq(cl.mime({ 1, x = "a" }), { ["text/plain"] = '{1, x = "a"}' })
  T.eq(cl.mime("<svgx"), { ["text/plain"] = '"<svgx"' })
end)
