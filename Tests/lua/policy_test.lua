-- cl.policy (policies, off-policy evaluation, bandits) and cl.simulate.campaign.
local T = cl.test

-- A frame as {column name = Lua array}.
local function tbl(df)
  local t = {}
  for _, n in ipairs(df:names()) do t[n] = df:column(n):to_table() end
  return t
end

-- A four-row log, two actions. The target (tiers on x: x < 0.5 → b, else a) and q are
-- fixed, so every estimator is worked out by hand below; Open Bandit Pipeline 0.5.7 gives the
-- same six numbers (scripts/reference/policy_obp_tiny.py: 0.3125, 0.384615…, 0.55, 0.4625, 0.6125, 0.55).
local logs = cl.frame({ x = { 0, 0, 1, 1 }, action = { "a", "b", "a", "b" },
                        propensity = { 0.5, 0.5, 0.8, 0.2 }, reward = { 1, 0, 1, 1 } })
local q = cl.frame({ q_a = { 0.6, 0.6, 0.8, 0.8 }, q_b = { 0.3, 0.3, 0.1, 0.1 } })
local target = cl.policy.tiers { actions = { "a", "b" }, column = "x", tiers = { { below = 0.5, action = "b" } }, default = "a" }

T.case("estimators on a hand-computed log", function()
  -- weights w = π(a_i|x_i)/p_i = 0, 2, 1.25, 0
  local ips = cl.policy.evaluate(logs, target, { method = "ips", bootstrap = 0 })
  T.near(ips.value, 1.25 / 4, 1e-12)                       -- mean(w r)
  T.near(ips.se, 0.3125, 1e-12)                            -- sd(w r) / √n: sqrt(1.171875 / 3 / 4)
  T.near(ips.ess, 3.25 ^ 2 / (4 + 1.5625), 1e-12)          -- (Σw)²/Σw²
  T.eq(ips.max_weight, 2)
  T.near(cl.policy.evaluate(logs, target, { method = "snips", bootstrap = 0 }).value, 1.25 / 3.25, 1e-12)
  T.near(cl.policy.evaluate(logs, target, { method = "dm", q = q, bootstrap = 0 }).value, (0.3 + 0.3 + 0.8 + 0.8) / 4, 1e-12)
  -- DR = DM + mean(w (r − q(x, a_i))) = 0.55 + (2·(0 − 0.3) + 1.25·(1 − 0.8)) / 4
  T.near(cl.policy.evaluate(logs, target, { method = "dr", q = q, bootstrap = 0 }).value, 0.55 - 0.35 / 4, 1e-12)
  -- Switch-DR with tau = 1.5 drops row 2's correction (w = 2 > tau)
  T.near(cl.policy.evaluate(logs, target, { method = "switch_dr", q = q, tau = 1.5, bootstrap = 0 }).value, 0.55 + 0.25 / 4, 1e-12)
  T.near(cl.policy.evaluate(logs, target, { method = "switch_dr", q = q, tau = 0, bootstrap = 0 }).value, 0.55, 1e-12)
end)

T.case("bootstrap CI is seeded and brackets the estimate", function()
  local a = cl.policy.evaluate(logs, target, { method = "ips", bootstrap = 500, seed = 3 })
  local b = cl.policy.evaluate(logs, target, { method = "ips", bootstrap = 500, seed = 3 })
  T.eq(a.lower, b.lower); T.eq(a.upper, b.upper)
  T.ok(a.lower <= a.value and a.value <= a.upper)
  T.ok(a.lower >= 0 and a.upper <= 1.25)                   -- resampled means of {0, 0, 1.25, 0}
end)

