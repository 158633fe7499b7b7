-- Observation schedules from subscription chains ("Fighting Churn With Data", ch. 4).
-- Expected values are hand-computed from the calendar (noted next to each assertion).
local T = cl.test
local N = cl.null

local f = cl.frame({
  user_id = { 1, 1, 1, 2, 2, 3 },
  start = { "2024-01-31", "2024-02-29", "2024-03-31", "2024-01-10", "2024-02-15", "2024-03-01" },
  ["end"] = { "2024-02-29", "2024-03-31", "2024-04-30", "2024-02-10", "2024-03-15", N },
  plan = { "m", "m", "m", "m", "m", "m" },
  price = { 10, 10, 10, 10, 10, 10 },
}):mutate({ start = cl.col("start"):cast("date"), ["end"] = cl.col("end"):cast("date") })
local subs = cl.subscriptions(f)

T.case("active periods chain renewals; a gap tolerance joins a short lapse", function()
  local p = cl.features.active_periods(subs, { data_end = "2024-06-01" })
  T.eq(p.user_id:to_table(), { 1, 2, 2, 3 })
  T.eq(p.start:to_table(), { "2024-01-31", "2024-01-10", "2024-02-15", "2024-03-01" })
  T.eq(p.churn_date:to_table(), { "2024-04-30", "2024-02-10", "2024-03-15", nil })
  T.eq(p.days:to_table()[1], 90)   -- Jan 31 → Apr 30: 29 + 31 + 30
  local g = cl.features.active_periods(subs, { gap_days = 7, data_end = "2024-06-01" })
  T.eq(g.user_id:to_table(), { 1, 2, 3 })
  T.eq(g.churn_date:to_table(), { "2024-04-30", "2024-03-15", nil })
  T.raises(function() cl.features.active_periods(subs, { gap = 7 }) end, "(valid: data_end, gap_days)")
end)

T.case("observation dates: one month after each start minus the lead time, churn before the next", function()
  local o = cl.features.observation_dates(subs, { every = "1M", lead_days = 7, data_end = "2024-06-01" })
  T.eq(o:names(), { "user_id", "observation_date", "is_churn", "tenure_days", "period_start" })
  -- user 1 renews Feb 29, Mar 31, Apr 30 (day clamped): observed 7 days before each; the period ends Apr 30.
  -- user 2: two periods (5-day lapse), each churns at its first renewal. user 3 (open): Apr 1 − 7, May 1 − 7;
  -- June 1 − 7 is left out (its outcome lies after data_end).
  T.eq(o.user_id:to_table(), { 1, 1, 1, 2, 2, 3, 3 })
  T.eq(o.observation_date:to_table(), { "2024-02-22", "2024-03-24", "2024-04-23", "2024-02-03", "2024-03-08", "2024-03-25", "2024-04-24" })
  T.eq(o.is_churn:to_table(), { false, false, true, true, true, false, false })
  T.eq(o.tenure_days:to_table(), { 22, 53, 83, 24, 22, 24, 54 })
  local g = cl.features.observation_dates(subs, { gap_days = 7, data_end = "2024-06-01" })
  -- with the lapse tolerated, user 2 is one period from Jan 10: Feb 3 (no churn), Mar 3 (churns Mar 15)
  T.eq(g:filter(cl.col("user_id"):eq(2)).observation_date:to_table(), { "2024-02-03", "2024-03-03" })
  T.eq(g:filter(cl.col("user_id"):eq(2)).is_churn:to_table(), { false, true })
  T.eq(g:filter(cl.col("user_id"):eq(2)).tenure_days:to_table(), { 24, 53 })
  -- from / to restrict the dates; days as the interval
  T.eq(cl.features.observation_dates(subs, { from = "2024-03-01", to = "2024-03-31", data_end = "2024-06-01" }).observation_date:to_table(),
       { "2024-03-24", "2024-03-08", "2024-03-25" })
  local d = cl.features.observation_dates(subs, { every = "30d", lead_days = 0, data_end = "2024-06-01" })
  T.eq(d:filter(cl.col("user_id"):eq(3)).observation_date:to_table(), { "2024-03-31", "2024-04-30" })
  T.raises(function() cl.features.observation_dates(subs, { every = "0M" }) end, "not a number of months")
  T.raises(function() cl.features.observation_dates(subs, { lead_days = -1 }) end, "lead_days")
end)

T.case("tenure from chained subscriptions", function()
  local t = cl.features.tenure(subs, { as_of = "2024-03-20" })
  -- user 1 since Jan 31 (49 days); user 2's second period ended Mar 15; user 3 since Mar 1 (19 days)
  T.eq(t.user_id:to_table(), { 1, 3 })
  T.eq(t.tenure_days:to_table(), { 49, 19 })
  -- on Mar 1, user 2 counts from Feb 15 (15 days), or from Jan 10 (51 days) when the 5-day lapse is tolerated
  T.eq(cl.features.tenure(subs, { as_of = "2024-03-01" }):filter(cl.col("user_id"):eq(2)).tenure_days:to_table(), { 15 })
  T.eq(cl.features.tenure(subs, { as_of = "2024-03-01", gap_days = 7 }):filter(cl.col("user_id"):eq(2)).tenure_days:to_table(), { 51 })
  T.raises(function() cl.features.tenure(subs, {}) end, "field 'as_of'")
end)
