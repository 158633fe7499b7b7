-- Policy bench (run through scripts/bench/policy_bench.sh, release build):
--   1. decisions/s of a fitted linear policy (greedy over per-action ridge) on N contexts;
--   2. OPE accuracy over 20 seeds (IPS / SNIPS / DR, relative RMSE against the simulator's exact truth)
--      and the DR fit time (per-action ridge reward model + estimate), writing each seed's log for obp;
--   2b. the same for a binary reward (retained) with a cross-fitted logistic outcome model (obp's anchor setup);
--   3. regret against the simulator's truth: treat none / treat all / the risk rule / a learned greedy
--      policy / online epsilon-greedy, LinUCB, Thompson (Bayesian linear) and Thompson with 10 bootstrapped
--      ridge models (online bootstrap) learning over batches.
local N_DECIDE = tonumber(arg and arg[1]) or 1000000
local ROUNDS = tonumber(arg and arg[2]) or 100000
local OUT = (arg and arg[3]) or "/tmp/policy_bench"
local features = { "engagement", "tenure", "price_sensitivity", "persona", "recent_contacts" }
local actions = {
  { name = "push", cost = 0.2, effect = 0.25, engagement = 0.6 },
  { name = "email", cost = 0.5, effect = 0.45, engagement = -0.4, tenure = 0.3 },
  { name = "coupon", cost = 6, effect = 1.1, price = 0.9, personas = { 1, 0.6, 1.6, 0.2 } },
}
local function sim(users, seed) return cl.simulate.campaign { users = users, seed = seed, actions = actions } end
local names = sim(1, 1).actions
-- The risk rule: contact the least engaged users, coupon the riskiest.
local rule = cl.policy.tiers { actions = names, column = "engagement", tiers = { { below = -1, action = "coupon" }, { below = 0, action = "email" } } }
local logging = cl.policy.tiers { actions = names, column = "engagement", tiers = { { below = -1, action = "coupon" }, { below = 0, action = "email" } }, explore = 0.3 }
-- The target evaluated off-policy: coupons to price-sensitive users, email otherwise.
local target = cl.policy.tiers { actions = names, column = "price_sensitivity", tiers = { { below = 0.5, action = "email" }, { below = 2, action = "coupon" } } }

-- 1. decisions/s
local s1 = sim(ROUNDS, 1)
local logs1 = s1:log(logging, { seed = 1 })
local greedy = cl.policy.epsilon_greedy { actions = names, features = features, epsilon = 0 }
greedy:update(logs1)
local big = sim(N_DECIDE, 2):contexts()
greedy:choose(big)   -- warm-up
local best = math.huge
for _ = 1, 3 do
  local t0 = cl.clock(); greedy:choose(big); best = math.min(best, cl.clock() - t0)
end
cl.printf("RESULT decisions: %d contexts, %d actions, %d design features: %.3f s = %.2f M decisions/s (goal >= 1 M/s)\n",
          N_DECIDE, #names, #greedy:coef(), best, N_DECIDE / best / 1e6)

-- 2. OPE over 20 seeds
local sq, fit = { ips = 0, snips = 0, dr = 0 }, 0
for seed = 1, 20 do
  local s = sim(ROUNDS, 100 + seed)
  local l = s:log(logging, { seed = seed })
  local truth = s:policy_value(target, l).value
  for _, m in ipairs({ "ips", "snips", "dr" }) do
    local t0 = cl.clock()
    local r = cl.policy.evaluate(l, target, { method = m, features = features, bootstrap = 0 })
    if m == "dr" then fit = fit + (cl.clock() - t0) end
    sq[m] = sq[m] + ((r.value - truth) / truth) ^ 2
  end
  -- for the obp side: the same log, the target's probabilities and the truth
  local keep = { "engagement", "tenure", "price_sensitivity", "persona", "recent_contacts", "action", "propensity", "reward" }
  local tp = target:probabilities(l)
  local out = l:select(keep)
  for _, a in ipairs(names) do out = out:with_columns({ ["pi_" .. a] = tp["p_" .. a] }) end
  out:write_csv(string.format("%s_log_%02d.csv", OUT, seed))
  cl.frame({ truth = { truth } }):write_csv(string.format("%s_truth_%02d.csv", OUT, seed))
  if seed == 1 then
    cl.printf("RESULT seed 1 truth %.6f, ips %.6f, snips %.6f, dr %.6f\n", truth,
      cl.policy.evaluate(l, target, { method = "ips", bootstrap = 0 }).value,
      cl.policy.evaluate(l, target, { method = "snips", bootstrap = 0 }).value,
      cl.policy.evaluate(l, target, { method = "dr", features = features, bootstrap = 0 }).value)
  end
end
cl.printf("RESULT OPE relative RMSE over 20 seeds (%d rounds): IPS %.2f %%, SNIPS %.2f %%, DR %.2f %%; DR (ridge fit + estimate) %.3f s per run\n",
          ROUNDS, 100 * math.sqrt(sq.ips / 20), 100 * math.sqrt(sq.snips / 20), 100 * math.sqrt(sq.dr / 20), fit / 20)

-- 2b. The same comparison for a binary reward (retained) with a logistic outcome model, as the issue's
-- anchor ran obp (RegressionModel + scikit-learn LogisticRegression, cross-fitted): zero costs and value 1
-- make reward = retained and the simulator's truth P(retained). ChurnLab: model = "logistic", folds = 3.
local actions01 = {}
for i, a in ipairs(actions) do
  local b = {}
  for k, v in pairs(a) do b[k] = v end
  b.cost = 0; actions01[i] = b
end
local sqb, fitb = { ips = 0, dr = 0 }, 0
for seed = 1, 20 do
  local s = cl.simulate.campaign { users = ROUNDS, seed = 100 + seed, actions = actions01, value = 1 }
  local l = s:log(logging, { seed = seed })
  local truth = s:policy_value(target, l).value
  sqb.ips = sqb.ips + ((cl.policy.evaluate(l, target, { method = "ips", bootstrap = 0 }).value - truth) / truth) ^ 2
  local t0 = cl.clock()
  local r = cl.policy.evaluate(l, target, { method = "dr", features = features, model = "logistic", folds = 3, seed = seed, bootstrap = 0 })
  fitb = fitb + (cl.clock() - t0)
  sqb.dr = sqb.dr + ((r.value - truth) / truth) ^ 2
  local keep = { "engagement", "tenure", "price_sensitivity", "persona", "recent_contacts", "action", "propensity", "reward" }
  local tp = target:probabilities(l)
  local out = l:select(keep)
  for _, a in ipairs(names) do out = out:with_columns({ ["pi_" .. a] = tp["p_" .. a] }) end
  out:write_csv(string.format("%s_bin_log_%02d.csv", OUT, seed))
  cl.frame({ truth = { truth } }):write_csv(string.format("%s_bin_truth_%02d.csv", OUT, seed))
  if seed == 1 then
    cl.printf("RESULT binary seed 1 truth %.6f, dr logistic without cross-fitting %.6f, with 3 folds %.6f\n", truth,
      cl.policy.evaluate(l, target, { method = "dr", features = features, model = "logistic", bootstrap = 0 }).value, r.value)
  end
end
cl.printf("RESULT binary reward, OPE relative RMSE over 20 seeds (%d rounds): IPS %.2f %%, DR logistic %.3f %%; DR (logistic fit, 3 folds, + estimate) %.3f s per run\n",
          ROUNDS, 100 * math.sqrt(sqb.ips / 20), 100 * math.sqrt(sqb.dr / 20), fitb / 20)

-- 3. regret on the truth (per-decision expected reward, summed over ROUNDS users)
local ctx = sim(ROUNDS, 7):contexts()
local function regret(p) local v = s1:policy_value(p, ctx); return v.regret * ROUNDS, v.value end
local oracle = s1:policy_value(rule, ctx).oracle
cl.printf("RESULT regret over %d users (oracle value %.4f per user):\n", ROUNDS, oracle)
for _, a in ipairs(names) do
  local r, v = regret(cl.policy.tiers { actions = names, default = a })
  cl.printf("RESULT   all %-8s regret %10.0f  value %.4f\n", a, r, v)
end
local r, v = regret(rule); cl.printf("RESULT   risk rule    regret %10.0f  value %.4f\n", r, v)
local ruleRegret = r
r, v = regret(greedy); cl.printf("RESULT   greedy (from rule logs) regret %10.0f  value %.4f\n", r, v)
-- Online: users arrive in batches; each batch is decided, its rewards observed, the policy updated.
local BATCH = math.min(2000, ROUNDS)
for _, spec in ipairs({
  { "epsilon_greedy", cl.policy.epsilon_greedy { actions = names, features = features, epsilon = 0.1, seed = 3 } },
  { "linucb", cl.policy.linucb { actions = names, features = features, alpha = 1 } },
  { "thompson", cl.policy.thompson { actions = names, features = features, scale = 1, draws = 100, seed = 3 } },
  { "thompson_bootstrap", cl.policy.thompson { actions = names, features = features, model = "bootstrap", n_bootstrap = 10, seed = 3 } },
}) do
  local p, total, t0 = spec[2], 0, cl.clock()
  for b = 1, ROUNDS // BATCH do
    local s = sim(BATCH, 1000 + b)
    local c = s:contexts()
    total = total + s:policy_value(p, c).regret * BATCH
    p:update(s:log(p, { seed = b }))
  end
  local dt = cl.clock() - t0
  cl.printf("RESULT   online %-18s cumulative regret %10.0f  = %.2f x the risk rule's (%s; %d batches of %d, %.0f rounds/s incl. simulation)\n",
            spec[1], total, total / ruleRegret, total < ruleRegret and "beats it" or "does NOT beat it", ROUNDS // BATCH, BATCH, ROUNDS / dt)
end