T.case("support warning when the target leaves the logged support", function()
  local l = cl.frame({ x = { 1, 1 }, action = { "a", "a" }, propensity = { 1, 1 }, reward = { 1, 0 },
                       p_a = { 1, 1 }, p_b = { 0, 0 } })
  local r = cl.policy.evaluate(l, cl.policy.uniform { actions = { "a", "b" } }, { method = "ips", bootstrap = 0 })
  T.near(r.unsupported, 0.5, 1e-12)
  T.ok(r.warnings[1]:find("leaves the logged support"), r.warnings[1])
  local ok = cl.policy.evaluate(l, target, { method = "ips", bootstrap = 0 })
  T.eq(ok.unsupported, 0); T.eq(#ok.warnings, 0)
end)

-- Bandit statistics against the closed-form ridge solution θ = (λI + XᵀX)⁻¹Xᵀr.
-- Action a: x = 1, 2 with r = 1, 3 → design [[1,1],[1,2]], A = [[3,3],[3,6]], b = [4,7], θ = [1/3, 1].
-- Action b: x = 0 with r = 2 → A = diag(2, 1), b = [2, 0], θ = [1, 0].
local train = cl.frame({ x = { 1, 2, 0 }, action = { "a", "a", "b" }, propensity = { 1, 1, 1 }, reward = { 1, 3, 2 } })
local probe = cl.frame({ x = { 1 } })

T.case("LinUCB and epsilon-greedy updates are the ridge solution", function()
  local p = cl.policy.linucb { actions = { "a", "b" }, features = { "x" }, alpha = 0, ridge = 1 }
  p:update(train)
  local coef = p:coef()
  T.near(coef.a:to_table(), { 1 / 3, 1 }, 1e-12)
  T.near(coef.b:to_table(), { 1, 0 }, 1e-12)
  T.eq(p:choose(probe):to_table(), { "a" })                -- 4/3 > 1
  -- α = 1: a scores 4/3 + √(xᵀA⁻¹x) = 4/3 + √(1/3); b scores 1 + √1.5 → b
  local ucb = cl.policy.linucb { actions = { "a", "b" }, features = { "x" }, alpha = 1 }
  ucb:update(train)
  local act, prop = ucb:choose(probe)
  T.eq(act:to_table(), { "b" }); T.eq(prop:to_table(), { 1 })
  local eg = cl.policy.epsilon_greedy { actions = { "a", "b" }, features = { "x" }, epsilon = 0.2 }
  eg:update(train)
  local pr = eg:probabilities(probe)
  T.near({ pr.p_a:to_table()[1], pr.p_b:to_table()[1] }, { 0.9, 0.1 }, 1e-12)
end)

T.case("Thompson: posterior mean is the ridge solution, deterministic for a seed", function()
  local function make(seed)
    local p = cl.policy.thompson { actions = { "a", "b" }, features = { "x" }, scale = 0.5, draws = 400, seed = seed }
    p:update(train); return p
  end
  local p = make(7)
  T.near(p:coef().a:to_table(), { 1 / 3, 1 }, 1e-12)
  local pr1, pr2 = make(7):probabilities(probe), make(7):probabilities(probe)
  T.eq(pr1.p_a:to_table(), pr2.p_a:to_table())
  -- a's mean 4/3 beats b's 1 (sd 0.5·√(1/3) vs 0.5·√1.5): P(a wins) = Φ((4/3 − 1) / (0.5·√(1/3 + 1.5))) = Φ(0.4924) ≈ 0.689
  local pa, pb = pr1.p_a:to_table()[1], pr1.p_b:to_table()[1]
  T.near(pa, 0.689, 0.06)
  local a, prop = p:choose(probe, { seed = 1 })
  T.near(prop:to_table()[1], a:to_table()[1] == "a" and pa or pb, 1e-12)
end)

T.case("campaign simulator: expected rewards follow the documented formula", function()
  local sim = cl.simulate.campaign { users = 50, seed = 5, actions = {
    { name = "email", cost = 1, effect = 0.5, engagement = -0.3 },
    { name = "coupon", cost = 8, effect = 1.2, price = 0.8, personas = { 1, 0.5, 1.5, 0 } } } }
  T.eq(sim.actions, { "none", "email", "coupon" })
  local ctx = tbl(sim:contexts())
  local mu = tbl(sim:expected_rewards(sim:contexts()))
  local off = { casual = 0.3, learner = -0.2, bargain_hunter = 0.2, loyal = -0.8 }
  local ann = { casual = 1.0, learner = 0.6, bargain_hunter = 0.8, loyal = 1.6 }
  local pm = { casual = 1, learner = 0.5, bargain_hunter = 1.5, loyal = 0 }
  for i = 1, 5 do
    local e, t, s, p = ctx.engagement[i], ctx.tenure[i], ctx.price_sensitivity[i], ctx.persona[i]
    local ts = (math.log(1 + t) - 2.0) / 0.9
    local z0 = -2.2 - 0.8 * e - 0.35 * ts + 1.2 * (s - 0.5) + off[p]
    local function r(z, cost) return 30 * (1 - 1 / (1 + math.exp(-z))) - cost end
    -- one contact this period is free (free_contacts = 1): no annoyance yet
    T.near(mu.q_none[i], r(z0, 0), 1e-9)
    T.near(mu.q_email[i], r(z0 - 0.5 * (1 - 0.3 * e), 1), 1e-9)
    T.near(mu.q_coupon[i], r(z0 - 1.2 * (1 + 0.8 * (2 * s - 1)) * pm[p], 8), 1e-9)
  end
end)

local sim = cl.simulate.campaign { users = 2000, periods = 1, seed = 11, actions = {
  { name = "email", cost = 1, effect = 0.4, engagement = -0.5 },
  { name = "coupon", cost = 6, effect = 1.0, price = 0.9 } } }
local acts = sim.actions
local logging = cl.policy.tiers { actions = acts, column = "engagement", tiers = { { below = -0.5, action = "coupon" }, { below = 0.5, action = "email" } }, explore = 0.3 }
local candidate = cl.policy.tiers { actions = acts, column = "price_sensitivity", tiers = { { below = 0.4, action = "email" }, { below = 2, action = "coupon" } } }

T.case("simulator: policy value is exact, logs carry propensities", function()
  local ctxf = sim:contexts()
  local v = sim:policy_value(candidate, ctxf)
  local ctx, mu = tbl(ctxf), tbl(sim:expected_rewards(ctxf))
  local s = 0
  for i = 1, #ctxf do s = s + (ctx.price_sensitivity[i] < 0.4 and mu.q_email[i] or mu.q_coupon[i]) end
  T.near(v.value, s / #ctxf, 1e-9)
  T.ok(v.regret > 0)
  -- one period: the horizon value of a deterministic policy is the same number, exactly
  local h = sim:policy_value(candidate)
  T.ok(h.exact); T.near(h.value, v.value, 1e-9)
  local l = sim:log(logging, { seed = 1 })
  T.eq(#l, 2000)
  local pr, lt = tbl(logging:probabilities(l)), tbl(l)
  for i = 1, 20 do T.near(lt.propensity[i], pr["p_" .. lt.action[i]][i], 1e-15) end
  T.eq(sim:log(logging, { seed = 1 }).reward:to_table(), l.reward:to_table())
end)

T.case("OPE on simulator logs: IPS/SNIPS/DR cover the truth over 20 seeds, DR beats IPS", function()
  local cover, sq = { ips = 0, snips = 0, dr = 0 }, { ips = 0, snips = 0, dr = 0 }
  local features = { "engagement", "tenure", "price_sensitivity", "persona" }
  for seed = 1, 20 do
    local l = sim:log(logging, { seed = seed })
    local truth = sim:policy_value(candidate, l).value
    for _, m in ipairs({ "ips", "snips", "dr" }) do
      local r = cl.policy.evaluate(l, candidate, { method = m, features = features, bootstrap = 200, seed = seed })
      if r.lower <= truth and truth <= r.upper then cover[m] = cover[m] + 1 end
      sq[m] = sq[m] + (r.value - truth) ^ 2
    end
  end
  for _, m in ipairs({ "ips", "snips", "dr" }) do T.ok(cover[m] >= 16, m .. " covered " .. cover[m] .. "/20") end
  T.ok(sq.dr < sq.ips, string.format("DR RMSE %.4f vs IPS %.4f", math.sqrt(sq.dr / 20), math.sqrt(sq.ips / 20)))
end)

T.case("bandits learn from simulator logs and beat the logging rule", function()
  local l = sim:log(logging, { seed = 99 })
  local ctx = sim:contexts()
  local features = { "engagement", "tenure", "price_sensitivity", "persona" }
  local greedy = cl.policy.epsilon_greedy { actions = acts, features = features, epsilon = 0 }
  greedy:update(l)
  local rule = cl.policy.tiers { actions = acts, column = "engagement", tiers = { { below = -0.5, action = "coupon" }, { below = 0.5, action = "email" } } }
  T.ok(sim:policy_value(greedy, ctx).regret < sim:policy_value(rule, ctx).regret)
end)

T.case("bad input", function()
  T.raises(function() cl.policy.evaluate(logs, target, { method = "dx" }) end, "expected 'ips'")
  T.raises(function() cl.policy.evaluate(logs, target, { method = "dr" }) end, "needs a reward model")
  T.raises(function() cl.policy.linucb { actions = { "a" }, features = { "x" }, alpha = -1 } end, "field 'alpha'")
  T.raises(function() cl.policy.tiers { actions = { "a" }, tiers = { { below = 1, action = "z" } }, column = "x" } end, "'z' is not one of the actions")
  T.raises(function() cl.simulate.campaign { users = 0 } end, "field 'users'")
  T.raises(function() cl.simulate.campaign { actions = { { name = "none" } } } end, "given twice")
  T.raises(function() cl.simulate.campaign { actions = { { name = "x", effect = 1 / 0 } } } end, "actions%[1%].effect")
  local bad = cl.frame({ x = { 1 }, action = { "c" }, propensity = { 1 }, reward = { 1 } })
  T.raises(function() cl.policy.evaluate(bad, target, { method = "ips" }) end, "action 'c' at row 1")
  local zero = cl.frame({ x = { 1 }, action = { "a" }, propensity = { 0 }, reward = { 1 } })
  T.raises(function() target:update(zero) end, "propensity must be in")
end)

T.case("q_learning: the greedy policy of a small MDP equals value iteration's", function()
  -- 3 states, 2 actions, γ = 0.9; P[s][a] = {{s′, p}, …}, R[s][a]
  local P = { { { { 1, 0.8 }, { 2, 0.2 } }, { { 2, 0.9 }, { 3, 0.1 } } },
              { { { 1, 1.0 } }, { { 3, 0.7 }, { 2, 0.3 } } },
              { { { 3, 1.0 } }, { { 1, 1.0 } } } }
  local R = { { 0, -1 }, { 1, 0 }, { 2, 0 } }
  local Q = { { 0, 0 }, { 0, 0 }, { 0, 0 } }
  for _ = 1, 1000 do   -- value iteration
    local N = { {}, {}, {} }
    for s = 1, 3 do for a = 1, 2 do
      local v = R[s][a]
      for _, e in ipairs(P[s][a]) do v = v + 0.9 * e[2] * math.max(Q[e[1]][1], Q[e[1]][2]) end
      N[s][a] = v
    end end
    Q = N
  end
  local st, ac, rw, nx = {}, {}, {}, {}
  local names = { "stay", "move" }
  for s = 1, 3 do for a = 1, 2 do for i = 1, 400 do
    -- deterministic sample: the i-th of 400 evenly spaced quantiles
    local u, acc, s2 = (i - 0.5) / 400, 0, P[s][a][#P[s][a]][1]
    for _, e in ipairs(P[s][a]) do acc = acc + e[2]; if u < acc then s2 = e[1]; break end end
    st[#st + 1] = "s" .. s; ac[#ac + 1] = names[a]; rw[#rw + 1] = R[s][a]; nx[#nx + 1] = "s" .. s2
  end end end
  local tr = cl.frame({ state = st, action = ac, reward = rw, next_state = nx })
  local p = cl.policy.q_learning(tr, { actions = names, discount = 0.9, epochs = 100, seed = 1 })
  local chosen = p:choose(cl.frame({ state = { "s1", "s2", "s3" } })):to_table()
  for s = 1, 3 do T.eq(chosen[s], Q[s][1] >= Q[s][2] and "stay" or "move") end
  local q = tbl(p:coef())
  T.near(q.stay[3], 20, 0.5)   -- s3: staying earns 2 a period forever, 2 / (1 − 0.9)
  T.raises(function() p:choose(cl.frame({ state = { "s9" } })) end, "never seen")
end)

T.case("uplift policy: T-learner over any model kind picks argmax value·P(retained | x, a) − cost", function()
  -- Retention rates by hand: x = 1: none 0.2, email 0.5, coupon 0.8; x = 0: none 0.5, email 0.5, coupon 0.9.
  -- value 10, costs email 1, coupon 5 → x = 1: 2, 4, 3 → email; x = 0: 5, 4, 4 → none.
  local x, action, retained = {}, {}, {}
  local function add(xv, a, kept, n)
    for i = 1, n do x[#x + 1] = xv; action[#action + 1] = a; retained[#retained + 1] = i <= kept and 1 or 0 end
  end
  add(1, "none", 20, 100); add(1, "email", 50, 100); add(1, "coupon", 80, 100)
  add(0, "none", 50, 100); add(0, "email", 50, 100); add(0, "coupon", 90, 100)
  local logs = cl.frame({ x = x, action = action, retained = retained }, { names = { "x", "action", "retained" } })
  local probe = cl.frame({ x = { 1, 0 } })
  for _, model in ipairs({ cl.model.tree { max_depth = 1 }, cl.model.gbdt { trees = 100, leaves = 2, learning_rate = 0.3, min_data_in_leaf = 1, seed = 1, threads = 1 } }) do
    local p = cl.policy.uplift(model, logs, { actions = { "none", "email", "coupon" }, target = "retained",
      costs = { email = 1, coupon = 5 }, value = 10 })
    local a = p:choose(probe)
    T.eq(a:to_table(), { "email", "none" })
    local q = p:expected_rewards(probe)
    local tol = 0.05   -- gbdt shrinks toward the mean; the tree below is exact
    T.near(q.q_none:to_table(), { 2, 5 }, tol)
    T.near(q.q_email:to_table(), { 4, 4 }, tol)
    T.near(q.q_coupon:to_table(), { 3, 4 }, tol)
  end
  -- Exact for a depth-1 tree (leaf = group rate).
  local p = cl.policy.uplift(cl.model.tree { max_depth = 1 }, logs, { actions = { "none", "email", "coupon" }, target = "retained",
    costs = { email = 1, coupon = 5 }, value = 10 })
  T.near(p:expected_rewards(probe).q_coupon:to_table(), { 3, 4 }, 1e-9)
  T.raises(function() cl.policy.uplift(cl.model.tree {}, logs, { actions = { "none", "email", "coupon" }, target = "retained", costs = { sms = 1 } }) end,
    "not one of the actions")
  T.raises(function() cl.policy.uplift(cl.model.tree {}, logs, { actions = { "none", "email" }, target = "retained" }) end,
    "not one of the actions")
end)

T.case("uplift policy: X-learner recovers a known CATE with imbalanced arms", function()
  -- x ∈ {0, 1, 2, 3, 4}; retention with no action 0.2 + 0.1·x, with email 0.2 + 0.1·x + τ(x),
  -- τ(x) = 0.05·x (true CATE). 200 reference rows and 40 email rows per x (imbalanced), each cell
  -- with exactly the rate's share of positives, so a tree deep enough to isolate x is exact:
  -- μ₀, μ₁ are the cell rates, the imputed effects D average τ(x) in every cell on both arms,
  -- τ₀ = τ₁ = τ(x) and g(x) = 40/240 leaves τ = g·τ₀ + (1 − g)·τ₁ = τ(x).
  local x, action, retained = {}, {}, {}
  local function add(xv, a, rate, n)
    local kept = math.floor(rate * n + 0.5)
    for i = 1, n do x[#x + 1] = xv; action[#action + 1] = a; retained[#retained + 1] = i <= kept and 1 or 0 end
  end
  for xv = 0, 4 do
    add(xv, "none", 0.2 + 0.1 * xv, 200)
    add(xv, "email", 0.2 + 0.1 * xv + 0.05 * xv, 40)
  end
  local logs = cl.frame({ x = x, action = action, retained = retained }, { names = { "x", "action", "retained" } })
  local probe = cl.frame({ x = { 0, 1, 2, 3, 4 } })
  local opts = { actions = { "none", "email" }, target = "retained", costs = { email = 1.2 }, value = 10, learner = "x" }
  local p = cl.policy.uplift(cl.model.tree { max_depth = 3, min_samples_leaf = 1 }, logs, opts)
  T.ok(tostring(p):find("X%-learner"), tostring(p))
  local q = p:expected_rewards(probe)
  for i = 1, 5 do
    local xv = i - 1
    T.near(q.q_none:to_table()[i], 10 * (0.2 + 0.1 * xv), 1e-9)
    T.near(q.q_email:to_table()[i], 10 * (0.2 + 0.15 * xv) - 1.2, 1e-9)   -- value·(μ₀ + τ) − cost
  end
  -- Email pays when 10·0.05·x > 1.2: x ≥ 3.
  T.eq(p:choose(probe):to_table(), { "none", "none", "none", "email", "email" })
  -- The same with a GBDT (any kind): close.
  local g = cl.policy.uplift(cl.model.gbdt { trees = 200, leaves = 5, learning_rate = 0.3, min_data_in_leaf = 1, seed = 1, threads = 1 }, logs, opts)
  local qg = g:expected_rewards(probe)
  for i = 1, 5 do T.near(qg.q_email:to_table()[i] - qg.q_none:to_table()[i], 0.5 * (i - 1) - 1.2, 0.15) end
  T.raises(function() cl.policy.uplift(cl.model.tree {}, logs, { actions = { "none", "email" }, target = "retained", learner = "s" }) end,
    "field 'learner'")
end)

T.case("choose respects budgets and cooldowns for any policy, with exact propensities", function()
  local acts = { "none", "email", "coupon" }
  local users = cl.frame({ user_id = { "u1", "u2", "u3", "u4", "u5" }, risk = { 0.1, 0.9, 0.5, 0.7, 0.3 } })
  local coupon = cl.policy.tiers { actions = acts, default = "coupon" }
  -- max_users = 2 in risk order (u2, u4, u3, u5, u1): u2 and u4 get the coupon, the rest none with propensity 1.
  local a, p, probs = coupon:choose(users, { budget = { max_users = 2 }, order_by = "risk" })
  T.eq(a:to_table(), { "none", "coupon", "none", "coupon", "none" })
  T.eq(p:to_table(), { 1, 1, 1, 1, 1 })
  T.eq(probs.p_none:to_table(), { 1, 0, 1, 0, 1 })
  -- max_cost = 11 with coupon 5: two coupons (10), the third would cost 15.
  a = coupon:choose(users, { budget = { max_cost = 11 }, costs = { email = 1, coupon = 5 } })
  T.eq(a:to_table(), { "coupon", "coupon", "none", "none", "none" })
  -- A stochastic policy: once one contact is left unaffordable, only its mass moves to none.
  -- uniform: (1/3, 1/3, 1/3); with 4 left and coupon 5, email 1: a row can still get email → (2/3, 1/3, 0).
  local uni = cl.policy.uniform { actions = acts }
  local ua, up, upr = uni:choose(users, { budget = { max_cost = 4 }, costs = { email = 1, coupon = 5 }, seed = 3 })
  local spent, acts_t, up_t = 0, ua:to_table(), up:to_table()
  local pe, pc, pn = upr.p_email:to_table(), upr.p_coupon:to_table(), upr.p_none:to_table()
  for i = 1, 5 do
    T.eq(pc[i], 0)                                         -- never affordable
    T.near(pe[i], spent + 1 <= 4 and 1 / 3 or 0, 1e-12)    -- email while the budget lasts
    T.near(pn[i] + pe[i], 1, 1e-12)
    T.near(up_t[i], upr["p_" .. acts_t[i]]:to_table()[i], 1e-12)
    if acts_t[i] == "email" then spent = spent + 1 end
  end
  -- Not binding: the same draws as without constraints (row i uses stream i of the seed).
  local free = uni:choose(users, { seed = 3 })
  T.eq(uni:choose(users, { seed = 3, budget = { max_users = 5 } }):to_table(), free:to_table())
  -- Cooldown: u1 was contacted 3 days before (in cooldown), u2 33 days before (free again),
  -- u3 was a holdout control (not a contact).
  local history = cl.frame({ user_id = { "u1", "u2", "u3" }, as_of = { "2024-09-28", "2024-08-29", "2024-09-30" },
                             group = { "treatment", "treatment", "control" } })
  a, p = coupon:choose(users, { cooldown_days = 14, history = history, as_of = "2024-10-01" })
  T.eq(a:to_table(), { "none", "coupon", "coupon", "coupon", "coupon" })
  T.eq(p:to_table(), { 1, 1, 1, 1, 1 })
  T.raises(function() coupon:choose(users, { cooldown_days = 14, history = history }) end, "as_of")
  T.raises(function() coupon:choose(users, { costs = { email = 1 } }) end, "goes with budget")
  T.raises(function() coupon:choose(users, { budget = { max_users = -1 } }) end, "max_users")
  T.raises(function() coupon:choose(users, { budget = { max_cost = 1 }, costs = { sms = 1 } }) end, "not one of the actions")
  T.raises(function() coupon:choose(users, { budget = { max_users = 1 }, none = "call" }) end, "field 'none'")
end)

T.case("fitted_q with a GBDT recovers value iteration's policy on the small MDP", function()
  -- The MDP of the q_learning case above, states one-hot (s1, s2, s3 and next_s1 …).
  local P = { { { { 1, 0.8 }, { 2, 0.2 } }, { { 2, 0.9 }, { 3, 0.1 } } },
              { { { 1, 1.0 } }, { { 3, 0.7 }, { 2, 0.3 } } },
              { { { 3, 1.0 } }, { { 1, 1.0 } } } }
  local R = { { 0, -1 }, { 1, 0 }, { 2, 0 } }
  local Q = { { 0, 0 }, { 0, 0 }, { 0, 0 } }
  for _ = 1, 1000 do
    local N = { {}, {}, {} }
    for s = 1, 3 do for a = 1, 2 do
      local v = R[s][a]
      for _, e in ipairs(P[s][a]) do v = v + 0.9 * e[2] * math.max(Q[e[1]][1], Q[e[1]][2]) end
      N[s][a] = v
    end end
    Q = N
  end
  local cols = { action = {}, reward = {} }
  for j = 1, 3 do cols["s" .. j] = {}; cols["next_s" .. j] = {} end
  local names = { "stay", "move" }
  for s = 1, 3 do for a = 1, 2 do for i = 1, 100 do
    local u, acc, s2 = (i - 0.5) / 100, 0, P[s][a][#P[s][a]][1]
    for _, e in ipairs(P[s][a]) do acc = acc + e[2]; if u < acc then s2 = e[1]; break end end
    for j = 1, 3 do
      table.insert(cols["s" .. j], j == s and 1 or 0); table.insert(cols["next_s" .. j], j == s2 and 1 or 0)
    end
    table.insert(cols.action, names[a]); table.insert(cols.reward, R[s][a])
  end end end
  local tr = cl.frame(cols)
  local model = cl.model.gbdt { objective = "regression", trees = 30, learning_rate = 0.5, leaves = 4, min_data_in_leaf = 5, seed = 1, threads = 1 }
  local p = cl.policy.fitted_q(model, tr, { actions = names, features = { "s1", "s2", "s3" }, discount = 0.9, iterations = 200, tolerance = 1e-3 })
  local probe = cl.frame({ s1 = { 1, 0, 0 }, s2 = { 0, 1, 0 }, s3 = { 0, 0, 1 } })
  local chosen = p:choose(probe):to_table()
  for s = 1, 3 do T.eq(chosen[s], Q[s][1] >= Q[s][2] and "stay" or "move") end
  local q = p:q_values(probe)
  for s = 1, 3 do T.near(q.q_stay:to_table()[s], Q[s][1], 0.5); T.near(q.q_move:to_table()[s], Q[s][2], 0.5) end
  -- Linear fitted-Q on one-hot states (no intercept needed: s1 + s2 + s3 = 1, the ridge splits it) picks the same.
  local lin = cl.policy.fitted_q("linear", tr, { actions = names, features = { "s1", "s2", "s3" }, discount = 0.9, iterations = 1000, ridge = 1e-6, tolerance = 1e-9 })
  T.eq(lin:choose(probe):to_table(), chosen)
  T.raises(function() cl.policy.fitted_q(cl.model.gbdt {}, tr, { actions = names, features = { "s1" } }) end, "needs a regression model")
  T.raises(function() cl.policy.fitted_q("cubic", tr, { actions = names, features = { "s1" } }) end, "expected 'linear'")
  T.raises(function() cl.policy.fitted_q("linear", tr, { actions = names, features = { "reward" } }) end, "next%-state column 'next_reward'")
end)

T.case("fitted_q on simulated trajectories beats treating nobody and everybody", function()
  local sim3 = cl.simulate.campaign { users = 1500, periods = 4, seed = 21, annoyance = 0.8, actions = {
    { name = "email", cost = 1, effect = 0.5, engagement = -0.5 },
    { name = "coupon", cost = 6, effect = 1.2, price = 0.9 } } }
  local acts3 = sim3.actions
  local tr = sim3:transitions(cl.policy.uniform { actions = acts3 }, { seed = 2 })
  T.ok(#tr > 1500)
  local have = {}
  for _, n in ipairs(tr:names()) do have[n] = true end
  T.ok(have.next_recent_contacts and have.next_persona and have.done)
  local features = { "engagement", "tenure", "price_sensitivity", "persona", "recent_contacts", "carryover" }
  local model = cl.model.gbdt { objective = "regression", trees = 60, learning_rate = 0.2, leaves = 15, min_data_in_leaf = 20, seed = 1, threads = 1 }
  local p = cl.policy.fitted_q(model, tr, { actions = acts3, features = features, done = "done", discount = 0.9, iterations = 8 })
  local none = cl.policy.tiers { actions = acts3, default = "none" }
  local all = cl.policy.tiers { actions = acts3, default = "email" }
  local v, vn, va = sim3:policy_value(p).value, sim3:policy_value(none).value, sim3:policy_value(all).value
  T.ok(v > vn and v > va, string.format("fitted-Q %.3f vs none %.3f, all-email %.3f", v, vn, va))
end)

T.case("cl.plot.regret draws one line per policy", function()
  local svg = cl.plot.regret({ rule = { 10, 20, 30 }, linucb = { 12, 18, 21 } }, { batch = 1000 })
  T.ok(svg:find("<svg") and svg:find("linucb") and svg:find("Cumulative regret"))
  T.raises(function() cl.plot.regret({}, {}) end, "give series")
  T.raises(function() cl.plot.regret({ a = { 1 } }, { batch = 0 }) end, "field 'batch'")
end)

T.case("logistic reward model: obp's RegressionModel(LogisticRegression()) values, with and without cross-fitting", function()
  -- 24 rows, 3 actions, 0/1 rewards, by the formulas of scripts/reference/policy_obp_logistic.py; its values from
  -- Open Bandit Pipeline 0.5.7 with scikit-learn LogisticRegression(C=1, tol=1e-12): DM 0.5617040329, DR 0.5305122312
  -- (n_folds = 1), DR 0.5177279403 with n_folds = 24 (leave one out: no shuffle involved).
  local x1, x2, act, ps, rw = {}, {}, {}, {}, {}
  local names = { "a", "b", "c" }
  for i = 1, 24 do
    local a = i % 3
    x1[i] = ((i * 7) % 11) / 10; x2[i] = ((i * 5) % 7) / 3 - 1
    act[i] = names[a + 1]; ps[i] = ({ 0.5, 0.3, 0.2 })[a + 1]
    rw[i] = ((i * i + a * i) % 5) < 2 and 1 or 0
  end
  local log = cl.frame({ x1 = x1, x2 = x2, action = act, propensity = ps, reward = rw })
  local pol = cl.policy.tiers { actions = names, column = "x1", tiers = { { below = 0.5, action = "b" } }, default = "c" }
  local o = { features = { "x1", "x2" }, model = "logistic", bootstrap = 0 }
  local function ev(extra)
    local t = {}
    for k, v in pairs(o) do t[k] = v end
    for k, v in pairs(extra) do t[k] = v end
    return cl.policy.evaluate(log, pol, t).value
  end
  T.near(ev({ method = "dm" }), 0.5617040329, 1e-7)
  T.near(ev({ method = "dr" }), 0.5305122312, 1e-7)
  T.near(ev({ method = "dr", folds = 24 }), 0.5177279403, 1e-7)
  -- Cross-fitting with 3 folds is seeded: the same seed gives the same value, and it differs from no cross-fitting.
  T.eq(ev({ method = "dr", folds = 3, seed = 5 }), ev({ method = "dr", folds = 3, seed = 5 }))
  T.ok(math.abs(ev({ method = "dr", folds = 3, seed = 5 }) - 0.5305122312) > 1e-6)
  -- Errors: non-binary rewards, bad folds, unknown model.
  T.raises(function() cl.policy.evaluate(log:with_columns({ reward = cl.col("x1") }), pol, o) end, "needs 0/1 rewards")
  T.raises(function() ev({ folds = 0 }) end, "field 'folds'")
  T.raises(function() ev({ folds = 25 }) end, "25 folds but the log has 24 rows")
  T.raises(function() ev({ model = "forest" }) end, "expected 'ridge' or 'logistic'")
end)

T.case("thompson with bootstrapped models: seeded, and one unweighted replicate is the base model's greedy policy", function()
  local sim = cl.simulate.campaign { users = 1500, seed = 3, actions = {
    { name = "email", cost = 0.5, effect = 0.45, engagement = -0.4 },
    { name = "coupon", cost = 6, effect = 1.1, price = 0.9 } } }
  local names = sim.actions
  local feats = { "engagement", "tenure", "price_sensitivity", "persona" }
  local logs = sim:log(cl.policy.uniform { actions = names }, { seed = 1 })
  local ctx = sim:contexts()
  local function same(p, q)
    local a, b = p:probabilities(ctx), q:probabilities(ctx)
    for _, n in ipairs(names) do
      local x, y = a["p_" .. n]:to_table(), b["p_" .. n]:to_table()
      for i = 1, #x do if x[i] ~= y[i] then return false end end
    end
    return true
  end
  -- Linear base: one replicate with weights 1 = epsilon_greedy{epsilon = 0} (the same ridge per action).
  local one = cl.policy.thompson { actions = names, features = feats, model = "bootstrap", n_bootstrap = 1, resample = "none" }
  local greedy = cl.policy.epsilon_greedy { actions = names, features = feats, epsilon = 0 }
  -- Before any action has been logged there is nothing to bootstrap: uniform.
  T.near(one:probabilities(ctx:head(3)).p_none:to_table()[1], 1 / 3, 1e-15)
  one:update(logs); greedy:update(logs)
  T.ok(same(one, greedy), "one unweighted replicate = greedy ridge policy")
  -- A GBDT base: one unweighted replicate = the greedy policy of one regression GBDT per action on the rewards
  -- (fitted-Q with discount 0 and one iteration fits exactly those models).
  local gb = cl.model.gbdt { objective = "regression", trees = 20, leaves = 7, seed = 1 }
  local bt = cl.policy.thompson { actions = names, features = feats, model = "bootstrap", base = gb, n_bootstrap = 1, resample = "none" }
  bt:update(logs)
  local tr = logs
  for _, f in ipairs(feats) do tr = tr:with_columns({ ["next_" .. f] = logs[f] }) end
  local fq = cl.policy.fitted_q(gb, tr, { actions = names, features = feats, discount = 0, iterations = 1 })
  T.ok(same(bt, fq), "one unweighted GBDT replicate = greedy per-action GBDT")
  -- Poisson replicates: deterministic for a seed, different across seeds, exact shares of 1/20.
  local function boot(seed)
    local p = cl.policy.thompson { actions = names, features = feats, model = "bootstrap", n_bootstrap = 20, seed = seed }
    p:update(logs)
    return p
  end
  local b1, b2 = boot(7), boot(8)
  T.ok(same(b1, boot(7))); T.ok(not same(b1, b2))
  local pr = b1:probabilities(ctx)
  local mixed = 0
  for i, v in ipairs(pr.p_email:to_table()) do
    T.near(v * 20, math.floor(v * 20 + 0.5), 1e-9)
    local s = v + pr.p_none:to_table()[i] + pr.p_coupon:to_table()[i]
    T.near(s, 1, 1e-12)
    if v > 0 and v < 1 then mixed = mixed + 1 end
  end
  T.ok(mixed > 0, "some users get a non-degenerate distribution")
  -- Splitting the log into two updates gives the same replicates (weights follow the row's position).
  local split = cl.policy.thompson { actions = names, features = feats, model = "bootstrap", n_bootstrap = 20, seed = 7 }
  split:update(logs:head(700)); split:update(logs:tail(800))
  T.ok(same(b1, split), "same replicates however the log is split")
  T.raises(function() cl.policy.thompson { actions = names, features = feats, model = "bootstrap", n_bootstrap = 0 } end, "n_bootstrap")
  T.raises(function() cl.policy.thompson { actions = names, features = feats, model = "bootstrap", resample = "jackknife" } end, "resample")
  T.raises(function() cl.policy.thompson { actions = names, features = feats, model = "bootstrap", base = 3 } end, "field 'base'")
  T.raises(function() cl.policy.thompson { actions = names, features = feats, model = "posterior" } end, "expected 'bootstrap'")
end)

T.case("cl.policy.transitions: multi-period transitions from consecutive ledger runs, terminal at churn", function()
  -- A hand-made ledger: weekly runs of one rule; u4 churns after the first week, u3 after the second,
  -- u2 after the third; u1 stays (its last decision has no next run yet: left out).
  cl.rules.reset()
  local pol = cl.policy.tiers { actions = { "none", "email" }, column = "engagement", tiers = { { below = 0, action = "email" } }, default = "none" }
  cl.rules.settings { context = { "engagement", "state" } }
  cl.rules.rule { name = "weekly", horizon = "7d", action = cl.policy.use(pol, { actions = { email = { channel = "email", cost = 1 } } }) }
  local db = os.tmpname()
  local function run(day, ids, eng)
    local st = {}
    for i, e in ipairs(eng) do st[i] = e < 0 and "low" or "high" end
    cl.rules.run(cl.frame({ user_id = ids, engagement = eng, state = st }), { ledger = db, as_of = day })
  end
  run("2024-10-01", { "u1", "u2", "u3", "u4" }, { 0.5, -1, -0.5, 2 })
  run("2024-10-08", { "u1", "u2", "u3" }, { 0.4, -0.2, -0.7 })
  run("2024-10-15", { "u1", "u2" }, { 0.3, 0.1 })
  local outcomes = cl.frame({
    user_id = { "u1", "u1", "u1", "u2", "u2", "u2", "u3", "u3", "u4" },
    date = { "2024-10-08", "2024-10-15", "2024-10-22", "2024-10-08", "2024-10-15", "2024-10-22", "2024-10-08", "2024-10-15", "2024-10-08" },
    retained = { 1, 1, 1, 1, 1, 0, 1, 0, 0 } })
  local logs = cl.rules.history(db, { outcomes = outcomes })
  T.eq(logs:nrow(), 9)
  local tr, info = cl.policy.transitions(logs, { features = { "engagement", "state" } })
  T.eq(info.truncated, 1); T.eq(info.no_outcome, 0)
  T.eq(tr:nrow(), 8)
  -- Sorted by user, then run: u1 ×2, u2 ×3, u3 ×2, u4 ×1.
  T.eq(tr.user_id:to_table(), { "u1", "u1", "u2", "u2", "u2", "u3", "u3", "u4" })
  T.eq(tr.as_of:to_table(), { "2024-10-01", "2024-10-08", "2024-10-01", "2024-10-08", "2024-10-15", "2024-10-01", "2024-10-08", "2024-10-01" })
  T.eq(tr.engagement:to_table(), { 0.5, 0.4, -1, -0.2, 0.1, -0.5, -0.7, 2 })
  T.eq(tr.next_engagement:to_table(), { 0.4, 0.3, -0.2, 0.1, 0.1, -0.7, -0.7, 2 })
  T.eq(tr.done:to_table(), { 0, 0, 0, 0, 1, 0, 1, 1 })
  T.eq(tr.reward:to_table(), { 1, 1, 1, 1, 0, 1, 0, 0 })
  T.eq(tr.action:to_table(), { "none", "none", "email", "email", "none", "email", "email", "none" })
  T.eq(tr.next_state:to_table(), { "high", "high", "low", "high", "high", "low", "low", "high" })
  -- It feeds tabular Q-learning (state / next_state) and fitted-Q (features / next_ columns, done).
  local q = cl.policy.q_learning(tr, { actions = { "none", "email" }, state = "state", done = "done", discount = 0.5, epochs = 50, seed = 1 })
  T.eq(q:coef():nrow(), 2)
  local fq = cl.policy.fitted_q("linear", tr, { actions = { "none", "email" }, features = { "engagement" }, done = "done", discount = 0.5 })
  T.eq(fq:probabilities(tr):nrow(), 8)
  -- Errors: no outcome column; two decisions of one user in one run.
  T.raises(function() cl.policy.transitions(cl.rules.history(db), { features = { "engagement" } }) end, "no 'retained' or 'churned' column")
  local twice = cl.frame({ user_id = { "a", "a" }, as_of = { "2024-10-01", "2024-10-01" }, x = { 1, 2 }, action = { "none", "none" },
                           reward = { 1, 1 }, retained = { 1, 1 } })
  T.raises(function() cl.policy.transitions(twice, { features = { "x" } }) end, "two decisions at the same run")
  T.raises(function() cl.policy.transitions(logs, {}) end, "field 'features'")
  cl.rules.reset()
  os.remove(db); os.remove(db .. "-wal"); os.remove(db .. "-shm")
end)
