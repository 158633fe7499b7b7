-- cl.model.logistic: fit, predict, coefficients, explain, save/load, errors.
local T = cl.test

-- One text feature: 'annual' (the reference level, alphabetically first) churns
-- 1 in 4, 'monthly' 3 in 4. The unpenalised MLE is saturated, so by hand:
-- intercept = logit(1/4) = -ln 3, coef(plan=monthly) = logit(3/4) - logit(1/4) = 2 ln 3,
-- std errors sqrt(1/1 + 1/3) and sqrt(1/1 + 1/3 + 1/3 + 1/1) (Woolf's formula).
local df = cl.frame({
  plan = { "monthly", "annual", "annual", "monthly", "annual", "monthly", "annual", "monthly" },
  churn = { "yes", "yes", "no", "yes", "no", "no", "no", "yes" },
  tenure = { 1, 5, 7, 2, 9, 4, 8, 3 },
}, { names = { "plan", "churn", "tenure" } })

T.case("unpenalised fit matches the hand-computed MLE and standard errors", function()
  local m = cl.model.logistic({ penalty = "none", tol = 1e-12 }):fit(df, { target = "churn", features = { "plan" } })
  local co = m:coefficients()
  T.eq(co.name:to_table(), { "const", "plan=monthly" })
  T.near(co.coef:to_table(), { -math.log(3), 2 * math.log(3) }, 1e-8)
  T.near(co.std_err:to_table(), { math.sqrt(4 / 3), math.sqrt(8 / 3) }, 1e-7)
  T.near(co.p_value:to_table()[2], 0.1784574424769816, 1e-9)   -- scipy: 2*norm.sf(2*ln(3)/sqrt(8/3))
  T.near(m:predict_proba(df):to_table(), { 0.75, 0.25, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75 }, 1e-9)
  -- Predictions come back in the target's own type: here its text labels (positive 'yes').
  T.eq(m:predict(df):to_table(), { "yes", "no", "no", "yes", "no", "yes", "no", "yes" })
  T.eq(m:predict(df, { threshold = 0.8 }):to_table(), { "no", "no", "no", "no", "no", "no", "no", "no" })
  local info = m:info()
  T.eq(info.positive, "yes")          -- tie in counts: the label sorting last
  T.eq(info.positive_inferred, true)
  T.eq(info.solver, "newton")
  T.ok(tostring(m):find("plan=monthly", 1, true), tostring(m))
end)

T.case("penalised fits: params, no standard errors, contributions add up", function()
  local m = cl.model.logistic({ C = 0.5, standardize = true })
  T.eq(m:params().penalty, "l2")
  T.eq(m:params().C, 0.5)
  m:fit(df, { target = "churn" })                     -- features: every other column
  local co = m:coefficients()
  T.eq(co.name:to_table(), { "const", "plan=monthly", "tenure" })
  T.eq(co.std_err:to_table(), {})                      -- all null for penalised fits
  local contrib, baseline = m:contributions(df)
  T.eq(contrib:names(), { "plan", "tenure" })
  local p = m:predict_proba(df):to_table()
  local cp, ct = contrib.plan:to_table(), contrib.tenure:to_table()
  for i = 1, #p do
    local z = baseline + cp[i] + ct[i]
    T.near(1 / (1 + math.exp(-z)), p[i], 1e-12)
  end
  local ex = m:explain(df, { top = 1 })
  T.eq(ex:nrow(), 8)
  T.eq(ex:names(), { "row", "rank", "feature", "value", "numeric_value", "contribution" })
  T.eq(ex:row(1).row, 1)
  T.eq(ex:row(1).value, ex:row(1).feature == "plan" and "monthly" or "1")
end)

T.case("save and load give bit-identical predictions", function()
  local m = cl.model.logistic({ C = 2 }):fit(df, { target = "churn" })
  local path = os.tmpname()
  m:save(path)
  local back = cl.model.load(path)
  T.eq(back:predict_proba(df):to_table(), m:predict_proba(df):to_table())
  T.eq(back:params().C, 2)
  T.eq(back:info().target, "churn")
  os.remove(path)
end)

T.case("clear errors", function()
  T.raises(function() cl.model.logistic({ penalti = "l1" }) end, "unknown option 'penalti'; did you mean 'penalty'?")
  T.raises(function() cl.model.logistic({ penalty = "l3" }) end, "penalty must be one of")
  local m = cl.model.logistic()
  T.raises(function() m:predict_proba(df) end, "not fitted yet")
  T.raises(function() m:fit(df, {}) end, "field 'target' is required")
  T.raises(function() m:fit(df, { target = "churnn" }) end, "did you mean 'churn'?")
  m:fit(df, { target = "churn" })
  local other = cl.frame({ tenure = { 1, 2 } })
  T.raises(function() m:predict_proba(other) end, "the frame lacks 1 feature the model was fitted on: 'plan'")
  local newplan = cl.frame({ plan = { "weekly" }, tenure = { 1 } })
  T.raises(function() m:predict_proba(newplan) end, "level 'weekly' at row 1, not seen when fitting")
  T.raises(function() cl.model.load("/nonexistent/m.clm") end, "does not exist")
end)

T.case("end to end on mlc_churn.csv: matches statsmodels (Tests/ChurnCoreTests/References/linear_reference.py)", function()
  local df = cl.read_csv("Tests/ChurnCoreTests/Fixtures/mlc_churn.csv"):head(4000)
  local m = cl.model.logistic({ penalty = "none", tol = 1e-10 }):fit(df, { target = "churn", positive = "yes", features = {
    "account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls",
    "total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls",
    "total_intl_minutes", "total_intl_calls", "number_customer_service_calls",
    "international_plan", "voice_mail_plan" } })
  local co = m:coefficients()
  local coef, se = co.coef:to_table(), co.std_err:to_table()
  -- statsmodels Logit params / bse: const, international_plan=yes, voice_mail_plan=yes
  local want = { [1] = { -8.579525862754881, 0.6654576153815112 }, [13] = { 1.9644391043013103, 0.1351862024643147 },
                 [14] = { -2.2676599584998707, 0.5249212427867597 } }
  for i, w in pairs(want) do
    T.near(coef[i], w[1], 1e-4 * math.abs(w[1]), co.name:to_table()[i])
    T.near(se[i], w[2], 1e-4 * w[2], co.name:to_table()[i])
  end
end)
