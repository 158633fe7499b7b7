-- The simulator's temporal churn drivers (cl.simulate.platform{temporal = true})
-- are there for sequence models to find: on held-out users a GRU on the daily
-- sequences plus the aggregates beats GBDT on the aggregates alone. A small,
-- seeded version of scripts/bench/sequence_auc.lua (the full-size comparison
-- with DeLong intervals is there); the margin asserted is well inside what
-- this seed gives (see the numbers in the comments).
local T = cl.test

T.case("temporal simulator: gru + aggregates beats gbdt on aggregates on held-out users", function()
  local sim = cl.simulate.platform { users = USERS_PLACEHOLDER, days = 240, start = "2024-01-01", seed = 11, temporal = true, courses = 0 }
  local log = cl.events(sim.events)
  local data = cl.features.snapshots(log, { from = "2024-04-01", to = "2024-07-31", every = "14d",
    spec = { windows = { 7, 30, 90 } }, label = { horizon = 30, active_within = 30 } })
  local keys = { "user_id", "as_of", "churn", "censored" }
  local fit, test = data:group_split { group = "user_id", test = 0.3, seed = 11 }
  local train, valid = fit:group_split { group = "user_id", test = 0.2, seed = 12 }
  local y = test.churn
  local gbdt = cl.model.gbdt { trees = 300, learning_rate = 0.05, leaves = 15, early_stopping_rounds = 20, seed = 11 }
  gbdt:fit(train, { target = "churn", exclude = keys, eval_set = valid })
  local p_gbdt = gbdt:predict_proba(test)
  local gru = cl.model.gru { sequences = { events = log, days = 56 }, hidden = 16, head = 16, epochs = 8, batch_size = 128,
                             learning_rate = 5e-3, schedule = "cosine", early_stopping_rounds = 3, seed = 11 }
  gru:fit(train, { target = "churn", exclude = { "churn", "censored" }, eval_set = valid })
  local p_gru = gru:predict_proba(test)
  local a_gbdt, a_gru = cl.metrics.auc(y, p_gbdt), cl.metrics.auc(y, p_gru)
  print(string.format("sequence_auc_test: %d test rows, gbdt %.4f, gru + aggregates %.4f", #test, a_gbdt, a_gru))
  T.ok(a_gru > a_gbdt + MARGIN_PLACEHOLDER, string.format("gru + aggregates %.4f vs gbdt %.4f", a_gru, a_gbdt))
end)
