-- cl.analytics.personas, cl.plot.personas / persona_scatter, and personas as a
-- column in features, rules and effect reports.
local T = cl.test
local col = cl.col

local df = cl.frame({ user_id = { "a", "b", "c", "d" }, x = { 1, 2, 3, 10 }, y = { 0, 0, 1, 1 },
                      churn = { 0, 0, 1, 1 }, revenue = { 10, 20, 30, 40 } },
                    { names = { "user_id", "x", "y", "churn", "revenue" } })

T.case("persona profile: sizes, churn, revenue, standardised differences by hand", function()
  local p = cl.analytics.personas(df, { 1, 1, 2, 2 })
  T.eq(p.persona:to_table(), { 1, 2 })
  T.eq(p.size:to_table(), { 2, 2 })
  T.eq(p.share:to_table(), { 0.5, 0.5 })
  T.eq(p.churn_rate:to_table(), { 0, 1 })
  T.eq(p.revenue:to_table(), { 15, 35 })
  T.eq(p.revenue_total:to_table(), { 30, 70 })
  -- x: mean 4, population sd √12.5; persona means 1.5 and 6.5 → ∓2.5/√12.5 = ∓0.70710678.
  T.near(p.z_x:to_table()[1], -2.5 / math.sqrt(12.5), 1e-12)
  T.near(p.z_x:to_table()[2], 2.5 / math.sqrt(12.5), 1e-12)
  -- y: mean 0.5, sd 0.5 → ∓1.
  T.eq(p.z_y:to_table(), { -1, 1 })
  T.eq(p.distinguishing:to_table(), { "y −1.00, x −0.71", "y +1.00, x +0.71" })
  -- Churn 0 ≤ 0.5 × overall 0.5: loyal; 1 ≥ 1.5 × 0.5: at risk.
  T.eq(p.name:to_table(), { "Low y, low x · loyal", "High y, high x · at risk" })
  -- Labels as a column name, text labels sort by text.
  -- {1, 2, 3} vs {10}: means 2 and 10 → (2 − 4)/√12.5 = −0.5657, (10 − 4)/√12.5 = +1.6971.
  local q = cl.analytics.personas(df:mutate({ g = cl.when(col("x"):gt(3), "late", "early") }), "g", { features = { "x" }, top = 1 })
  T.eq(q.persona:to_table(), { "early", "late" })
  T.eq(q.distinguishing:to_table(), { "x −0.57", "x +1.70" })
  T.raises(function() cl.analytics.personas(df, { 1, 2 }) end, "2 labels for 4 rows")
  T.raises(function() cl.analytics.personas(df, "nope") end, "no column 'nope'")
  T.raises(function() cl.analytics.personas(df, { 1, 1, 2, 2 }, { features = { "user_id" } }) end, "must be numeric")
  T.raises(function() cl.analytics.personas(df, { 1, 1, 2, 2 }, { churn = "x" }) end, "churn must be 0/1")
end)

T.case("persona heatmap and PCA scatter", function()
  local p = cl.analytics.personas(df, { 1, 1, 2, 2 })
  local svg = cl.plot.personas(p, { title = "Personas" })
  T.ok(svg:find("<svg", 1, true) and svg:find("High y, high x · at risk (50%)", 1, true))
  T.ok(svg:find("z = +1.00", 1, true))
  local s = cl.plot.persona_scatter(df, { 1, 1, 2, 2 }, { features = { "x", "y", "revenue" }, title = "Scatter" })
  T.ok(s:find("Scatter", 1, true))
  T.ok(s:find("PC1 (", 1, true) and s:find("· loyal", 1, true))
  T.raises(function() cl.plot.personas(df) end, "needs a 'name' column")
end)

T.case("persona as a column in features, rules (when/tier/message) and effect reports", function()
  -- Two obvious groups of users; k-means labels them, the profile names them.
  local ids, act, rec, risk = {}, {}, {}, {}
  for i = 1, 40 do
    ids[i] = "u" .. i
    local fading = i > 20
    act[i] = fading and (2 + i % 3) or (20 + i % 5)
    rec[i] = fading and (30 + i % 7) or (1 + i % 3)
    risk[i] = fading and 0.8 or 0.2
  end
  local feats = cl.frame({ user_id = ids, events_30d = act, recency_days = rec, risk = risk },
                         { names = { "user_id", "events_30d", "recency_days", "risk" } })
  local km = cl.cluster.kmeans { k = 2, seed = 3 }:fit(feats, { features = { "events_30d", "recency_days" } })
  feats = feats:mutate({ persona = km:predict(feats) })
  local prof = cl.analytics.personas(feats, "persona", { features = { "events_30d", "recency_days" } })
  local names = {}
  for i = 1, prof:nrow() do local r = prof:row(i); names[r.persona] = r.name end
  local fadingPersona = feats:row(40).persona
  T.eq(names[fadingPersona], "High recency days, low events 30d")
  -- The generated names join back by persona.
  feats = feats:join(prof:select({ "persona", "name" }), { on = "persona", how = "left" }):mutate({ persona_name = col("name") })

  cl.rules.reset()
  cl.rules.tiers { score = "risk", high = 0.7 }
  cl.rules.rule { name = "win_back", tier = "high", when = col("persona"):eq(fadingPersona),
                  action = { channel = "email", cost = 1, message = "We miss you ({persona_name})" }, holdout = 0.3 }
  cl.rules.rule { name = "keep_warm", when = col("persona"):ne(fadingPersona), action = { channel = "app" } }
  local d = cl.rules.evaluate(feats, { as_of = "2024-10-01" })
  local byRule = {}
  for i = 1, d:nrow() do
    local r = d:row(i)
    byRule[r.rule] = (byRule[r.rule] or 0) + 1
    local n = tonumber(r.user_id:sub(2))
    T.eq(r.rule, n > 20 and "win_back" or "keep_warm")
    if r.rule == "win_back" then T.eq(r.message, "We miss you (High recency days, low events 30d)") end
  end
  T.eq(byRule.win_back, 20); T.eq(byRule.keep_warm, 20)
  -- Effect per persona rule: retained outcomes for everyone.
  local retained = {}
  for i = 1, 40 do retained[i] = (i % 2 == 0) end
  local e = cl.rules.effect(d, cl.frame({ user_id = ids, retained = retained }))
  -- One effect row per persona rule (and per tier): everyone of the fading persona is in win_back,
  -- 16 treated and 4 in the 30 % holdout (hash-based, stable); keep_warm has no holdout.
  local eff = {}
  for i = 1, e:nrow() do local r = e:row(i); if r.tier == "" or r.tier == nil then eff[r.rule] = r end end
  T.eq(eff.win_back.treated, 16)
  T.eq(eff.keep_warm.treated, 20)
  T.eq(d:filter(col("rule"):eq("win_back")):nrow(), 20)
end)
