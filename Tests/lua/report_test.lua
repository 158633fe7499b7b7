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
  T.eq(charts, 8)   -- confusion, ROC, PR, calibration, gains, lift, histogram, profit
  T.ok(html:find("<title>Scores &lt;test&gt;</title>", 1, true))
  local auc = tonumber(html:match('ROC AUC</td><td class="v">([^<]+)'))
  T.near(auc, cl.metrics.auc(y, p), 5e-4)   -- rounded to 3 decimals on the page
end)

T.case("report from a fitted model includes its importance", function()
  local m = cl.model.gbdt({ trees = 20, leaves = 4, min_data_in_leaf = 5 }):fit(df, { target = "churn", features = { "score", "plan" } })
  local html = cl.report.html { model = m, data = df, target = "churn" }
  local _, charts = html:gsub("<svg", "")
  T.eq(charts, 9)
  T.ok(html:find("Feature importance", 1, true))
  T.ok(html:find("Model: Gradient-boosted trees", 1, true))   -- a person's name, the type string only under details
  T.ok(html:find("<details><summary>Technical details</summary>", 1, true))
end)

T.case("a page a retention manager would forward", function()
  local ids, dates = {}, {}
  for i = 1, 200 do ids[i] = string.format("u%03d", i); dates[i] = (i <= 100) and "2024-06-01" or "2024-07-01" end
  local d = cl.frame({ user_id = ids, as_of = dates, churn = y, score = p, plan = plan },
                     { names = { "user_id", "as_of", "plan", "score", "churn" } })
  local m = cl.model.gbdt({ trees = 20, leaves = 4, min_data_in_leaf = 5 }):fit(d, { target = "churn", features = { "score", "plan" } })
  local html = cl.report.html { model = m, data = d, target = "churn", id = "user_id", top_users = 5, threshold = 0.5 }
  local probs = m:predict_proba(d):to_table()
  -- The data period from the as_of column.
  T.ok(html:find("Data from 2024-06-01 to 2024-07-01", 1, true))
  -- Key findings in words, numbers rounded (no long decimals anywhere in the text).
  T.ok(html:find("<h2>Key findings</h2>", 1, true))
  local text = html:gsub("<svg.-</svg>", ""):gsub("<code>.-</code>", "")
  T.ok(not text:find("%d%.%d%d%d%d%d"), "a number with 5+ decimals in the page text")
  -- Confusion grid at the threshold equals cl.metrics.confusion.
  local cm = cl.metrics.confusion(y, probs, { threshold = 0.5 })
  T.eq(tonumber(html:match('<td class="tp">(%d+)<br>')), cm.tp)
  T.eq(tonumber(html:match('<td class="fp">(%d+)<br>')), cm.fp)
  T.eq(tonumber(html:match('<td class="tn">(%d+)<br>')), cm.tn)
  T.eq(tonumber(html:match('<td class="fn">(%d+)<br>')), cm.fn)
  -- Top-risk users: the 5 highest scores, with reasons from the model's explanation.
  local risk = html:match('<table class="risk">(.-)</table>')
  local _, n = risk:gsub("<tr><td>%d", "")
  T.eq(n, 5)
  local best, bi = -1, 0
  for i, v in ipairs(probs) do if v > best then best, bi = v, i end end
  local first_id, first_pct, first_reasons = risk:match("<tr><td>1</td><td>([^<]+)</td><td class=\"v\">([^<]+)</td><td>([^<]*)</td>")
  T.eq(first_id, ids[bi])
  T.eq(first_pct, string.format("%.0f%%", best * 100))
  T.ok(first_reasons:find("risk)", 1, true) and (first_reasons:find("score = ", 1, true) or first_reasons:find("plan = ", 1, true)), first_reasons)
  -- Captions explain rather than repeat the chart title.
  for cap in html:gmatch("<figcaption>(.-)</figcaption>") do T.ok(#cap > 40, "caption too short: " .. cap) end
end)

T.case("bad input", function()
  T.raises(function() cl.report.html { data = df, target = "churn" } end, "give 'model' (a fitted model) or 'scores'")
  T.raises(function() cl.report.html { scores = { 0.1 }, data = df, target = "churn" } end, "1 scores for 200 rows")
  T.raises(function() cl.report.html { scores = p, data = df, target = "churm" } end, "did you mean 'churn'?")
  T.raises(function() cl.report.html { scores = p, data = df, target = "churn", titel = "x" } end, "unknown option 'titel'")
end)
