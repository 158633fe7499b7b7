-- Evaluation output: confusion grid and chart, lift/calibration frames,
-- partial dependence / ICE, SHAP dependence and waterfall charts.
local T = cl.test
-- The data of metrics_test.lua (scikit-learn reference values there).
local y = { 1,0,1,1,0,0,1,0,0,1,0,1,0,0,1,0,0,0,1,0 }
local p = { 0.9,0.8,0.8,0.7,0.7,0.6,0.6,0.6,0.5,0.5,0.4,0.4,0.3,0.3,0.3,0.2,0.2,0.1,0.1,0.0 }

local function svg_ok(s, ...)
  T.ok(type(s) == "string" and s:find("^<%?xml") and s:find("</svg>%s*$"), "not an SVG document")
  for _, needle in ipairs({ ... }) do T.ok(s:find(needle, 1, true), "missing " .. needle) end
end

T.case("confusion matrix prints as a grid and plots", function()
  -- By hand: scores >= 0.5 are rows 1-10 (y: 5 ones), the rest hold 3 ones.
  local cm = cl.metrics.confusion(y, p)
  T.eq({ cm.tp, cm.fp, cm.tn, cm.fn, cm.threshold }, { 5, 5, 7, 3, 0.5 })
  local text = tostring(cm)
  T.ok(text:find("Confusion matrix at threshold 0.5 (20 rows)", 1, true), text)
  T.ok(text:find("actual 0%s+7 %(58.3%%%)%s+5 %(41.7%%%)"), text)
  T.ok(text:find("actual 1%s+3 %(37.5%%%)%s+5 %(62.5%%%)"), text)
  local svg = cl.plot.confusion(y, p, { threshold = 0.5 })
  svg_ok(svg, "Confusion matrix at threshold 0.5", "true negative: 7 (58.3% of actual Retained)",
         "false negative: 3 (37.5% of actual Churned)", "true positive: 5 (62.5% of actual Churned)")
end)

T.case("lift table and calibration are frames with counts", function()
  local lt = cl.metrics.lift_table(y, p, { buckets = 2 })
  T.eq(lt:nrow(), 2)
  -- Top half: 10 rows, 5 churners (rate 0.5, base 0.4 → lift 1.25); bottom half 3 of 10.
  T.eq(lt.rows:to_table(), { 10, 10 })
  T.eq(lt.positives:to_table(), { 5, 3 })
  T.near(lt.bucket_lift:to_table(), { 1.25, 0.75 }, 1e-12)
  T.near(lt.lift:to_table(), { 1.25, 1.0 }, 1e-12)
  T.near(lt.recall:to_table(), { 0.625, 1.0 }, 1e-12)
  local cal, ece = cl.metrics.calibration(y, p, { bins = 4, strategy = "quantile" })
  T.near(cal.fraction_positive:to_table(), { 0.2, 0.4, 0.4, 0.6 }, 1e-14)   -- scikit-learn (metrics_test.lua)
  local total = 0
  for _, n in ipairs(cal.count:to_table()) do total = total + n end
  T.eq(total, 20)
  T.near(ece, cl.metrics.ece(y, p, { bins = 4, strategy = "quantile" }), 1e-15)
  -- Chart: counts beside the points; small bins leave the line.
  local svg = cl.plot.calibration(y, p, { bins = 10, min_bin_count = 3 })
  svg_ok(svg, "n=", "not joined")
end)

-- A model is anything with predict_proba: p = x / 10 + z / 20 (by hand).
local model = {}
function model:predict_proba(d)
  local x, z, out = d.x:to_table(), d.z:to_table(), {}
  for i = 1, #x do out[i] = x[i] / 10 + z[i] / 20 end
  return out
end

