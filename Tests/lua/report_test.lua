-- cl.report.html: one self-contained page with the metrics and the charts.
local T = cl.test

local y, p, plan = {}, {}, {}
for i = 1, 200 do
  y[i] = (i % 5 == 0) and 1 or 0
  p[i] = ((i * 37) % 100) / 100 * 0.6 + y[i] * 0.35
  plan[i] = (i % 3 == 0) and "annual" or "monthly"
end
local df = cl.frame({ churn = y, score = p, plan = plan }, { names = { "plan", "score", "churn" } })
local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p " .. dir)

T.case("report from scores: metrics table agrees with cl.metrics, every chart inline", function()
  local html = cl.report.html { scores = df.score, data = df, target = "churn", file = dir .. "/r.html", title = "Scores <test>" }
  local f = assert(io.open(dir .. "/r.html"))
  T.eq(f:read("a"), html)
  f:close()
  local _, charts = html:gsub("<svg", "")
  T.eq(charts, 7)
  T.ok(html:find("<title>Scores &lt;test&gt;</title>", 1, true))
  local auc = tonumber(html:match('roc_auc</td><td class="v">([^<]+)'))
  T.near(auc, cl.metrics.auc(y, p), 1e-6)
end)

T.case("report from a fitted model includes its importance", function()
  local m = cl.model.gbdt({ trees = 20, leaves = 4, min_data_in_leaf = 5 }):fit(df, { target = "churn", features = { "score", "plan" } })
  local html = cl.report.html { model = m, data = df, target = "churn" }
  local _, charts = html:gsub("<svg", "")
  T.eq(charts, 8)
  T.ok(html:find("Feature importance", 1, true))
  T.ok(html:find("GradientBoosting", 1, true))
end)

T.case("bad input", function()
  T.raises(function() cl.report.html { data = df, target = "churn" } end, "give 'model' (a fitted model) or 'scores'")
  T.raises(function() cl.report.html { scores = { 0.1 }, data = df, target = "churn" } end, "1 scores for 200 rows")
  T.raises(function() cl.report.html { scores = p, data = df, target = "churm" } end, "did you mean 'churn'?")
  T.raises(function() cl.report.html { scores = p, data = df, target = "churn", titel = "x" } end, "did you mean 'title'?")
end)
