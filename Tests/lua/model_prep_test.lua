-- Models that carry their preprocessing: fit{prep = pipeline} fits the
-- pipeline on the training frame, applies it at predict time, saves it.
local T = cl.test

local tenure, spend, churn = {}, {}, {}
for i = 1, 200 do
  tenure[i] = (i % 7 == 0) and cl.null or (i % 50)
  spend[i] = 10 + (i * 13) % 90
  churn[i] = ((i % 50) < 12 and (i % 3) ~= 0) and 1 or 0
end
local df = cl.frame({ tenure = tenure, spend = spend, churn = churn }, { names = { "tenure", "spend", "churn" } })
local function pipeline()
  return cl.prep.pipeline { cl.prep.imputer { strategy = "median", columns = { "tenure" } },
                            cl.prep.standard_scaler { columns = { "tenure", "spend" } } }
end
local dir = os.tmpname(); os.remove(dir); os.execute("mkdir -p " .. dir)

T.case("logistic: nulls imputed and columns scaled inside the model", function()
  T.raises(function() cl.model.logistic {}:fit(df, { target = "churn" }) end, "missing")
  local p = pipeline()
  local m = cl.model.logistic {}:fit(df, { target = "churn", prep = p })
  -- same as doing it by hand
  local manual = pipeline():fit(df)
  local m2 = cl.model.logistic {}:fit(manual:transform(df), { target = "churn" })
  T.near(m:predict_proba(df):to_table(), m2:predict_proba(manual:transform(df)):to_table(), 1e-12)
  T.raises(function() p:transform(df) end, "before fit")   -- the caller's pipeline was not fitted in place
  m:save(dir .. "/l.clm")
  T.eq(cl.model.load(dir .. "/l.clm"):predict_proba(df):to_table(), m:predict_proba(df):to_table())
  T.eq(m:explain(df, { top = 1 }):nrow(), 200)
end)

T.case("gbdt: the pipeline travels with the saved model", function()
  local m = cl.model.gbdt { trees = 10, leaves = 4, min_data_in_leaf = 5 }:fit(df, { target = "churn", prep = pipeline() })
  m:save(dir .. "/g.clm")
  T.eq(cl.model.load(dir .. "/g.clm"):predict_proba(df):to_table(), m:predict_proba(df):to_table())
  T.raises(function() m:fit(df, { target = "churn", prep = df }) end, "field 'prep': a cl.prep step or pipeline expected")
end)
