-- personas_pipeline.lua — personas and recommendations feeding retention, on simulated data:
--   simulate a knowledge-payment platform → point-in-time features → k-means personas (named
--   profiles, churn per persona) → churn model → course recommendations (item-kNN, new users get
--   what is popular in their persona) → retention rules whose win-back message names a recommended
--   course ({rec_1}) → effect per rule.
--
-- Usage: churnlab run scripts/examples/personas_pipeline.lua [OUT_DIR] [USERS]
local out = arg[1] or "out"
local users = tonumber(arg[2]) or 5000
os.execute(("mkdir -p %q"):format(out))
local col = cl.col
local AS_OF = "2024-10-01"

local function step(title) cl.printf("\n== %s\n", title) end
local t0 = cl.clock()

step("simulate")
local sim = cl.simulate.platform { users = users, days = 365, start = "2024-01-01", seed = 7 }
local log = cl.events(sim.events)
cl.printf("%d users, %d courses, %d course interactions\n", sim.users:nrow(), sim.courses:nrow(), sim.interactions:nrow())

step("features and churn labels every 28 days up to " .. AS_OF .. " (only events before each as_of)")
local snaps = cl.features.snapshots(log, {
  from = "2024-05-01", to = AS_OF, every = "28d",
  spec = { windows = { 7, 30 } }, label = { horizon = 30 }, subscriptions = cl.subscriptions(sim.subscriptions),
})
local last = snaps.as_of:max()
local train = snaps:filter(col("as_of"):lt(last))
local now = snaps:filter(col("as_of"):eq(last))
cl.printf("%d training rows (earlier dates), %d users scored on %s; churn rate now %.3f\n",
          train:nrow(), now:nrow(), tostring(last), now.churn:mean())

step("personas: k-means on standardised behaviour, named by what distinguishes them")
local behaviour = { "events_30d", "active_days_30d", "purchase_30d", "view_course_30d", "recency_days", "tenure_days", "mrr" }
local imputer = cl.prep.imputer { strategy = "median", columns = behaviour }:fit(train)
local scaler = cl.prep.standard_scaler { columns = behaviour }:fit(imputer:transform(train))
local function scaled(df) return scaler:transform(imputer:transform(df)) end
local ks = cl.cluster.choose_k(scaled(now), { k = { 2, 3, 4, 5, 6 }, features = behaviour, seed = 7, sample_size = 2000 })
print(ks)
local km = cl.cluster.kmeans { k = 5, n_init = 4, seed = 7 }:fit(scaled(train), { features = behaviour })
-- Persona is a column like any other: of the scored users, and of the training rows (a model feature).
now = now:with_columns { persona = km:predict(scaled(now)) }
train = train:with_columns { persona = km:predict(scaled(train)) }
local profile = cl.analytics.personas(imputer:transform(now), "persona", { features = behaviour, revenue = "mrr" })
for i = 1, profile:nrow() do
  local r = profile:row(i)
  cl.printf("persona %s: %4d users (%4.1f%%), churn %.3f, revenue %.1f — %s\n", tostring(r.persona), r.size, 100 * r.share,
            r.churn_rate, r.revenue, r.name)
end
cl.plot.personas(profile, { file = out .. "/personas.svg", title = "Persona profiles (standardised differences)" })
cl.plot.persona_scatter(scaled(now), now.persona, { features = behaviour, file = out .. "/personas_pca.svg" })
now = now:join(profile:select { "persona", "name" }, { on = "persona", how = "left" }):rename { name = "persona_name" }

step("churn model (logistic regression; persona one-hot among the features)")
local features = { "events_7d", "events_30d", "active_days_30d", "purchase_30d", "view_course_30d", "recency_days",
                   "tenure_days", "subscribed", "mrr", "days_to_renewal", "persona_level" }
local function prepared(df) return imputer:transform(df):with_columns { persona_level = col("persona"):cast("string") } end
local model = cl.model.logistic { C = 1, standardize = true }:fit(prepared(train), { target = "churn", features = features })
local risk = model:predict_proba(prepared(now))
now = now:with_columns { risk = risk }
cl.printf("AUC on the scored date %.4f\n", cl.metrics.auc(now.churn, risk))

step("recommendations: item-kNN over course views, starts and finishes before " .. AS_OF)
-- Weights: a finish or purchase says more than a view.
local cutoff = cl.lit(AS_OF, "timestamp")
local act = col("action")
local inter = sim.interactions:filter(col("ts"):lt(cutoff)):with_columns {
  w = cl.when(act:isin { "finish", "purchase" }, 4, cl.when(act:isin { "start", "rate" }, 2, 1)),
}
local rec = cl.recommend.item_knn { neighbours = 50 }:fit(inter, { user = "user_id", item = "course_id", weight = "w" })
-- Popularity for comparison, on each user's next course after AS_OF.
local after = sim.interactions:filter(col("ts"):ge(cutoff))
local pop = cl.recommend.popular():fit(inter, { user = "user_id", item = "course_id" })
for _, m in ipairs { { "item_knn", rec }, { "popular", pop } } do
  local e = cl.recommend.evaluate(m[2], after, { k = 10, user = "user_id", item = "course_id" })
  cl.printf("%-9s NDCG@10 %.4f  hit rate %.3f  coverage %.3f  (%d users)\n", m[1], e.ndcg_at_k:to_table()[1],
            e.hit_rate:to_table()[1], e.coverage:to_table()[1], e.users:to_table()[1])
end
-- Users who never touched a course get what is popular among their persona.
local personas = now:select { "user_id", "persona" }
local recs = rec:recommend(now.user_id, { k = 3, personas = personas })
local cold = recs:filter(col("reason"):starts_with("popular in your persona"))
cl.printf("%d users with no course history get popular-in-persona picks\n", cold.user_id:nunique())
local wide = cl.recommend.wide(recs, { k = 2, names = sim.courses, id = "course_id" })
now = now:with_columns { user_key = col("user_id"):cast("string") }
  :join(wide:rename { user_id = "user_key" }, { on = "user_key", how = "left" })
print(now:select { "user_id", "persona_name", "risk", "rec_1", "rec_1_reason" }:head(5))

step("retention rules: the win-back message names a recommended course")
cl.rules.reset()
cl.rules.tiers { score = "risk", high = 0.5, medium = 0.25 }
cl.rules.rule { name = "win_back", tier = "high", when = col("rec_1"):is_not_null(),
                action = { channel = "email", cost = 2, message = "We picked {rec_1} for you ({rec_1_reason})" }, holdout = 0.3 }
cl.rules.rule { name = "nudge", tier = "medium", action = { channel = "app", cost = 0.1, message = "New in your area: {rec_1}" },
                holdout = 0.3 }
local decisions = cl.rules.evaluate(now, { as_of = AS_OF })
cl.printf("%d decisions\n", decisions:nrow())
print(decisions:select { "user_id", "rule", "message" }:head(5))

step("effect: treated vs holdout retention per rule")
-- The simulator's users do not read messages, so the true effect is zero: this is the placebo
-- check the real campaign's report will be compared with (differences within the intervals).
local outcomes = now:select { "user_id", "churn" }:with_columns { retained = col("churn"):eq(0) }
local effect = cl.rules.effect(decisions, outcomes)
print(effect)
cl.printf("\ncharts in %s/; %.1f s in all\n", out, cl.clock() - t0)
