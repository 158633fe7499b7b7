-- cl.rules: declarations, evaluation (vectorized and per-user functions), effect, cron.
local T = cl.test
local col = cl.col

local users = cl.frame({
  user_id = { "u1", "u2", "u3", "u4", "u5", "u6" },
  risk = { 0.9, 0.8, 0.75, 0.5, 0.45, 0.1 },
  tenure_days = { 40, 10, 100, 50, 5, 300 },
  name = { "Ann", "Bo", "Cy", "Di", "Ed", "Flo" },
  opt_out = { false, false, false, false, true, false },
}, { names = { "user_id", "risk", "tenure_days", "name", "opt_out" } })

local function declare()
  cl.rules.reset()
  cl.rules.tiers{ score = "risk", high = 0.7, medium = 0.4 }
  cl.rules.suppress{ column = "opt_out" }
  cl.rules.rule{ name = "win_back", when = col("risk"):ge(0.7) & col("tenure_days"):gt(30),
    action = { channel = "coupon", offer = "20% off", cost = 5, message = "Hi {name}, tier {tier}" },
    priority = 10, budget = { max_users = 1 }, cooldown = "14d" }
  cl.rules.rule{ name = "email", tier = { "high", "medium" }, action = { channel = "email", cost = 1 }, priority = 5 }
  cl.rules.rule{ name = "recs", action = { channel = "app" } }
end

T.case("priority, budget, tiers, suppression and templates", function()
  declare()
  local d, summary = cl.rules.evaluate(users, { as_of = "2024-10-01" })
  T.eq(d.user_id:to_table(), { "u1", "u2", "u3", "u4", "u6" })
  T.eq(d.rule:to_table(), { "win_back", "email", "email", "email", "recs" })
  T.eq(d.tier:to_table(), { "high", "high", "high", "medium", "low" })
  T.eq(d.message:to_table()[1], "Hi Ann, tier high")
  T.eq(summary.win_back, { treatment = 1, control = 0, cost = 5.0 })
  T.eq(summary.email.cost, 3.0)
  T.eq(cl.rules.list()[1].name, "win_back")
end)

T.case("per-user Lua function conditions", function()
  cl.rules.reset()
  cl.rules.rule{ name = "f", when = function(u) return u.risk > 0.6 and u.name ~= "Bo" end, action = { channel = "sms" } }
  local d = cl.rules.evaluate(users, { as_of = "2024-10-01" })
  T.eq(d.user_id:to_table(), { "u1", "u3" })
  cl.rules.reset()
  cl.rules.rule{ name = "bad", when = function(u) return u.nope.x end, action = { channel = "sms" } }
  T.raises(function() cl.rules.evaluate(users, { as_of = "2024-10-01" }) end, "rule 'bad', user row 1")
end)

T.case("holdout is stable and seeded", function()
  cl.rules.reset()
  cl.rules.settings{ seed = "k", experiment = "exp" }
  local ids = {}
  for i = 1, 400 do ids[i] = "user" .. i end
  local f = cl.frame({ user_id = ids })
  cl.rules.rule{ name = "r", action = { channel = "c" }, holdout = 0.5 }
  local a = cl.rules.evaluate(f, { as_of = "2024-10-01" })
  local b = cl.rules.evaluate(f, { as_of = "2024-10-02" })
  T.eq(a.group:to_table(), b.group:to_table())
  local controls = 0
  for _, g in ipairs(a.group:to_table()) do if g == "control" then controls = controls + 1 end end
  T.near(controls / 400, 0.5, 0.08)
end)

T.case("effect report", function()
  local d = cl.frame({ user_id = { "a", "b", "c", "d" }, rule = { "r", "r", "r", "r" },
                       group = { "treatment", "treatment", "control", "control" }, cost = { 2, 2, 0, 0 } })
  local out = cl.frame({ user_id = { "a", "b", "c", "d" }, retained = { true, true, true, false } })
  local e = cl.rules.effect(d, out)
  T.eq(e.treated:to_table(), { 2 })
  T.near(e.lift:to_table()[1], 0.5, 1e-12)
  T.near(e.cost_per_retained:to_table()[1], 4.0, 1e-12)   -- 4 / (0.5 × 2)
end)

T.case("bad declarations", function()
  cl.rules.reset()
  T.raises(function() cl.rules.rule{ name = "x" } end, "'action' table (or cl.policy.use(policy)) is required")
  T.raises(function() cl.rules.rule{ name = "x", action = { channel = "c" }, holdout = 1.5 } end, "field 'holdout': must be a number in [0, 1), got 1.5")
  T.raises(function() cl.rules.rule{ name = "x", action = { channel = "c" }, whn = 1 } end, "whn")
  T.raises(function() cl.rules.rule{ name = "x", when = 3, action = { channel = "c" } } end, "'when' must be a cl.Expr")
  T.raises(function() cl.rules.rule{ name = "x", action = { channel = "c" }, cooldown = "3x" } end, "bad duration")
  T.raises(function() cl.rules.evaluate(users, {}) end, "as_of")
end)

