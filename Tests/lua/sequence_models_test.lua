-- cl.model.gru / lstm / cnn: sequence models on daily activity under the common
-- model interface, and the simulator's temporal option.
local T = cl.test

local sim = cl.simulate.platform { users = 400, days = 150, start = "2024-01-01", seed = 5, temporal = true, courses = 0 }
local log = cl.events(sim.events)
local data = cl.features.snapshots(log, { from = "2024-03-01", to = "2024-04-30", every = "28d",
  spec = { windows = { 7, 30 } }, label = { horizon = 30, active_within = 30 } })
local fit_opts = { target = "churn", features = { "user_id", "as_of", "recency_days", "events_30d" } }
local function small(kind, t)
  local o = { sequences = { events = log, days = 28 }, hidden = 8, head = 8, epochs = 3, batch_size = 64,
              learning_rate = 0.01, seed = 3, threads = 1 }
  for k, v in pairs(t or {}) do o[k] = v end
  return cl.model[kind](o)
end
local function logit(p) return math.log(p / (1 - p)) end

T.case("gru: fit on snapshot rows, predict, summary, params, history; lstm and cnn alike", function()
  local m = small("gru")
  T.eq(m.kind, "gru")
  m:fit(data, fit_opts)
  local p = m:predict_proba(data):to_table()
  T.eq(#p, #data)
  for i = 1, #p do T.ok(p[i] > 0 and p[i] < 1, "probability " .. i) end
  T.ok(cl.metrics.auc(data.churn:to_table(), p) > 0.6)
  T.ok(m:summary():find("gru on 28 days × 8 channels", 1, true), m:summary())
  T.ok(m:summary():find("+ 2 static features", 1, true), m:summary())
  T.eq(m:params().hidden, 8)
  T.eq(m:params().days, 28)
  T.eq(m:history():nrow(), 3)
  for _, kind in ipairs { "lstm", "cnn" } do
    local k = small(kind, kind == "cnn" and { kernel = 3, layers = 2 } or nil):fit(data, fit_opts)
    T.eq(k.kind, kind)
    T.eq(#k:predict_proba(data), #data)
  end
  -- sequences only: the id and time columns alone
  local seq = small("gru"):fit(data, { target = "churn", features = { "user_id", "as_of" } })
  T.ok(seq:summary():find("no static features", 1, true))
end)

T.case("bit-identical for a seed; eval_set tracks AUC and early stopping keeps the best epoch", function()
  local a = small("gru"):fit(data, fit_opts):predict_proba(data):to_table()
  local b = small("gru"):fit(data, fit_opts):predict_proba(data):to_table()
  T.eq(a, b)
  local m = small("gru", { epochs = 6, early_stopping_rounds = 2 })
  m:fit(data, { target = "churn", features = fit_opts.features, eval_set = data })
  local h = m:history()
  T.ok(h.eval_auc:to_table()[1] > 0)
end)

T.case("save and load: the event log is attached again with set_events, predictions are identical", function()
  local m = small("gru"):fit(data, fit_opts)
  local path = os.tmpname()
  m:save(path)
  local back = cl.model.load(path)
  os.remove(path)
  T.eq(back.kind, "gru")
  T.raises(function() back:predict_proba(data) end, "set_events")
  back:set_events(log)
  T.eq(back:predict_proba(data):to_table(), m:predict_proba(data):to_table())
end)

T.case("explain adds up to the logit; explain_sequence names channels and their recent trend", function()
  local m = small("gru"):fit(data, fit_opts)
  local rows = data:head(5)
  local contrib, base = m:contributions(rows)
  local p = m:predict_proba(rows):to_table()
  for i = 1, 5 do
    local s = base
    for _, name in ipairs(contrib:names()) do s = s + contrib[name]:to_table()[i] end
    T.near(s, logit(p[i]), 1e-4)   -- exact by construction: the sequence's share is the remainder
  end
  T.eq(contrib.as_of:to_table(), { 0, 0, 0, 0, 0 })
  local e = m:explain(rows, { top = 2 })
  T.eq(e:nrow(), 10)
  local r = m:explain_sequence(rows, { top = 3, recent = 14, id = "user_id" })
  T.eq(r:nrow(), 15)
  T.eq(r:names(), { "row", "user_id", "rank", "channel", "contribution", "recent_contribution", "earlier_per_day", "recent_per_day", "reason" })
  local reason = r.reason:to_table()[1]
  T.ok(reason:find("over the last 14 days", 1, true) and (reason:find("risk", 1, true)), reason)
  -- per day and channel: integrated gradients add up to logit − baseline logit (up to the integration error)
  local att, channels = m:attributions(rows, { steps = 64 })
  T.eq(att:shape(), { 5, 28, 8 })
  T.eq(channels[3], "finish_lesson")
  local statics = 0
  for _, name in ipairs { "recency_days", "events_30d" } do statics = statics + contrib[name]:to_table()[1] end
  local total = 0
  local first = att:slice(1, 1):to_table()
  for _, day in ipairs(first[1]) do for _, v in ipairs(day) do total = total + v end end
  T.near(total + statics, logit(p[1]) - base, 0.02)
end)

T.case("cross_validate and permutation_importance take sequence kinds (permuting user_id permutes sequences)", function()
  local cv, sm = cl.model.cross_validate(small("gru"), data, { target = "churn", features = fit_opts.features, k = 3, metrics = { "auc" }, seed = 1 })
  T.eq(#cv, 3)
  T.ok(sm.mean.auc > 0.5, tostring(sm.mean.auc))
  local m = small("gru"):fit(data, fit_opts)
  local pi = cl.model.permutation_importance(m, data, { metric = "auc", repeats = 2, seed = 1 })
  local names = pi.feature:to_table()
  T.eq(#names, 4)
end)

T.case("grid_search and random_search take sequence kinds: the event log comes from the model they start from", function()
  local res, params, best = cl.model.grid_search(small("gru"), data, { target = "churn", features = fit_opts.features, k = 2,
                                                                       grid = { hidden = { 4, 8 }, schedule = { "constant", "cosine" } }, metrics = { "auc" }, seed = 1 })
  T.eq(#res, 4)
  T.eq(best.kind, "gru")
  T.eq(best:params().hidden, params.hidden)
  T.eq(#best:predict_proba(data), #data)   -- the refitted best model reads sequences from the same log
  -- one grid point by hand: the same mean AUC as cross_validate with those options
  local _, sm = cl.model.cross_validate(small("gru", { hidden = 4, schedule = "cosine" }), data,
                                        { target = "churn", features = fit_opts.features, k = 2, metrics = { "auc" }, seed = 1 })
  local hidden, schedule, auc = res.hidden:to_table(), res.schedule:to_table(), res.mean_auc:to_table()
  local found = false
  for i = 1, #res do
    if hidden[i] == 4 and schedule[i] == "cosine" then found = true; T.near(auc[i], sm.mean.auc, 1e-12) end
  end
  T.ok(found, "grid point hidden 4, cosine")
  local rs = cl.model.random_search(small("lstm"), data, { target = "churn", features = fit_opts.features, k = 2, n_iter = 2,
                                                           space = { hidden = { int = { 4, 6 } }, learning_rate = { uniform = { 0.005, 0.02 } } },
                                                           metrics = { "auc" }, seed = 2 })
  T.eq(#rs, 2)
  T.raises(function() cl.model.grid_search(small("gru"), data, { target = "churn", features = fit_opts.features, k = 2, grid = { hidden = { 0 } }, seed = 1 }) end, "hidden")
end)

T.case("sequences as a tensor (cl.features.sequences), joined on user_id and as_of, give the event log's predictions", function()
  local dates = {}
  for _, d in ipairs(data.as_of:unique():to_table()) do dates[#dates + 1] = tostring(d) end
  local tensor, ids, channels = cl.features.sequences(log, { as_of = dates, days = 28 })
  T.eq(ids:names(), { "user_id", "as_of" })
  local from_log = small("gru"):fit(data, fit_opts)
  local m = small("gru", { sequences = { tensor = tensor, ids = ids, channels = channels } }):fit(data, fit_opts)
  T.ok(m:summary():find("sequences from a tensor", 1, true), m:summary())
  -- the same inputs (same windows, log1p) and seed: bit-identical predictions
  T.eq(m:predict_proba(data):to_table(), from_log:predict_proba(data):to_table())
  -- one date: a tensor per user joined on user_id alone (with as_of = for the model)
  local last = dates[#dates]
  local t1, u1 = cl.features.sequences(log, { as_of = last, days = 28 })
  local rows = data:filter(cl.col("as_of"):eq(data.as_of:max()))
  local one = small("gru", { sequences = { tensor = t1, ids = u1 }, as_of = last }):fit(rows, { target = "churn", features = { "user_id", "recency_days" } })
  T.eq(one:params().days, 28)
  T.eq(#one:predict_proba(rows), #rows)
  -- save / load: the tensor is attached again with set_sequences
  local path = os.tmpname()
  m:save(path)
  local back = cl.model.load(path)
  os.remove(path)
  back:set_sequences { tensor = tensor, ids = ids }
  T.eq(back:predict_proba(data):to_table(), m:predict_proba(data):to_table())
  -- errors name the field and the row
  T.raises(function() small("gru", { sequences = { tensor = tensor, ids = u1 } }) end, "sequences.ids has")
  T.raises(function() small("gru", { sequences = { tensor = tensor, ids = ids, channels = { "a" } } }) end, "sequences.channels")
  T.raises(function() small("gru", { sequences = { tensor = tensor } }) end, "sequences.ids")
  back:set_sequences { tensor = tensor:slice(1, 10), ids = ids:head(10) }   -- rows missing from the tensor
  T.raises(function() back:predict_proba(data) end, "has no sequence in the tensor at that as_of")
end)

T.case("bad options and inputs are refused with the field named", function()
  T.raises(function() cl.model.gru {} end, "sequences")
  T.raises(function() cl.model.gru { sequences = { days = 7 } } end, "sequences.events")
  T.raises(function() cl.model.gru { sequences = { events = log, channels = { "nope" } } } end, "no event type 'nope'")
  T.raises(function() cl.model.gru { sequences = { events = log, days = 0 } } end, "days")
  T.raises(function() cl.model.gru { sequences = log, hidden = 0 } end, "field 'hidden'")
  T.raises(function() cl.model.gru { sequences = log, learning_rate = 0 } end, "field 'learning_rate'")
  T.raises(function() cl.model.gru { sequences = log, clip_norm = -1 } end, "field 'clip_norm'")
  T.raises(function() cl.model.gru { sequences = log, schedule = "linear" } end, "field 'schedule'")
  T.raises(function() cl.model.gru { sequences = { events = log, normalize = "standard" } } end, "'log1p' or 'none'")
  T.raises(function() cl.model.cnn { sequences = { events = log, days = 5 }, kernel = 7 }:fit(data, fit_opts) end, "need more than 5 days")
  T.raises(function() small("gru"):fit(data, { target = "churn", features = { "as_of", "recency_days" } }) end, "id column 'user_id'")
  T.raises(function() small("gru"):fit(data, { target = "churn", features = { "user_id", "recency_days" } }) end, "as_of")
  -- a fixed as_of for frames without one
  local users = data:filter(cl.col("as_of"):eq(data.as_of:max())):select { "user_id", "churn" }
  local m = small("gru", { as_of = "2024-04-26" }):fit(users, { target = "churn" })
  T.eq(#m:predict_proba(users), #users)
end)

T.case("simulator: temporal is off by default and then reproduces the pre-option output", function()
  -- Reference: notebooks/cohort_retention.ipynb, run at commit 915278d (before the option existed):
  -- seed 2024, 4000 users, cohorts 2024-01 … 2024-03 with these users and m1/m2 shares.
  local s = cl.simulate.platform { users = 4000, days = 365, start = "2024-01-01", seed = 2024 }
  local c = cl.analytics.cohort_retention(cl.events(s.events)):head(3)
  T.eq(c.users:to_table(), { 28, 70, 148 })
  T.near(c.m1:to_table(), { 0.928571, 0.771429, 0.783784 }, 1e-6)
  T.near(c.m2:to_table(), { 0.571429, 0.557143, 0.594595 }, 1e-6)
  local off = cl.simulate.platform { users = 300, days = 120, seed = 3, temporal = false, courses = 0 }
  local default = cl.simulate.platform { users = 300, days = 120, seed = 3, courses = 0 }
  T.eq(off.events.ts:to_table(), default.events.ts:to_table())
  local on = cl.simulate.platform { users = 300, days = 120, seed = 3, temporal = true, courses = 0 }
  local again = cl.simulate.platform { users = 300, days = 120, seed = 3, temporal = true, courses = 0 }
  T.eq(on.events.ts:to_table(), again.events.ts:to_table())
  T.ok(on.events:nrow() ~= off.events:nrow())
  T.eq(on.users.signup:to_table(), off.users.signup:to_table())   -- habits draw from their own stream
end)
