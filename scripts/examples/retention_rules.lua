-- Retention rules: risk tiers → interventions.
--   churnlab rules run scripts/examples/retention_rules.lua --users scripts/examples/data/scored_users.csv \
--       --as-of 2024-10-01 --ledger /tmp/churnlab.db --outbox /tmp/outbox.csv
--
-- How a run decides (ChurnCore/Rules/RuleEngine.swift):
--  * rules run by priority (high first, ties in file order); each user gets at most ONE decision per run;
--  * a rule's candidates: condition true (null counts as false), in the rule's tiers, not opted out,
--    not treated by this rule within its cooldown (before or after the as-of), under every frequency cap of its channel (ledger history);
--  * candidates are taken by score (the tiers' score, or settings{order_by=}) descending, then file order;
--    each gets a stable holdout group from HMAC-SHA256(seed, experiment/rule + user id): control users are
--    recorded (they cannot fall through to a lower rule) and cost nothing; treated users consume the budget;
--    when the next treated user would exceed max_users or max_cost the rule stops and the rest stay free;
--  * the ledger's idempotency key is (rule, user, period): re-running a period never duplicates a decision.
local col = cl.col

cl.rules.settings{ seed = "retention-2024", period = "day" }
cl.rules.tiers{ score = "risk", high = 0.7, medium = 0.4 }           -- below 0.4: "low"
cl.rules.suppress{ column = "opt_out" }                              -- a bool column …
cl.rules.suppress{ file = "data/optouts.csv" }                       -- … and/or a CSV of user ids
cl.rules.cap{ channel = "email", max = 2, within = "7d" }            -- frequency cap per channel

cl.rules.rule{ name = "win_back_coupon",
  when = col("risk"):ge(0.7) & col("tenure_days"):gt(30),
  action = { channel = "coupon", offer = "20% off next month", cost = 5,
             message = "Hi {name}, we miss you in {top_course}" },
  reason = "{reason_1}",
  cooldown = "14d", priority = 10, budget = { max_users = 20, max_cost = 80 }, holdout = 0.1 }

cl.rules.rule{ name = "retention_call", tier = "high",
  action = { channel = "phone", offer = "account review", cost = 12, message = "Call {name} about {reason_1}" },
  reason = "{reason_1}", cooldown = "30d", priority = 8, budget = { max_cost = 120 }, holdout = 0.2 }

cl.rules.rule{ name = "medium_email", tier = "medium",
  action = { channel = "email", offer = "tips", cost = 0.1, message = "{name}, 3 tips for {top_course}" },
  cooldown = "7d", priority = 5, holdout = 0.1 }

-- The slow path: a Lua function per user (use for logic column expressions cannot say).
cl.rules.rule{ name = "new_user_nudge",
  when = function(u) return u.tenure_days < 30 and u.top_course ~= "Guitar" end,
  action = { channel = "app", offer = "onboarding", message = "Welcome back, {name}" }, priority = 1 }

-- A learned policy can choose the action instead (see notebooks/policy.ipynb): the rule still
-- selects users and enforces budget, cooldown, caps and holdout; the policy picks each user's
-- action, exploring 5 %, and the ledger logs every decision's action, propensity and context,
-- so `churnlab rules effect RUN --outcomes o.csv --policy candidate.lua` can evaluate a new
-- policy off-policy and `churnlab rules history --logs logs.csv --outcomes o.csv` exports the log.
--   local pol = cl.policy.epsilon_greedy{ actions = { "none", "email", "coupon" }, features = { "risk", "tenure_days" }, epsilon = 0 }
--   pol:update(cl.read_csv("logs.csv"))
--   cl.rules.rule{ name = "learned", action = cl.policy.use(pol, { explore = 0.05,
--       actions = { email = { channel = "email", cost = 0.1 }, coupon = { channel = "coupon", offer = "20% off", cost = 4 } } }),
--     cooldown = "14d", budget = { max_cost = 200 }, holdout = 0.1, horizon = "30d" }
