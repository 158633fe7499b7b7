-- cl.plot: every chart returns SVG text and writes it when `file` is given.
local T = cl.test
local y, p, q = {}, {}, {}
for i = 1, 200 do
  y[i] = (i % 4 == 0) and 1 or 0
  p[i] = ((i * 37) % 100) / 100 * 0.6 + y[i] * 0.35
  q[i] = ((i * 53) % 100) / 100 * 0.8 + y[i] * 0.15
end

local function svg_ok(s, ...)
  T.ok(type(s) == "string" and s:find("^<%?xml") and s:find("</svg>%s*$"), "not an SVG document")
  for _, needle in ipairs({ ... }) do T.ok(s:find(needle, 1, true), "missing " .. needle) end
end

T.case("metric charts", function()
  svg_ok(cl.plot.roc(y, { gbm = p, logit = q }, { title = "ROC 流失" }), "ROC 流失", "gbm (AUC", "logit (AUC", "Chance")
  svg_ok(cl.plot.pr(y, p), "Precision", "AP ")
  svg_ok(cl.plot.calibration(y, p, { bins = 5, strategy = "quantile" }), "ECE")
  svg_ok(cl.plot.gains(y, p), "Cumulative gains")
  svg_ok(cl.plot.lift(y, p, { buckets = 5 }), "Lift by bucket")
  svg_ok(cl.plot.profit(y, p, { value = 300, acceptance = 0.5 }), "best: contact")
  svg_ok(cl.plot.histogram(y, p, { positive = "Left", negative = "Stayed" }), "Left (n=50)", "Stayed (n=150)")
end)

T.case("model and retention charts", function()
  svg_ok(cl.plot.importance({ tenure = 0.4, calls = 0.25, ["<plan>"] = 0.1 }), "&lt;plan&gt;", "tenure")
  svg_ok(cl.plot.importance({ "a", "b" }, { 2, 1 }, { top = 1 }), ">a<")
  local s = cl.plot.shap({ "x1", "x2" }, { { 0.1, -0.2, 0.3 }, { 0.01, 0.02, -0.01 } }, { { 1, 2, 3 }, { 3, 2, 0 / 0 } })
  svg_ok(s, "SHAP summary", "x1", "Feature value")
  svg_ok(cl.plot.training({ train = { 0.9, 0.7, 0.6, 0.55 }, eval = { 1.0, 0.8, 0.75, 0.78 } }), "best iteration 3")
  svg_ok(cl.plot.retention({ monthly = { times = { 0, 1, 2 }, share = { 1, 0.8, 0.7 } } }), "monthly")
  svg_ok(cl.plot.heatmap({ { 1, 0.8, 0.7 }, { 1, 0.85 } }, { rows = { "2025-01", "2025-02" }, cols = { "M0", "M1", "M2" } }),
         "2025-02", "85%")
end)

T.case("writes files and reports errors", function()
  local path = os.tmpname()
  local s = cl.plot.roc(y, p, { file = path })
  local f = assert(io.open(path, "r")); local text = f:read("a"); f:close(); os.remove(path)
  T.eq(text, s)
  T.raises(function() cl.plot.roc(y, p, { fille = "x.svg" }) end, "did you mean 'file'")
  T.raises(function() cl.plot.roc(y, p, { file = "/nonexistent-dir/x.svg" }) end, "cannot write chart")
  T.raises(function() cl.plot.roc(y, { a = { 1, 2 } }) end, "scores has 2 values")
  T.raises(function() cl.plot.heatmap({ { 1, "x" } }) end, "cell 2")
end)