T.case("cron", function()
  T.eq(cl.rules.cron_next("*/15 9-17 * * mon-fri", "2024-10-04T17:50:00Z"), "2024-10-07T09:00:00Z")
  T.eq(cl.rules.cron_next("0 9 * * *", "2024-10-01T00:00:00Z", "Europe/Berlin"), "2024-10-01T07:00:00Z")
  T.raises(function() cl.rules.cron_next("61 * * * *", "2024-10-01T00:00:00Z") end, "minute value 61")
end)

T.case("cl.policy.use: a policy chooses the rule's action and every decision logs its propensity", function()
  cl.rules.reset()
  local ids, risk, tenure = {}, {}, {}
  for i = 1, 300 do ids[i] = "p" .. i; risk[i] = i / 300; tenure[i] = i % 5 end
  local f = cl.frame({ user_id = ids, risk = risk, tenure = tenure })
  -- risk < 0.5 → none, else coupon; explore 0.3 over 3 actions; holdout 0.1.
  local pol = cl.policy.tiers{ actions = { "none", "email", "coupon" }, column = "risk",
    tiers = { { below = 0.5, action = "none" } }, default = "coupon" }
  cl.rules.settings{ context = { "tenure" } }
  cl.rules.rule{ name = "learned", action = cl.policy.use(pol, { explore = 0.3,
      actions = { email = { channel = "email", cost = 1 }, coupon = { channel = "app", offer = "10%", cost = 5 } } }),
    holdout = 0.1, horizon = "30d", budget = { max_cost = 1e9 } }
  local d = cl.rules.evaluate(f, { as_of = "2024-10-01" })
  T.eq(d:nrow(), 300)
  local acts, props, groups, chans = d.action:to_table(), d.propensity:to_table(), d.group:to_table(), d.channel:to_table()
  for i = 1, 300 do
    local r = tonumber(d.user_id:to_table()[i]:sub(2)) / 300
    local greedy = r < 0.5 and "none" or "coupon"
    if groups[i] == "control" then
      T.eq(acts[i], "none"); T.near(props[i], 0.1, 1e-12)
    else
      -- (1 − holdout)·((1 − ε)·1{a = π(x)} + ε/K)
      T.near(props[i], 0.9 * ((acts[i] == greedy and 0.7 or 0) + 0.1), 1e-12)
      T.eq(groups[i], acts[i] == "none" and "none" or "treatment")
      if acts[i] == "coupon" then T.eq(chans[i], "app") end
    end
  end
  T.raises(function() cl.policy.use(pol, { explore = 2 }) end, "field 'explore'")
  T.raises(function() cl.policy.use(pol, { actions = { sms = { channel = "sms" } } }) end, "not an action of the policy")
  T.raises(function() cl.policy.use(pol, { actions = {} }) end, "contacts anyone")
  T.raises(function() cl.rules.rule{ name = "h", action = { channel = "c" }, horizon = "-1d" } end, "duration")
  cl.rules.reset()
end)

