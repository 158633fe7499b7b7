-- cl.survival and cl.clv. Reference values: lifelines 0.30.3 / lifetimes 0.11.3, produced by
-- Tests/ChurnCoreTests/References/survival_lifelines_reference.py and clv_lifetimes_reference.py.
local T = cl.test

local churn = cl.read_csv("Tests/ChurnCoreTests/Fixtures/mlc_churn.csv")
  :mutate({ event = cl.col("churn"):eq("yes") })

T.case("Kaplan–Meier on mlc_churn matches lifelines", function()
  local km, s = cl.survival.kaplan_meier(churn, { duration = "account_length", event = "event", times = { 100, 150.5 } })
  T.eq(#s, 1)
  T.eq(s[1].median, 200)                                   -- lifelines median_survival_time_
  T.near(s[1].survival_at[1], 0.9087660475147243, 1e-12)   -- survival_function_at_times(100)
  T.eq(s[1].n, 5000)
  T.eq(km:nrow(), 219)                                    -- lifelines event_table rows
  local r2 = km:row(2)                                     -- t = 1: 5000 at risk, 1 event
  T.eq(r2.time, 1); T.eq(r2.at_risk, 5000); T.eq(r2.events, 1)
  T.near(r2.survival, 0.9997999999999996, 1e-15)
  T.near({ r2.lower, r2.upper }, { 0.9985810513790758, 0.9999718248805538 }, 1e-12)
end)

T.case("grouped curves and log-rank (2 and k groups, pairwise)", function()
  local km, s = cl.survival.kaplan_meier(churn, { duration = "account_length", event = "event", group = "international_plan" })
  T.eq(#s, 2)
  T.eq(km:names()[1], "international_plan")
  local lr = cl.survival.logrank(churn, { duration = "account_length", event = "event", group = "international_plan" })
  T.near(lr.statistic, 277.09981194789555, 1e-9)           -- lifelines logrank_test
  T.near(lr.p_value / 3.2181695592390594e-62, 1, 1e-8)
  T.eq(lr.df, 1)
  local k = cl.survival.logrank(churn, { duration = "account_length", event = "event", group = "area_code", pairwise = true })
  T.near(k.statistic, 1.0299819999936533, 1e-10)           -- multivariate_logrank_test
  T.near(k.p_value, 0.597505972149684, 1e-10)
  T.eq(#k.pairs, 3)
  T.raises(function() cl.survival.logrank(churn, { duration = "account_length", event = "event" }) end, "group")
end)

T.case("log-rank p below double range is reported as log10 p", function()
  local t, g = {}, {}
  for i = 1, 3000 do t[i] = i; g[i] = i <= 1500 and "a" or "b" end
  local r = cl.survival.logrank(cl.frame({ t = t, g = g }), { duration = "t", group = "g" })
  T.eq(r.p_value, 0)
  T.near(r.log10_p, -811.3749141022136, 1e-9)              -- scipy log_ndtr, see the reference script
end)

T.case("Nelson–Aalen and bad input", function()
  local na = cl.survival.nelson_aalen(churn, { duration = "account_length", event = "event" })
  T.eq(na:row(1).cumulative_hazard, 0)
  T.raises(function() cl.survival.kaplan_meier(churn, { duration = "account_length", event = "churn" }) end, "bool or 0/1")
  T.raises(function() cl.survival.kaplan_meier(churn, { duration = "account_length", alpha = 1.5 }) end, "alpha")
  T.raises(function() cl.survival.kaplan_meier(churn, { event = "event" }) end, "duration")
  T.raises(function() cl.survival.kaplan_meier(churn, { duration = "account_length", evnt = "event" }) end, "evnt")
  T.raises(function() cl.survival.kaplan_meier(cl.frame({ t = { 1, -1 } }), { duration = "t" }) end, "row 2")
end)

T.case("clv.summary: same-day merge, first purchase excluded, weeks of 7 days (hand-computed)", function()
  local tx = cl.frame({ id = { 1, 1, 1, 1, 1, 2, 3 },
                        day = { "1997-01-01", "1997-01-01", "1997-01-15", "1997-02-12", "1997-04-01", "1997-02-20", "1997-03-05" },
                        amount = { 10, 5, 20, 30, 7, 12, 4 } })
  local s = cl.clv.summary(tx, { customer = "id", time = "day", amount = "amount",
                                 calibration_end = "1997-03-01", holdout_end = "1997-06-30" })
  T.eq(s:nrow(), 2)                                        -- customer 3 first bought after calibration_end
  local c1 = s:row(1)
  T.eq(c1.frequency, 2); T.near(c1.recency, 6, 1e-15); T.near(c1.T, 59 / 7, 1e-15)
  T.eq(c1.monetary_value, 25); T.eq(c1.frequency_holdout, 1); T.eq(c1.monetary_value_holdout, 7)
  T.near(c1.duration_holdout, 121 / 7, 1e-15)
  local c2 = s:row(2)
  T.eq(c2.frequency, 0); T.eq(c2.recency, 0); T.near(c2.T, 9 / 7, 1e-15); T.eq(c2.monetary_value, 0)
  T.raises(function() cl.clv.summary(tx, { customer = "id", time = "day", calibration_end = "1997-13-01" }) end, "not a YYYY-MM-DD")
  T.raises(function() cl.clv.summary(tx, { customer = "id", time = "day", calibration_end = "1997-03-01", period = "Q" }) end, "'D', 'W'")
end)

T.case("clv predictions at lifetimes' CDNOW parameters", function()
  local bg = { kind = "bgnbd", r = 0.24259454342106715, alpha = 4.413602716077379, a = 0.7929218333480146, b = 2.4259057287223023 }
  local gg = { kind = "gamma_gamma", p = 6.249572277635918, q = 3.744224674758303, gamma = 15.443521018362135 }
  local s = cl.frame({ frequency = { 2, 2 }, recency = { 30.43, 30.428571428571427 }, T = { 38.86, 38.857142857142854 },
                       monetary_value = { 0, 22.345 } })
  local p = cl.clv.predict(bg, s, { t = 39 })
  T.near(p:row(1).expected_purchases, 1.225906809815, 1e-11)   -- the textbook customer (paper: 1.2259)
  T.near(p:row(1).p_alive, 0.726609148765, 1e-11)               -- paper: 0.7266
  T.near(cl.clv.expected_purchases(bg, 39), 1.195009974479, 1e-11)
  local v = cl.clv.value(bg, gg, s, { months = 12, discount = 0.01 })
  T.near(v:row(2).expected_spend, 24.653918713235143, 1e-10)    -- CDNOW customer 1
  T.near(v:row(2).clv, 36.27397745115939, 1e-9)
  T.raises(function() cl.clv.value(bg, gg, s, { discount = 2 }) end, "discount")
  T.raises(function() cl.clv.predict(gg, s) end, "BG/NBD")
end)

T.case("clv fits return parameters with standard errors", function()
  local f, r, TT, m = {}, {}, {}, {}
  for i = 1, 200 do
    TT[i] = 39
    if i % 2 == 0 then f[i], r[i], m[i] = 0, 0, 0
    else f[i] = 1 + i % 4; r[i] = 5 + (i * 7) % 34; m[i] = 10 + i % 13 end
  end
  local s = cl.frame({ frequency = f, recency = r, T = TT, monetary_value = m })
  local bg = cl.clv.bgnbd(s)
  T.eq(bg.kind, "bgnbd"); T.eq(bg.customers, 200)
  T.ok(bg.r > 0 and bg.alpha > 0 and bg.standard_errors.r > 0 and bg.log_likelihood < 0)
  local gg = cl.clv.gamma_gamma(s)
  T.eq(gg.kind, "gamma_gamma"); T.eq(gg.customers, 100)
  T.raises(function() cl.clv.bgnbd(s, { penalizer = -1 }) end, "penalizer")
end)

-- The CDNOW sample (Tests/ChurnCoreTests/Fixtures/clv/CDNOW_sample.txt: master id, id, yyyymmdd, CDs, dollars) as a frame.
local function cdnow()
  local id, day, amount = {}, {}, {}
  for line in io.lines("Tests/ChurnCoreTests/Fixtures/clv/CDNOW_sample.txt") do
    local i, y, m, d, usd = line:match("^%s*%d+%s+(%d+)%s+(%d%d%d%d)(%d%d)(%d%d)%s+%d+%s+([%d.]+)")
    if i then id[#id + 1] = tonumber(i); day[#day + 1] = y .. "-" .. m .. "-" .. d; amount[#amount + 1] = tonumber(usd) end
  end
  return cl.clv.summary(cl.frame({ id = id, day = day, amount = amount }),
    { customer = "id", time = "day", amount = "amount", calibration_end = "1997-09-30", holdout_end = "1998-06-30" })
end

T.case("clv fits are objects: summary, predict, p_alive, save/load (CDNOW, lifetimes 0.11.3)", function()
  local s = cdnow()
  T.eq(s:nrow(), 2357)
  local bg = cl.clv.bgnbd(s)
  -- lifetimes BetaGeoFitter on the same summary (scripts/reference, Tests/ChurnCoreTests/References/clv_lifetimes_reference.py).
  T.near({ bg.r, bg.alpha, bg.a, bg.b }, { 0.242595, 4.413603, 0.792922, 2.425906 }, 1e-5 * 5)
  T.near(bg.log_likelihood, -9582.4292, 1e-3)
  local sm = bg:summary()
  T.eq(sm.parameter:to_table(), { "r", "alpha", "a", "b" })
  T.near(sm:row(1).se, bg.standard_errors.r, 0)
  T.eq(bg:params().kind, "bgnbd")
  T.ok(tostring(bg):find("cl.CLVModel bgnbd", 1, true))
  -- Predictions: the textbook customer (x = 2, tx = 30.43, T = 38.86): E[Y(39)] 1.2259, P(alive) 0.7266 (paper).
  local one = cl.frame({ frequency = { 2 }, recency = { 30.43 }, T = { 38.86 }, monetary_value = { 22.345 } })
  T.near(bg:predict(one, { t = 39 }):row(1).expected_purchases, 1.2259, 1e-4)
  T.near(bg:p_alive(one):to_table()[1], 0.7266, 1e-4)
  T.near(bg:expected_purchases(39, one):to_table()[1], bg:predict(one, { t = 39 }):row(1).expected_purchases, 0)
  T.near(bg:expected_purchases(39), cl.clv.expected_purchases(bg, 39), 0)
  -- conditional expected holdout purchases summed over customers: 1653.41 (lifetimes; 1882 actual).
  local held = bg:predict(s, { t = 39 }).expected_purchases:to_table()
  local total = 0
  for _, v in ipairs(held) do total = total + v end
  T.near(total, 1653.41, 0.05)
  -- Calibration vs holdout by calibration frequency (lifetimes' plot_calibration_purchases_vs_holdout_purchases, n = 7;
  -- clv_lifetimes_reference.py): actual means exact, predicted within the fitted parameters' 1e-5 agreement.
  local ch = cl.clv.calibration_holdout(bg, s)
  T.eq(ch.frequency:to_table(), { 0, 1, 2, 3, 4, 5, 6 })
  T.near(ch.actual:to_table(), { 0.23671155209071582, 0.6970387243735763, 1.3925233644859814, 1.56, 2.532258064516129, 2.9473684210526314, 3.8620689655172415 }, 1e-12)
  T.near(ch.predicted:to_table(), { 0.22508733784479895, 0.5231311296845607, 1.044134100649881, 1.5202795287390165, 2.163865854072024, 2.6538459803952925, 3.5040424584214986 }, 1e-4)
  T.ok(cl.plot.clv_holdout(bg, s):find("model_predictions", 1, true))
  T.raises(function() cl.clv.calibration_holdout(bg, one) end, "holdout_end")
  T.raises(function() cl.clv.calibration_holdout(bg, s, { bins = 0 }) end, "bins")
  local gg = cl.clv.gamma_gamma(s)
  T.near({ gg.p, gg.q, gg.gamma }, { 6.24957, 3.74422, 15.44352 }, 1e-4)
  T.near(gg:expected_spend(one):to_table()[1], gg:predict(one).expected_spend:to_table()[1], 0)
  T.ok(cl.clv.value(bg, gg, one):row(1).clv > 0)
  -- save / load through the versioned model file; structure checked on load.
  local path = os.tmpname()
  bg:save(path)
  local back = cl.clv.load(path)
  T.eq(back.kind, "bgnbd"); T.eq(back.r, bg.r); T.eq(back.customers, 2357)
  T.eq(back:p_alive(s):to_table(), bg:p_alive(s):to_table())
  -- cl.model.load opens CLV files too (the common file-opener registry), as the same cl.CLVModel.
  local viaModel = cl.model.load(path)
  T.eq(viaModel.kind, "bgnbd"); T.eq(viaModel.alpha, bg.alpha)
  T.eq(viaModel:p_alive(s):to_table(), bg:p_alive(s):to_table())
  gg:save(path)
  T.eq(cl.clv.load(path).gamma, gg.gamma)
  T.eq(cl.model.load(path).gamma, gg.gamma)
  os.remove(path)
  T.raises(function() cl.clv.load("Tests/ChurnCoreTests/Fixtures/survival/cox_v1.model") end, "not a CLV model")
  T.raises(function() gg:p_alive(s) end, "BG/NBD and Pareto/NBD")
  T.raises(function() bg:expected_spend(s) end, "Gamma–Gamma")
end)

T.case("retention rule on P(alive) and CLV: win back valuable customers likely lost", function()
  local s = cdnow()
  local bg, gg = cl.clv.bgnbd(s), cl.clv.gamma_gamma(s)
  -- p_alive (BG/NBD), then expected_spend and 12-month clv (Gamma–Gamma): fields the rules read.
  local users = cl.clv.value(bg, gg, bg:predict(s), { months = 12 }):rename({ id = "user_id" })
  cl.rules.reset()
  cl.rules.rule{ name = "win_back", when = cl.col("p_alive"):lt(0.5) & cl.col("clv"):gt(20),
    action = { channel = "coupon", cost = 5, message = "P(alive) {p_alive}" }, priority = 10 }
  cl.rules.rule{ name = "nurture", when = cl.col("p_alive"):lt(0.5), action = { channel = "email", cost = 1 } }
  local d, summary = cl.rules.evaluate(users, { as_of = "1997-10-01" })
  -- The same selection by hand from the columns.
  local ids, pa, clv = users.user_id:to_table(), users.p_alive:to_table(), users.clv:to_table()
  local want = {}
  for i = 1, #ids do
    if pa[i] < 0.5 then want[tostring(ids[i])] = clv[i] > 20 and "win_back" or "nurture" end
  end
  local got, n = {}, 0
  for i, id in ipairs(d.user_id:to_table()) do got[tostring(id)] = d.rule:to_table()[i]; n = n + 1 end
  T.eq(got, want)
  T.ok(summary.win_back.treatment > 10 and summary.nurture.treatment > 100, summary.win_back.treatment .. " / " .. summary.nurture.treatment)
  T.eq(summary.win_back.cost, 5 * summary.win_back.treatment)
  cl.rules.reset()
end)

T.case("clv penalizer scaled as lifetimes (alpha, beta in units of max T; Pareto/NBD on the summed log-likelihood)", function()
  local s = cdnow()
  -- lifetimes 0.11.3, penalizer_coef = 0.1 (scripts/reference/pareto_nbd_lifetimes_reference.py; BG/NBD tol 1e-8, Pareto/NBD tol 1e-12).
  local bg = cl.clv.bgnbd(s, { penalizer = 0.1 })
  T.near({ bg.r, bg.alpha, bg.a, bg.b }, { 0.23094788748675674, 4.219325223105648, 0.12865619263046477, 0.26712954470222666 }, 2e-5)
  local pn = cl.clv.pareto_nbd(s, { penalizer = 0.1 })
  local want = { 0.5535610795508362, 10.578007946073464, 0.600840248876121, 11.49655721068677 }
  local got = { pn.r, pn.alpha, pn.s, pn.beta }
  for i = 1, 4 do T.near(got[i] / want[i], 1, 1e-3) end
  T.eq(pn.penalizer, 0.1)
end)

T.case("from_events / from_subscriptions agree with cl.labels.churn (same censoring rules)", function()
  local sim = cl.simulate.platform { users = 400, days = 150, start = "2024-01-01", seed = 11 }
  local elog, subs = cl.events(sim.events), cl.subscriptions(sim.subscriptions)
  -- Events: labels at A = 2024-04-01 with horizon 30 ⇔ survival at A + 30 with inactivity_days 30.
  local lab = cl.labels.churn(elog, { as_of = "2024-04-01", horizon = 30, active_within = 30 })
  local sv = cl.survival.from_events(elog, { as_of = "2024-05-01", inactivity_days = 30 })
  T.eq(sv:names(), { "user_id", "start", "end", "duration", "event" })
  local ev = {}
  for i = 1, sv:nrow() do local r = sv:row(i); ev[r.user_id] = r.event end
  local churners = 0
  for i = 1, lab:nrow() do
    local r = lab:row(i)
    T.eq(ev[r.user_id], r.churn, "user " .. tostring(r.user_id))
    churners = churners + r.churn
  end
  T.ok(lab:nrow() > 50 and churners > 0 and churners < lab:nrow(), lab:nrow() .. " labelled, " .. churners .. " churners")
  -- Subscriptions: labels at A with horizon 30, grace 3 ⇔ survival at A + 30 + 3 with gap_days 3,
  -- for users whose first coverage spell is the one running at A.
  local sl = cl.labels.churn(subs, { as_of = "2024-03-01", horizon = 30, grace_days = 3, definition = "subscription" })
  local ss = cl.survival.from_subscriptions(subs, { as_of = "2024-04-03", gap_days = 3 })
  local srow = {}
  for i = 1, ss:nrow() do local r = ss:row(i); srow[r.user_id] = r end
  local compared, sch = 0, 0
  for i = 1, sl:nrow() do
    local r = sl:row(i)
    local s = srow[r.user_id]
    T.ok(s ~= nil, "user " .. tostring(r.user_id) .. " has a survival row")
    if s["end"] >= "2024-03-01" then
      T.eq(s.event, r.churn, "user " .. tostring(r.user_id))
      compared = compared + 1; sch = sch + r.churn
    end
  end
  T.ok(compared > 30 and sch > 0, compared .. " compared, " .. sch .. " churners")
  -- The survival table feeds straight into the estimators.
  local _, s = cl.survival.kaplan_meier(sv, { duration = "duration", event = "event" })
  T.ok(s[1].n == sv:nrow())
  T.raises(function() cl.survival.from_events(elog, { inactivity_days = 30 }) end, "as_of")
  T.raises(function() cl.survival.from_events(elog, { as_of = "2024-05-01", inactivity_days = 0 }) end, "inactivity_days")
end)

T.case("cox: lifelines' CoxPHFitter summary on mlc_churn (Efron ties)", function()
  local d = churn:mutate({ intl = cl.when(cl.col("international_plan"):eq("yes"), 1, 0) })
  local s, fit = cl.survival.cox(d, { duration = "account_length", event = "event",
    features = { "total_day_minutes", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls", "intl" } })
  -- lifelines 0.30.3 (Tests/ChurnCoreTests/References/survival_cox_reference.py)
  T.near(s.coef:to_table(), { 0.009220572536335929, 0.28843884139964393, -0.023649887537919734, -0.04764805679178601, 1.2718815279159215 }, 2e-6)
  T.near(s:row(5).se, 0.0841477671004912, 1e-7)
  T.near(fit.log_likelihood, -5002.553800992169, 1e-7)
  T.near(fit.concordance, 0.7624660351883276, 1e-12)
  T.eq(fit.events, 707)
  T.raises(function() cl.survival.cox(d, { duration = "account_length", event = "event", features = { "no_such_column" } }) end, "no_such_column")
  T.raises(function() cl.survival.cox(d, { duration = "account_length", event = "event", ties = "exact" }) end, "'efron' or 'breslow'")
end)

T.case("cl.model.cox with case weights (weight =) and robust = true: lifelines' weights_col / robust=True", function()
  -- lifelines 0.30.3, Tests/ChurnCoreTests/References/survival_cox_reference.py ("Case weights" block):
  -- row i (1-based here) weighs 0.5 + 0.25 * ((i - 1) % 4).
  local d = churn:mutate({ intl = cl.when(cl.col("international_plan"):eq("yes"), 1, 0) })
  local feats = { "total_day_minutes", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls", "intl" }
  local cols = { account_length = d.account_length:to_table(), event = d.event:to_table(), w = {} }
  for _, f in ipairs(feats) do cols[f] = d[f]:to_table() end
  for i = 1, d:nrow() do cols.w[i] = 0.5 + 0.25 * ((i - 1) % 4) end
  local f = cl.frame(cols)
  local m = cl.model.cox{ robust = true }:fit(f, { duration = "account_length", event = "event", features = feats, weight = "w" })
  T.near(m:summary().coef:to_table(), { 0.009051456759245098, 0.2797780727740315, -0.02389735320094956, -0.04511673684135718, 1.279132961798274 }, 2e-6)
  local se = m:summary().se:to_table()
  local want = { 0.0008828033565694584, 0.034408742817767915, 0.0040193111488473175, 0.0195496605266965, 0.09583193202300057 }
  for j = 1, 5 do T.near(se[j] / want[j], 1, 1e-6) end
  local info = m:info()
  T.near(info.log_likelihood, -4257.493097672305, 1e-6)
  T.near(info.concordance, 0.7624793689313353, 1e-12)
  T.eq(info.robust, true); T.eq(info.weighted, true)
  T.ok(m:print_summary():find("robust variance = True", 1, true))
  T.raises(function() cl.model.cox{ robust = "yes" } end, "robust")
end)

T.case("cl.model.cox: penalized fit, predictions, PH test, save/load (lifelines 0.30.3)", function()
  -- Values from scripts/reference/cox_lifelines_reference.py.
  local d = churn:mutate({ intl = cl.when(cl.col("international_plan"):eq("yes"), 1, 0) })
  local feats = { "total_day_minutes", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls", "intl" }
  local en = cl.model.cox{ penalizer = 0.05, l1_ratio = 0.5 }:fit(d, { duration = "account_length", event = "event", features = feats })
  T.near(en:summary().coef:to_table(), { 0.005110147183776887, 0.1876026208262029, -0.004398632332289923, -1.4944544070529594e-07, 0.930234456246565 }, 1e-8)
  T.near(en:info().log_likelihood, -5179.9122259582255, 1e-6)

  local m = cl.model.cox{}:fit(d, { duration = "account_length", event = "event", features = feats })
  local rows = d:head(3)
  T.near(m:predict_partial_hazard(rows):to_table(), { 1.1708246179905255, 0.44031238291886965, 1.1795512997120332 }, 1e-6)
  local s = m:predict_survival(rows, { times = { 50, 100, 150.5 } })
  T.eq(s:names(), { "survival_50", "survival_100", "survival_150.5" })
  T.near(s["survival_150.5"]:to_table(), { 0.7780311201782375, 0.9099283486670015, 0.7765769930931917 }, 1e-7)
  T.eq(m:predict_median(rows):to_table(), { 212, math.huge, 212 })
  -- Expected lifetime and expected remaining lifetime given the tenure so far (lifelines' predict_expectation,
  -- survival_cox_reference.py): the feature / rule field for "how long will this user stay".
  T.near(m:predict_expectation(rows):to_table(), { 191.78512228407283, 219.5277876045089, 191.5089890949307 }, 1e-3)
  local rem = m:predict_expectation(rows, { conditional_after = "account_length" })
  T.near(rem:to_table(), { 133.97043819110473, 191.76422206655815, 132.6866101783569 }, 1e-3)
  T.raises(function() m:predict_expectation(rows, { conditional_after = "state" }) end, "numeric")
  local ph = m:check_assumptions(d, { time_transform = "rank" })
  T.near(ph.test_statistic:to_table(), { 1.5904907621324949, 0.7728568878211137, 1.2346800703761747, 1.0718435776678479, 1.5311037545111303 }, 1e-5)
  T.eq(m:baseline():nrow(), 218)                        -- distinct durations, as lifelines' baseline index
  T.ok(tostring(m):find("Concordance = 0.7625", 1, true))

  -- Strata and a text feature; save/load keeps predictions.
  -- Strata columns are among the columns the fit reads (as in lifelines' DataFrame), not covariates.
  local withPlan = { table.unpack(feats) }; withPlan[#withPlan + 1] = "voice_mail_plan"
  local st = cl.model.cox{ strata = { "voice_mail_plan" } }:fit(d, { duration = "account_length", event = "event", features = withPlan })
  T.near(st:info().concordance, 0.7599329468524185, 1e-12)
  local path = os.tmpname()
  st:save(path)
  local back = cl.model.load(path)
  os.remove(path)
  T.near(back:predict_survival(d:head(2), { times = { 100 } })["survival_100"]:to_table(), { 0.9548279123931849, 0.9815792483950047 }, 1e-7)
  local ac = cl.model.cox{}:fit(d, { duration = "account_length", event = "event", features = { "total_day_minutes", "area_code" } })
  T.eq(ac:info().features, { "total_day_minutes", "area_code=area_code_415", "area_code=area_code_510" })

  T.raises(function() cl.model.cox{ penalizer = -1 } end, "penalizer")
  T.raises(function() cl.model.cox{ l1_ratio = 2 } end, "l1_ratio")
  T.raises(function() cl.model.cox{}:predict_median(d) end, "not fitted")
  T.raises(function() m:predict_survival(d, {}) end, "times")
  T.raises(function() m:check_assumptions(d, { time_transform = "cubic" }) end, "time_transform")
  T.raises(function() cl.model.cox{ strata = { "voice_mail_plan" } }:fit(d, { duration = "account_length", event = "event", features = feats }) end,
    "stratum column 'voice_mail_plan' is not among")
end)

-- Harrell's C by its definition (O(n²)): pairs where the shorter time is an event; a higher risk for it counts 1, ties ½.
local function concordance(time, event, risk)
  local num, den = 0, 0
  for i = 1, #time do
    if event[i] then
      for j = 1, #time do
        if time[i] < time[j] or (time[i] == time[j] and not event[j]) then
          den = den + 1
          if risk[i] > risk[j] then num = num + 1 elseif risk[i] == risk[j] then num = num + 0.5 end
        end
      end
    end
  end
  return num / den
end

-- The rows `rows` (1-based) of a numeric/bool frame.
local function pick(f, rows)
  local cols = {}
  for _, name in ipairs(f:names()) do
    local v, out = f[name]:to_table(), {}
    for i, r in ipairs(rows) do out[i] = v[r] end
    cols[name] = out
  end
  return cl.frame(cols)
end

T.case("cl.model.cox on the common interface: cross_validate, permutation_importance, save/load, old files", function()
  local d = churn:mutate({ intl = cl.when(cl.col("international_plan"):eq("yes"), 1, 0) })
  local feats = { "total_day_minutes", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls", "intl" }
  local small = d:select({ "account_length", "event", table.unpack(feats) })
  local m = cl.model.cox{}:fit(small, { duration = "account_length", event = "event" })   -- every other column is a covariate
  T.eq(m.kind, "cox")
  T.eq(m:info().features, feats)
  T.near(m:summary().coef:to_table(), { 0.009220572536335929, 0.28843884139964393, -0.023649887537919734, -0.04764805679178601, 1.2718815279159215 }, 2e-6)
  T.ok(tostring(m):find("Concordance = 0.7625", 1, true))

  -- cross_validate: folds stratified on the event (the splits cl.model.folds makes with target = the event), metric concordance.
  local cv, agg = cl.model.cross_validate(cl.model.cox{}, small, { duration = "account_length", event = "event", k = 3, seed = 5 })
  T.eq(cv:names(), { "fold", "n_test", "concordance" })
  local folds = cl.model.folds(small, { k = 3, target = "event", seed = 5 })
  for f = 1, 3 do
    local train, test = pick(small, folds[f].train), pick(small, folds[f].test)
    local fm = cl.model.cox{}:fit(train, { duration = "account_length", event = "event" })
    local want = concordance(test.account_length:to_table(), test.event:to_table(), fm:predict_log_partial_hazard(test):to_table())
    T.near(cv:row(f).concordance, want, 1e-12)
  end
  T.ok(agg.mean.concordance > 0.72 and agg.mean.concordance < 0.78, agg.mean.concordance)
  T.raises(function() cl.model.cross_validate(cl.model.cox{}, small, { duration = "account_length", event = "event", metrics = "auc" }) end, "concordance")
  T.raises(function() cl.model.cross_validate(cl.model.logistic{}, small, { duration = "account_length", event = "event" }) end, "0/1 target")
  T.raises(function() cl.model.cox{}:fit(small, { target = "event" }) end, "duration")

  -- permutation importance: the concordance drop when a column is shuffled.
  local imp = cl.model.permutation_importance(m, small, { duration = "account_length", event = "event", repeats = 3, seed = 1 })
  T.eq(imp:nrow(), 5)
  T.eq(imp.feature:to_table(), { "total_day_minutes", "intl", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls" })
  T.ok(imp:row(1).mean > 0.05 and imp:row(5).mean < 0.01)   -- total_intl_calls: |z| 1.9, barely matters

  -- save / load through the common model file; predictions unchanged.
  local path = os.tmpname()
  m:save(path)
  local back = cl.model.load(path)
  os.remove(path)
  T.eq(back.kind, "cox")
  T.eq(back:predict_partial_hazard(d:head(3)):to_table(), m:predict_partial_hazard(d:head(3)):to_table())

  -- Files written before cox joined the registry (own userdata; Tests/ChurnCoreTests/Fixtures/survival/cox_v1*.model,
  -- saved by that build from the fits of the test above) still load and predict as they did.
  local old = cl.model.load("Tests/ChurnCoreTests/Fixtures/survival/cox_v1.model")
  T.near(old:predict_partial_hazard(d:head(3)):to_table(), { 1.1708246179905255, 0.44031238291886965, 1.1795512997120332 }, 1e-12)
  local olds = cl.model.load("Tests/ChurnCoreTests/Fixtures/survival/cox_v1_strata.model")
  T.near(olds:predict_survival(d:head(3), { times = { 100 } })["survival_100"]:to_table(),
    { 0.91606764877055247, 0.96743680463844728, 0.83680684184293641 }, 1e-12)
  T.near(olds:info().concordance, 0.63398837114218, 1e-12)
end)

T.case("clv.pareto_nbd: predictions at lifetimes' CDNOW parameters, fit record, CLV", function()
  -- lifetimes 0.11.3 ParetoNBDFitter refitted with tol 1e-12 (scripts/reference/pareto_nbd_lifetimes_reference.py).
  local pn = { kind = "pareto_nbd", r = 0.5532770417350594, alpha = 10.577683678387663, s = 0.6062399982438416, beta = 11.668736094230072 }
  local s = cl.frame({ frequency = { 2 }, recency = { 30.43 }, T = { 38.86 }, monetary_value = { 22.345 } })
  local p = cl.clv.predict(pn, s, { t = 39 })
  T.near(p:row(1).expected_purchases, 1.455098747289, 1e-9)
  T.near(p:row(1).p_alive, 0.869115661565, 1e-9)
  T.near(cl.clv.expected_purchases(pn, 39), 1.213403999227, 1e-9)
  local gg = { kind = "gamma_gamma", p = 6.249572277635918, q = 3.744224674758303, gamma = 15.443521018362135 }
  T.ok(cl.clv.value(pn, gg, s):row(1).clv > 0)
  local f, r, TT = {}, {}, {}
  for i = 1, 200 do
    TT[i] = 39
    if i % 2 == 0 then f[i], r[i] = 0, 0 else f[i] = 1 + i % 4; r[i] = 5 + (i * 7) % 34 end
  end
  local fit = cl.clv.pareto_nbd(cl.frame({ frequency = f, recency = r, T = TT }))
  T.eq(fit.kind, "pareto_nbd"); T.eq(fit.customers, 200)
  T.ok(fit.r > 0 and fit.s > 0 and fit.log_likelihood < 0)
  T.raises(function() cl.clv.predict({ kind = "pareto_nbd", r = 1, alpha = 1, s = -1, beta = 1 }, s) end, "s")
end)

T.case("cl.plot.survival and cl.plot.clv draw SVG", function()
  local svg = cl.plot.survival(churn, { duration = "account_length", event = "event", group = "international_plan", title = "By plan" })
  T.ok(svg:find("<svg", 1, true) and svg:find("By plan", 1, true) and svg:find("At risk", 1, true))
  T.ok(svg:find(">yes<", 1, true) and svg:find(">no<", 1, true))
  T.ok(svg:find(">4527<", 1, true))                      -- 4527 international_plan = "no" customers at risk at t = 0
  T.ok(select(2, svg:gsub('class="ci"', "")) == 2)        -- one CI band per group
  T.ok(not cl.plot.survival(churn, { duration = "account_length", event = "event", ci = false }):find('class="ci"', 1, true))
  T.raises(function() cl.plot.survival(churn, { duration = "account_length", alpha = 1 }) end, "alpha")
  local pn = { kind = "bgnbd", r = 0.24259454342106715, alpha = 4.413602716077379, a = 0.7929218333480146, b = 2.4259057287223023 }
  local m = cl.plot.clv(pn, { max_frequency = 5, max_recency = 10 })
  T.ok(m:find("Probability customer is alive", 1, true))
  T.raises(function() cl.plot.clv(pn, { max_recency = 10, T = 5 }) end, "max_recency")
  T.raises(function() cl.plot.clv(pn, { chart = "pie" }) end, "chart")
end)
