-- The AUC comparison on the simulator with temporal churn drivers
-- (cl.simulate.platform{temporal = true}): gradient boosting on per-window
-- aggregates vs a GRU on daily sequences vs a GRU on sequences + the same
-- aggregates as static features. Same rows for every model: observation dates
-- every 28 days; held-out users (seeded group split on user_id: 25 % of the
-- users for test, 15 % of the rest for early stopping).
-- Usage: churnlab run scripts/bench/sequence_auc.lua [USERS = 20000] [EPOCHS = 12] [HIDDEN = 32] [DAYS = 28]
--        [LEARNING_RATE = 3e-3] [ONLY = "static": skip the GRU on sequences alone]
local users = tonumber(arg[1]) or 20000
local epochs = tonumber(arg[2]) or 12
local hidden = tonumber(arg[3]) or 32
local days = tonumber(arg[4]) or 28
local lr = tonumber(arg[5]) or 3e-3
local only_static = arg[6] == "static"
cl.seed(7)
local t0 = cl.clock()
local sim = cl.simulate.platform { users = users, days = 365, start = "2024-01-01", seed = 7, temporal = true, courses = 0 }
local log = cl.events(sim.events)
local data = cl.features.snapshots(log, { from = "2024-03-01", to = "2024-12-01", every = "28d",
  spec = { windows = { 7, 30, 90 } }, label = { horizon = 30, active_within = 30 } })
local fit, test = data:group_split { group = "user_id", test = 0.25, seed = 7 }
local train, valid = fit:group_split { group = "user_id", test = 0.15, seed = 8 }
cl.printf("RESULT data: %d users, %d train / %d validation / %d test rows, %d aggregate columns, churn rate %.3f (%.0f s)\n",
          users, #train, #valid, #test, data:ncol() - 4, data.churn:mean(), cl.clock() - t0)
local keys = { "user_id", "as_of", "churn", "censored" }
local y = test.churn

local function report(name, m, opts, secs)
  local p = m:predict_proba(test)
  cl.printf("RESULT %-26s test AUC %.4f  (%.0f s)\n", name, cl.metrics.auc(y, p), secs)
  return p
end

local t = cl.clock()
local gbdt = cl.model.gbdt { trees = 600, learning_rate = 0.05, leaves = 31, early_stopping_rounds = 30, seed = 7 }
gbdt:fit(train, { target = "churn", exclude = keys, eval_set = valid })
local p_gbdt = report("gbdt on aggregates", gbdt, nil, cl.clock() - t)

local function gru(features, exclude)
  local m = cl.model.gru { sequences = { events = log, days = days }, hidden = hidden, head = 32, epochs = epochs,
                           batch_size = 256, learning_rate = lr, schedule = "cosine", early_stopping_rounds = 4, seed = 7 }
  m:fit(train, { target = "churn", features = features, exclude = exclude, eval_set = valid })
  return m
end
local p_seq
if not only_static then
  t = cl.clock()
  local seq = gru({ "user_id", "as_of" })
  p_seq = report("gru on sequences", seq, nil, cl.clock() - t)
end
t = cl.clock()
local both = gru(nil, { "churn", "censored" })
local p_both = report("gru on sequences + static", both, nil, cl.clock() - t)
for _, c in ipairs { { "gru + static", p_both }, { "gru on sequences", p_seq } } do
  if c[2] then
    local d = cl.metrics.delong(y, c[2], p_gbdt)
    cl.printf("RESULT %s vs gbdt: ΔAUC %+.4f (95%% CI %+.4f … %+.4f), DeLong p = %.3g\n", c[1], d.difference, d.lower, d.upper, d.p_value)
  end
end
print(both:history())
local r = both:explain_sequence(test:head(3), { top = 2, id = "user_id" })
for i = 1, #r do cl.printf("RESULT reason row %d: %s\n", r.row:to_table()[i], r.reason:to_table()[i]) end