T.case("cl.rules.run commits to a ledger exactly once; cl.rules.history reads decisions and propensities back", function()
  cl.rules.reset()
  local ids, risk, tenure = {}, {}, {}
  for i = 1, 200 do ids[i] = "u" .. i; risk[i] = i / 200; tenure[i] = i % 7 end
  local f = cl.frame({ user_id = ids, risk = risk, tenure = tenure })
  local pol = cl.policy.tiers{ actions = { "none", "email", "coupon" }, column = "risk",
    tiers = { { below = 0.5, action = "none" } }, default = "coupon" }
  cl.rules.settings{ context = { "tenure" } }
  cl.rules.rule{ name = "learned", action = cl.policy.use(pol, { explore = 0.3,
      actions = { email = { channel = "email", cost = 1 }, coupon = { channel = "app", offer = "10%", cost = 5 } } }),
    holdout = 0.1, horizon = "30d", cooldown = "14d" }
  local expected = cl.rules.evaluate(f, { as_of = "2024-10-01" })
  local db = os.tmpname()
  local r1 = cl.rules.run(f, { ledger = db, as_of = "2024-10-01", run_id = "nb-1" })
  T.eq(r1.run_id, "nb-1"); T.eq(r1.period, "2024-10-01"); T.eq(r1.inserted, 200); T.eq(r1.duplicates, 0)
  T.eq(r1.already_committed, false)
  -- The same run id again: already committed, nothing written.
  local r2 = cl.rules.run(f, { ledger = db, as_of = "2024-10-01", run_id = "nb-1" })
  T.eq(r2.already_committed, true); T.eq(r2.inserted, 0)
  -- Another id for the same period: the users contacted are now in their cooldown (the history is read
  -- from the ledger), every other (rule, user, period) is already there.
  local treated0 = 0
  for _, g in ipairs(expected.group:to_table()) do if g == "treatment" then treated0 = treated0 + 1 end end
  T.ok(treated0 > 50 and treated0 < 150)
  local r3 = cl.rules.run(f, { ledger = db, as_of = "2024-10-01", run_id = "nb-1b" })
  T.eq(r3.already_committed, false); T.eq(r3.inserted, 0); T.eq(r3.duplicates, 200 - treated0)
  -- The default id is derived (16 hex digits) and stable for the same period, users and rules.
  local r4 = cl.rules.run(f, { ledger = db, as_of = "2024-10-01" })
  T.eq(#r4.run_id, 16); T.eq(r4.inserted, 0)
  T.eq(cl.rules.run(f, { ledger = db, as_of = "2024-10-01" }).already_committed, true)

  -- Read back: the decisions of run nb-1, as the evaluation made them, with their propensities.
  local h = cl.rules.history(db, { run_id = "nb-1" })
  T.eq(h:nrow(), 200)
  local hu, ha, hp, hg = h.user_id:to_table(), h.action:to_table(), h.propensity:to_table(), h.group:to_table()
  local pn, pe, pc = h.p_none:to_table(), h.p_email:to_table(), h.p_coupon:to_table()
  local eu, ea, eg = expected.user_id:to_table(), expected.action:to_table(), expected.group:to_table()
  local treated = 0
  for i = 1, 200 do
    T.eq(hu[i], eu[i]); T.eq(ha[i], ea[i]); T.eq(hg[i], eg[i])
    local r = tonumber(hu[i]:sub(2)) / 200
    local greedy = r < 0.5 and "none" or "coupon"
    -- Stored distribution: (1 − holdout)·((1 − ε)·1{a = π(x)} + ε/K), P(none) also gets the holdout's 0.1.
    local function p(a) return 0.9 * ((a == greedy and 0.7 or 0) + 0.1) end
    T.near(pe[i], p("email"), 1e-12); T.near(pc[i], p("coupon"), 1e-12); T.near(pn[i], 0.1 + p("none"), 1e-12)
    -- propensity = the marginal P(logged action): a control and a policy's 'none' are one treatment.
    T.near(hp[i], ha[i] == "none" and 0.1 + p("none") or p(ha[i]), 1e-12)
    if hg[i] == "treatment" then treated = treated + 1 end
  end
  T.eq(h.tenure:to_table()[3], 3)   -- the logged context comes back as a column
  T.raises(function() cl.rules.history(db, { run_id = "nope" }) end, "no run 'nope'")

  -- A week later the 14-day cooldown (read from the ledger) skips everyone contacted on 2024-10-01.
  local r5 = cl.rules.run(f, { ledger = db, as_of = "2024-10-08", run_id = "nb-2" })
  T.eq(treated, treated0); T.eq(r5.inserted, 200 - treated)
  T.eq(cl.rules.history(db):nrow(), 200 + 200 - treated)

  -- Outcomes join by user: reward = value × retained − cost.
  local out = {}
  for i = 1, 200 do out[i] = i % 2 end
  local hr = cl.rules.history(db, { run_id = "nb-1", outcomes = cl.frame({ user_id = ids, retained = out }), value = 30 })
  local rw, cost, ret = hr.reward:to_table(), hr.cost:to_table(), hr.retained:to_table()
  for i = 1, 200 do T.near(rw[i], 30 * ret[i] - cost[i], 1e-12) end

  T.raises(function() cl.rules.run(f, { ledger = db, as_of = "2024-10-01", run_id = "has space" }) end, "printable")
  T.raises(function() cl.rules.run(f, { ledger = db }) end, "as_of")
  T.raises(function() cl.rules.run(f, { as_of = "2024-10-01" }) end, "'ledger'")
  T.raises(function() cl.rules.history(db .. ".missing") end, "no ledger at")
  cl.rules.reset()
  T.raises(function() cl.rules.run(f, { ledger = db, as_of = "2024-10-01" }) end, "no rules declared")
  os.remove(db); os.remove(db .. "-wal"); os.remove(db .. "-shm")
end)

T.case("cl.rules.run: a failing rule function commits nothing and names the rule", function()
  cl.rules.reset()
  cl.rules.rule{ name = "bad", when = function(u) return u.nope.x end, action = { channel = "email" } }
  local db = os.tmpname()
  local f = cl.frame({ user_id = { "a", "b" } })
  T.raises(function() cl.rules.run(f, { ledger = db, as_of = "2024-10-01", run_id = "r" }) end, "rule 'bad', user row 1")
  cl.rules.reset()
  cl.rules.rule{ name = "ok", action = { channel = "email" } }
  -- The failed run left no decisions; the id is free to commit.
  T.eq(cl.rules.run(f, { ledger = db, as_of = "2024-10-01", run_id = "r" }).inserted, 2)
  cl.rules.reset()
  os.remove(db); os.remove(db .. "-wal"); os.remove(db .. "-shm")
end)
