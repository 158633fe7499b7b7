-- Issue 19 item 0: logistic regression at scale through a prep pipeline, the
-- ChurnLab side of scripts/bench/logistic_pipeline.sh.
-- Usage: churnlab run scripts/bench/logistic_pipeline.lua TABLE.csv TRAIN_ROWS
-- imputer (mean) + standard_scaler on the numeric columns, one_hot on the five
-- categoricals (nulls → all zeros), cl.model.logistic{C = 1} with its default
-- stopping rule; the fit (prep included) is timed, not the CSV load.
local path, ntrain = arg[1], math.tointeger(tonumber(arg[2]))
assert(path and ntrain, "usage: logistic_pipeline.lua TABLE.csv TRAIN_ROWS")
local cats = { "contract", "payment_method", "plan", "region", "device" }
local is_cat = {}
for _, c in ipairs(cats) do is_cat[c] = true end
local df = cl.read_csv(path)
local numeric = {}
for _, n in ipairs(df:names()) do
  if not is_cat[n] and n ~= "churn" then numeric[#numeric + 1] = n end
end
local train, test = df:head(ntrain), df:slice(ntrain + 1)
df = nil
collectgarbage()

local prep = cl.prep.pipeline {
  cl.prep.imputer { strategy = "mean", columns = numeric },
  cl.prep.standard_scaler { columns = numeric },
  cl.prep.one_hot { columns = cats },
}
local t0 = cl.clock()
local m = cl.model.logistic { C = 1 }:fit(train, { target = "churn", prep = prep })
local secs = cl.clock() - t0
local info = m:info()
local ptr, pte = m:predict_proba(train), m:predict_proba(test)
cl.printf("RESULT churnlab  fit %7.2fs  iters %4d  design columns %d  train_logloss %.8f  test_auc %.6f\n",
  secs, info.iterations, m:coefficients():nrow() - 1,
  cl.metrics.log_loss(train.churn, ptr), cl.metrics.auc(test.churn, pte))
