-- cl.model.logistic{intercept_scaling = s}: liblinear's penalised intercept.
-- Reference: scikit-learn 1.9 LogisticRegression(solver="liblinear", C=0.01,
-- intercept_scaling=s, tol=1e-12), scripts/reference/logistic_liblinear_reference.py
-- (output in logistic_liblinear_reference.out); mlc_churn first 2000 rows.
local t = cl.test

local df = cl.read_csv("Tests/ChurnCoreTests/Fixtures/mlc_churn.csv"):head(2000)
local features = { "total_day_minutes", "number_customer_service_calls", "international_plan" }

-- {intercept, coef...} per case.
local want = {
  { "l2", 1, { -0.6561998696053799, -0.006876008165200465, 0.13223328336758158, 0.3835289717911325 } },
  { "l2", 5, { -3.449415503894185, 0.005876307325695318, 0.3011609251339888, 0.40631971287087765 } },
  { "l1", 1, { 0.0, -0.009052414720194302, 0.0, 0.0 } },
  { "l1", 5, { -2.6851590228678184, 0.003850191068917066, 0.12986534243632097, 0.0 } },
}

for _, w in ipairs(want) do
  t.case(string.format("%s, intercept_scaling = %g matches scikit-learn liblinear", w[1], w[2]), function()
    local m = cl.model.logistic{ penalty = w[1], C = 0.01, intercept_scaling = w[2], tol = 1e-10, max_iter = 100000 }
    m:fit(df, { target = "churn", positive = "yes", features = features })
    local co = m:coefficients().coef:to_table()
    for i = 1, 4 do t.near(co[i], w[3][i], 1e-5, "coefficient " .. i) end
    t.eq(m:params().intercept_scaling, w[2])
  end)
end

t.case("intercept_scaling is validated", function()
  t.raises(function() cl.model.logistic{ intercept_scaling = 0 } end, "intercept_scaling")
  t.raises(function() cl.model.logistic{ intercept_scaling = 0 / 0 } end, "intercept_scaling")
  t.raises(function() cl.model.logistic{ intercept_scaling = 2, standardize = true } end, "standardize")
  t.raises(function() cl.model.logistic{ intercept_scaling = 2, fit_intercept = false } end, "fit_intercept")
end)
