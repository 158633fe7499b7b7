-- cl.events, cl.subscriptions, cl.features, cl.labels, cl.analytics, cl.simulate.
local T = cl.test

local ev = cl.frame({
  user_id = { 1, 1, 1, 2, 3 },
  ts = { "2024-03-01T10:00:00", "2024-03-05T12:00:00", "2024-03-10T00:00:00", "2024-03-08T09:00:00", "2024-03-10T00:00:00" },
  event = { "login", "buy", "login", "login", "login" },
  amount = { cl.null, 20, cl.null, cl.null, cl.null },
}, { names = { "user_id", "ts", "event", "amount" } })
local log = cl.events(ev)

T.case("event log from a frame with ISO time text", function()
  T.eq(log:nevents(), 5)
  T.eq(#log, 5)
  T.eq(log:nusers(), 3)
  T.eq(log:types(), { "login", "buy" })
  local lo, hi = log:range()
  T.eq({ lo, hi }, { "2024-03-01T10:00:00", "2024-03-10T00:00:00" })
  T.ok(tostring(log):find("5 events, 3 users", 1, true))
end)

T.case("features by hand as of 2024-03-10", function()
  local f = cl.features.build(log, { as_of = "2024-03-10", windows = { 7, 30 } })
  T.eq(f.user_id:to_table(), { 1, 2 })          -- user 3 is first seen exactly at as_of: absent
  T.eq(f.events_7d:to_table(), { 1, 1 })        -- 03-05 and 03-08 are in [03-03, 03-10); 03-10 is not
  T.eq(f.events_30d:to_table(), { 2, 1 })
  T.eq(f.buy_30d:to_table(), { 1, 0 })
  T.eq(f.amount_30d:to_table(), { 20, 0 })
  T.eq(f.recency_days:to_table(), { 4.5, 1.625 })   -- 4 d 12 h and 1 d 15 h before as_of
  T.eq(f.recency_buy_days:to_table(), { 4.5, nil }) -- never bought: nil
  T.eq(f.tenure_days:to_table(), { 8 + 14 / 24, 1.625 })
end)

T.case("labels: boundaries and censoring", function()
  -- Horizon [03-09, 03-10): user 1's next event is exactly at the end, so outside.
  local l = cl.labels.churn(log, { as_of = "2024-03-09", horizon = 1, active_within = 30 })
  T.eq(l.user_id:to_table(), { 1, 2 })
  T.eq(l.churn:to_table(), { 1, 1 })
  -- A two-day horizon runs past the last event: every user would be excluded, which is an error
  -- saying why (not a silent empty frame); flagged, they are kept with churn = nil.
  T.raises(function() cl.labels.churn(log, { as_of = "2024-03-09", horizon = 2 }) end,
    "every user is censored, so censoring = 'exclude' would return no rows: the label window ends at as_of + horizon (2 d) = 2024-03-11")
  local f = cl.labels.churn(log, { as_of = "2024-03-09", horizon = 2, censoring = "flag" })
  T.eq(f.censored:to_table(), { true, true })
  T.eq(f.churn:to_table(), {})
end)

T.case("clear errors", function()
  T.raises(function() cl.features.build(log, { as_of = "2024-13-01" }) end, "is not a date like")
  T.raises(function() cl.features.build(log, { as_of = "2024-03-10", windws = { 7 } }) end, "did you mean 'windows'?")
  T.raises(function() cl.features.build(log, { windows = { 7 } }) end, "field 'as_of'")
  T.raises(function() cl.features.build(log, { as_of = "2024-03-10", event_types = { "bye" } }) end, "did you mean 'buy'?")
  T.raises(function() cl.features.build(log, { as_of = "2024-03-10", families = { "activty" } }) end, "unknown family 'activty'")
  T.raises(function() cl.labels.churn(log, { as_of = "2024-03-09", definition = "subscription" }) end, "needs a subscriptions table")
  T.raises(function() cl.events(ev, { user = "uid" }) end, "no column 'uid'")
end)

T.case("simulate, snapshots, subscription labels and analytics", function()
  local sim = cl.simulate.platform { users = 300, days = 120, start = "2024-01-01", seed = 3 }
  T.eq(sim.users:nrow(), 300)
  T.eq(sim.events:names(), { "user_id", "ts", "event", "amount" })
  T.eq(cl.simulate.platform { users = 300, days = 120, seed = 3 }.events:nrow(), sim.events:nrow())
  local elog = cl.events(sim.events)
  local subs = cl.subscriptions(sim.subscriptions)
  T.eq(elog:nusers(), 300)
  local s = cl.features.snapshots(elog, {
    from = "2024-03-01", to = "2024-04-01", every = "2w",
    spec = { windows = { 7, 30 } }, label = { horizon = 14 }, subscriptions = subs,
  })
  T.eq(s:names()[1], "as_of")
  T.eq(s:names()[#s:names()], "censored")
  T.ok(s:nrow() > 100, s:nrow())
  local dates = {}
  for _, d in ipairs(s.as_of:to_table()) do dates[d] = true end
  T.eq(dates, { ["2024-03-01T00:00:00"] = true, ["2024-03-15T00:00:00"] = true, ["2024-03-29T00:00:00"] = true })
  local sl = cl.labels.churn(subs, { as_of = "2024-03-01", horizon = 30 })
  T.ok(sl:nrow() > 50, sl:nrow())
  local a = cl.analytics.active_users(elog, { from = "2024-02-01", to = "2024-02-08" })
  T.eq(a:nrow(), 7)
  T.eq(a:names(), { "date", "dau", "wau", "mau", "stickiness" })
  local c = cl.analytics.cohort_retention(elog)
  for _, v in ipairs(c.m0:to_table()) do T.eq(v, 1.0) end
  T.eq(cl.analytics.retention_curve(elog, { max_days = 10 }):nrow(), 11)
  T.eq(cl.analytics.funnel(elog).stage:to_table(), { "signup", "purchase", "renew" })
  T.ok(cl.analytics.churn_rates(subs):nrow() >= 2)
  T.ok(cl.analytics.revenue_retention(subs):nrow() >= 2)
  T.ok(cl.analytics.ltv(elog):nrow() >= 3)
end)

T.case("price_period: monthly prices on calendar-month terms create no fake expansion", function()
  -- User 1 pays 30 a calendar month then 45 from March; user 2 pays 60 and leaves on Mar 1.
  -- By hand: NRR January = 90 / 90 = 1, February = 45 / 90 = 0.5, expansion 0 and 15.
  local f = cl.frame({
    user_id = { 1, 1, 1, 2, 2 },
    start = { "2024-01-01", "2024-02-01", "2024-03-01", "2024-01-01", "2024-02-01" },
    ["end"] = { "2024-02-01", "2024-03-01", "2024-04-01", "2024-02-01", "2024-03-01" },
    plan = { "m", "m", "m", "m", "m" },
    price = { 30, 30, 45, 60, 60 },
  }, { names = { "user_id", "start", "end", "plan", "price" } })
  for _, period in ipairs({ "term", "month" }) do
    local r = cl.analytics.revenue_retention(cl.subscriptions(f, { price_period = period }))
    T.eq(r.nrr:to_table(), { 1, 0.5 })
    T.eq(r.expansion:to_table(), { 0, 15 })
    T.eq(r.contraction:to_table(), { 0, 0 })
  end
  T.raises(function() cl.subscriptions(f, { price_period = "year" }) end, "'year' is not 'term'")
end)

T.case("labels.churn says why when every user is censored", function()
  local f = cl.frame({
    user_id = { 1, 2 }, start = { "2024-01-01", "2024-01-15" }, ["end"] = { "2024-02-01", "2024-02-15" },
    plan = { "m", "m" }, price = { 10, 10 },
  }, { names = { "user_id", "start", "end", "plan", "price" } })
  local subs = cl.subscriptions(f)
  -- No data_end: the data ends just after the latest start (Jan 15); Jan 20 + 7 + 7 grace days is later.
  T.raises(function() cl.labels.churn(subs, { as_of = "2024-01-20", horizon = 7, grace_days = 7 }) end,
    "every user is censored")
  local l = cl.labels.churn(subs, { as_of = "2024-01-20", horizon = 7, grace_days = 7, data_end = "2024-03-01" })
  T.eq(l.churn:to_table(), { 0, 0 })
  -- A term starting exactly at as_of is running.
  T.eq(cl.labels.churn(subs, { as_of = "2024-01-15", horizon = 7, data_end = "2024-03-01" }):nrow(), 2)
end)