T.case("partial dependence and ICE through predict_proba", function()
  local df = cl.frame { x = { 3, 1, 2, 2, 1 }, z = { 0, 1, 2, 3, 4 } }
  local pd, ice = cl.explain.partial_dependence(model, df, { feature = "x", ice = true })
  -- Grid: the unique values 1, 2, 3 (scikit-learn, scripts/reference/pdp_grid_reference.py).
  T.eq(pd.x:to_table(), { 1, 2, 3 })
  -- Average at g: g / 10 + mean(z) / 20 = g / 10 + 0.1.
  T.near(pd.average:to_table(), { 0.2, 0.3, 0.4 }, 1e-12)
  T.eq(ice:nrow(), 15)
  -- Row 4 (z = 3) at grid 3: 0.3 + 0.15.
  T.near(ice.prediction:to_table()[12], 0.45, 1e-12)
  T.eq(ice:column("row"):to_table()[12], 4)   -- ice.row is the frame method until the naming rule lands
  -- Percentile grid as scikit-learn (mquantiles): x = i^1.5, resolution 5.
  local xs, zs = {}, {}
  for i = 1, 100 do xs[i] = i ^ 1.5; zs[i] = 0 end
  local pd2 = cl.explain.partial_dependence(model, cl.frame { x = xs, z = zs }, { feature = "x", grid_resolution = 5 })
  T.near(pd2.x:to_table(), { 12.622145300870999, 243.11511793946977, 473.6080905780685, 704.1010632166673, 934.594035855266 }, 1e-9)
  svg_ok(cl.plot.pdp(pd, { ice = ice }), "Partial dependence on x", "Individual rows (ICE)", "Average (partial dependence)")
  T.raises(function() cl.explain.partial_dependence(model, df, {}) end, "field 'feature'")
  T.raises(function() cl.explain.partial_dependence(model, df, { feature = "x", grid_resolution = 1 }) end, "grid_resolution")
  T.raises(function() cl.explain.partial_dependence({ predict_proba = function() return { 1 } end }, df, { feature = "x" }) end,
           "1 scores for 15 stacked rows")
end)

T.case("SHAP dependence and waterfall from an explanation frame", function()
  local e = cl.frame {
    user_id = { "u1", "u1", "u1", "u2", "u2", "u2" },
    feature = { "calls", "minutes", "plan", "calls", "minutes", "plan" },
    value = { 5, 120, 0, 1, 300, 1 },
    contribution = { 1.5, -0.25, 0.1, -0.5, 0.75, 0.2 },
    base_value = { -2, -2, -2, -2, -2, -2 },
  }
  local w = cl.plot.waterfall(e, { id = "u1" })
  -- Base -2, then calls +1.5, minutes -0.25, plan +0.1: output -0.65.
  svg_ok(w, "Why user_id u1 scored as they did", "calls = 5: 1.5", "minutes = 120: -0.25", "output -0.65", "base value -2")
  T.ok(w:find("calls = 5", 1, true) < w:find("minutes = 120", 1, true), "largest contribution first")
  local w2 = cl.plot.waterfall(e, { id = "u2", top = 1 })
  svg_ok(w2, "minutes = 300: 0.75", "2 other features")
  local d = cl.plot.shap_dependence(e, { feature = "minutes", color = "calls" })
  svg_ok(d, "SHAP dependence: minutes")
  T.raises(function() cl.plot.waterfall(e, { id = "nobody" }) end, "no rows of the explanation have user_id = nobody")
  T.raises(function() cl.plot.shap_dependence(e, { feature = "age" }) end, "no row of the explanation has a numeric value for 'age'")
end)

T.case("retention chart: share is the share, retained the count (as retention_curve)", function()
  -- A retention_curve frame plots its share column directly.
  local curve = cl.frame { day = { 0, 1, 2 }, eligible = { 10, 10, 8 }, retained = { 10, 6, 4 }, share = { 1, 0.6, 0.5 } }
  local a = cl.plot.retention({ plan = curve })
  -- Counts with eligible give the same curve.
  local b = cl.plot.retention({ plan = { times = { 0, 1, 2 }, retained = { 10, 6, 4 }, eligible = { 10, 10, 8 } } })
  local s = cl.plot.retention({ plan = { times = { 0, 1, 2 }, share = { 1, 0.6, 0.5 } } })
  T.eq(a, s); T.eq(b, s)
  T.raises(function() cl.plot.retention({ plan = { times = { 0, 1 }, retained = { 10, 6 } } }) end, "'retained' is a count of users")
end)
