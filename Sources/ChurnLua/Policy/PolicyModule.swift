import CLua
import ChurnCore
import LuaRuntime

/// `cl.policy`: decision policies with one interface and off-policy evaluation.
enum PolicyModule {
    static let linearKeys: Set<String> = ["actions", "features", "ridge", "seed"]

    static func actions(_ o: LuaTable) throws -> [String] {
        guard let a = try o.strings("actions"), !a.isEmpty else {
            throw LuaArgumentError(1, "field 'actions' is required: the action names, e.g. {'none', 'email', 'coupon'}")
        }
        guard Set(a).count == a.count else { throw LuaArgumentError(1, "field 'actions': names must be distinct") }
        return a
    }

    static func linear(_ c: LuaCall, _ o: LuaTable, _ kind: LinearBandit.Kind, name: String) throws -> Int32 {
        let acts = try actions(o)
        guard let features = try o.strings("features"), !features.isEmpty else {
            throw LuaArgumentError(1, "field 'features' is required: the context columns (numeric, bool or text)")
        }
        let ridge = try o.number("ridge", in: .positive) ?? 1
        let seed = try o.seed()
        let p = try c.core { try LinearBandit(actions: acts, kind: kind, features: features, lambda: ridge, seed: seed) }
        return c.push(object: PolicyObject(p, kind: name))
    }

    /// `thompson{model = 'bootstrap', …}`.
    static func bootstrapThompson(_ c: LuaCall, _ o: LuaTable) throws -> Int32 {
        try o.checkKeys(["actions", "features", "model", "base", "n_bootstrap", "resample", "ridge", "seed"])
        let acts = try actions(o)
        guard let features = try o.strings("features"), !features.isEmpty else {
            throw LuaArgumentError(1, "field 'features' is required: the context columns (numeric, bool or text)")
        }
        let n = try o.integer("n_bootstrap", in: 1...BootstrapThompson.maxReplicates) ?? 10
        let rs = try o.string("resample") ?? "poisson"
        guard let resample = BootstrapThompson.Resample(rawValue: rs) else {
            throw LuaArgumentError(1, "field 'resample': expected 'poisson', 'bernoulli' or 'none', got '\(rs)'")
        }
        let ridge = try o.number("ridge", in: .positive) ?? 1
        let seed = try o.seed()
        let base: BootstrapThompson.Base
        if !o.has("base") || (try? o.string("base")) == "linear" {
            base = .ridge(lambda: ridge)
        } else {
            _ = o.push("base")
            defer { c.state.pop() }
            guard c.isObject(-1, ModelObject.self) else {
                throw LuaArgumentError(1, "field 'base': expected 'linear' or a model (e.g. cl.model.gbdt{objective = 'regression'}), got \(c.typeName(-1))")
            }
            let spec = try c.object(lua_absindex(c.L, -1), ModelObject.self).spec(overriding: [:])
            base = .model(label: spec.kind) { X, y, w in
                let m = try spec.fit(X, y, weights: w)
                return { try m.predictValues($0) }
            }
        }
        let p = try c.core { try BootstrapThompson(actions: acts, features: features, base: base, replicates: n, resample: resample, seed: seed) }
        return c.push(object: PolicyObject(p, kind: "thompson"))
    }

    static func register(_ cl: ModuleBuilder) {
        PolicyObject.register(cl.state)
        CampaignBinding.register(cl)
        cl.submodule("policy", "Decision policies (which user gets which action), their off-policy evaluation and learning.") { m in
            m.function("uniform", "uniform{actions =}",
                       "Every action with equal probability: the simplest logging policy.") { c in
                let o = try c.options(1)
                try o.checkKeys(["actions"])
                let a = try actions(o)
                return c.push(object: PolicyObject(try c.core { try TierPolicy(actions: a, column: nil, tiers: [], fallback: 0, explore: 1) }, kind: "uniform"))
            }
            m.function("tiers", "tiers{actions =, column =, tiers = {{below =, action =}, …}, default = actions[1], explore = 0}",
                       "Today's rule as a policy: the first tier with column value < below gives its action, else `default`; `explore` (0…1) mixes in the uniform policy (every action gets explore / K), so the rule can log with full support.") { c in
                let o = try c.options(1)
                try o.checkKeys(["actions", "column", "tiers", "default", "explore"])
                let a = try actions(o)
                func index(_ name: String, _ field: String) throws -> Int {
                    guard let i = a.firstIndex(of: name) else { throw LuaArgumentError(1, "field '\(field)': '\(name)' is not one of the actions (\(a.joined(separator: ", ")))") }
                    return i
                }
                var tiers: [TierPolicy.Tier] = []
                for r in try ValueRecord.array(o, "tiers", argument: 1) ?? [] {
                    try r.checkKeys(["below", "action"])
                    guard let b = try r.number("below", in: .any), let act = try r.string("action") else {
                        throw LuaArgumentError(1, "field '\(r.path)': needs below = <number> and action = <name>")
                    }
                    tiers.append(.init(below: b, action: try index(act, r.path + ".action")))
                }
                let fallback = try index(try o.string("default") ?? a[0], "default")
                let explore = try o.number("explore", in: .probability) ?? 0
                let column = try o.string("column")
                let p = try c.core { try TierPolicy(actions: a, column: column, tiers: tiers, fallback: fallback, explore: explore) }
                return c.push(object: PolicyObject(p, kind: "tiers"))
            }
            m.function("epsilon_greedy", "epsilon_greedy{actions =, features =, epsilon = 0.1, ridge = 1, seed =}",
                       "Linear contextual bandit: per action a ridge regression of reward on the features (θ = (λI + XᵀX)⁻¹Xᵀr over rows that took it); argmax θ·x with probability 1 − epsilon, uniform otherwise. epsilon = 0 is the fitted greedy linear policy. epsilon in [0, 1], ridge > 0. Learns with policy:update(logs).") { c in
                let o = try c.options(1)
                try o.checkKeys(linearKeys.union(["epsilon"]))
                let e = try o.number("epsilon", in: .probability) ?? 0.1
                return try linear(c, o, .greedy(epsilon: e), name: "epsilon_greedy")
            }
            m.function("linucb", "linucb{actions =, features =, alpha = 1, ridge = 1}",
                       "LinUCB (disjoint, Li et al. 2010): argmax θ_a·x + alpha·√(xᵀA_a⁻¹x) with A_a = ridge·I + Σ xxᵀ over rows that took a; deterministic (propensity 1). alpha >= 0, ridge > 0.") { c in
                let o = try c.options(1)
                try o.checkKeys(linearKeys.union(["alpha"]))
                let a = try o.number("alpha", in: .nonNegative) ?? 1
                return try linear(c, o, .linUCB(alpha: a), name: "linucb")
            }
            m.function("thompson", "thompson{actions =, features =, scale = 1, draws = 100, ridge = 1, seed =} | thompson{actions =, features =, model = 'bootstrap', base = 'linear' | <model>, n_bootstrap = 10, resample = 'poisson', ridge = 1, seed =}",
                       "Thompson sampling with Bayesian linear rewards: θ_a ~ N(θ̂_a, scale²·A_a⁻¹). `draws` (1…100000) parameter vectors are sampled at each update (seeded); a decision takes the argmax of a random one, so propensities (share of draws an action wins) are exact. scale > 0. With model = 'bootstrap' (online bootstrap, Eckles & Kaptein 2014): `n_bootstrap` (1…10000) replicate reward models per action, each logged row weighted in replicate b by a seeded draw of Poisson(1) (resample = 'poisson'), 2·Bernoulli(½) ('bernoulli') or 1 ('none'); base = 'linear' (ridge per action on the features, incremental) or any model kind (e.g. cl.model.gbdt{objective = 'regression'}; refitted on the weighted log at each update; a classifier kind needs 0/1 rewards). A decision takes the argmax of a random replicate (propensity = share of replicates an action wins); uniform until every action has been logged. n_bootstrap = 1 with resample = 'none' is the base model's greedy policy.") { c in
                let o = try c.options(1)
                if try o.string("model") == "bootstrap" { return try bootstrapThompson(c, o) }
                if o.has("model") { throw LuaArgumentError(1, "field 'model': expected 'bootstrap' (or leave it out for Bayesian linear Thompson sampling)") }
                try o.checkKeys(linearKeys.union(["scale", "draws"]))
                let v = try o.number("scale", in: .positive) ?? 1
                let d = try o.integer("draws", in: 1...100_000) ?? 100
                return try linear(c, o, .thompson(scale: v, draws: d), name: "thompson")
            }
            m.function("q_learning", "q_learning(transitions, {actions =, state = 'state', action = 'action', reward = 'reward', next_state = 'next_state', done =, discount = 0.9, alpha = 1, epochs = 100, seed =})",
                       "Tabular Q-learning over discrete states (values of the `state` column: a discretised context) from multi-period transitions (state, action, reward, next_state, optional done 0/1): `epochs` (1…1000000) seeded passes with the rate alpha/(1 + visits)^0.6 (alpha in (0, 1]), discount in [0, 1). Returns the greedy policy (a cl.Policy deciding on the state column); policy:coef() gives the Q table.") { c in
                let f = try c.frame(1)
                let o = try c.options(2)
                try o.checkKeys(["actions", "state", "action", "reward", "next_state", "done", "discount", "alpha", "epochs", "seed"])
                let a = try actions(o)
                let discount = try o.number("discount", in: .closedOpen(0, 1)) ?? 0.9
                let alpha = try o.number("alpha", in: .fraction) ?? 1
                let epochs = try o.integer("epochs", in: 1...1_000_000) ?? 100
                let seed = try o.seed()
                let state = try o.string("state") ?? "state", action = try o.string("action") ?? "action"
                let reward = try o.string("reward") ?? "reward", next = try o.string("next_state") ?? "next_state"
                let done = try o.string("done")
                let p = try c.core { try QTablePolicy.learn(f, actions: a, state: state, action: action, reward: reward, nextState: next,
                                                            done: done, discount: discount, alpha: alpha, epochs: epochs, seed: seed) }
                return c.push(object: PolicyObject(p, kind: "q_learning"))
            }
            m.function("uplift", "uplift(model, logs, {actions =, target = 'retained', action = 'action', features = | exclude =, costs = {<action> = cost}, value = 1, learner = 't', weight =, prep =})",
                       "Uplift policy over any model kind (e.g. cl.model.gbdt{}). learner = 't' (T-learner): fits `model`'s kind once per action on the logged rows that took it (target: the outcome to maximise, e.g. retained). learner = 'x' (X-learner, Künzel et al. 2019): also imputes each action's effect against the first action (D = y − μ_none(x) on its rows, μ_a(x) − y on the first action's rows), fits the effects with the same kind (log-loss on the soft label (1 + D)/2) and blends them by the fitted share g(x) of the action: τ = g·τ₀ + (1 − g)·τ₁ — better when one arm is much rarer. Then chooses argmax over actions of value × P(target | x, a) − cost(a) — treat a user only when the incremental value beats the cost. Log columns (action, propensity, reward, run_id, user_id, …) are never features. Deterministic (propensity 1); policy:expected_rewards(frame) gives the per-action scores. value finite, costs finite >= 0.") { c in
                let spec = try SelectionModule.spec(c, 1)
                let frame = try c.frame(2)
                let o = try c.table(3)
                try o.checkKeys(FitInputs.keys.union(["actions", "action", "costs", "value", "learner"]))
                let acts = try actions(o)
                let learner = try o.string("learner") ?? "t"
                guard learner == "t" || learner == "x" else { throw LuaArgumentError(3, "field 'learner': expected 't' or 'x', got '\(learner)'") }
                let actionName = try o.string("action") ?? "action"
                let logColumns = [actionName, "propensity", "reward", "run_id", "as_of", "user_id", "rule", "group", "cost", "horizon_days", "retained", "churned"]
                    + acts.map { "p_" + $0 }
                let target = try o.string("target")
                let inputs = try FitInputs(c, frame: frame, options: o, argument: 3, alsoExclude: logColumns.filter { $0 != target && frame.has($0) })
                var costs = [Double](repeating: 0, count: acts.count)
                if let t = try o.table("costs") {
                    for k in t.stringKeys {
                        guard let j = acts.firstIndex(of: k) else { throw LuaArgumentError(3, "field 'costs.\(k)': not one of the actions (\(acts.joined(separator: ", ")))") }
                        costs[j] = try t.number(k, in: .nonNegative) ?? 0
                    }
                }
                let value = try o.number("value", in: .finite) ?? 1
                let taken = try c.core { () -> [Int] in
                    let col = try frame.column(actionName)
                    var index: [String: Int] = [:]
                    for (j, a) in acts.enumerated() { index[a] = j }
                    return try (0..<frame.nrow).map { i in
                        guard let s = col.string(at: i), let j = index[s] else {
                            throw FrameError.invalid("uplift: column '\(actionName)' row \(i + 1) is not one of the actions (\(acts.joined(separator: ", ")))")
                        }
                        return j
                    }
                }
                let fit = try c.core { try spec.spec(overriding: [:]).fitFunction }
                let p = try c.core { () -> UpliftPolicy in
                    let est: any ActionOutcomeModel = learner == "x"
                        ? try XLearnerOutcomes.fit(inputs.X, outcome: inputs.target.y, taken: taken, actions: acts, weights: inputs.weights, fit: fit)
                        : try TLearnerOutcomes.fit(inputs.X, outcome: inputs.target.y, taken: taken, actions: acts, weights: inputs.weights, fit: fit)
                    return try UpliftPolicy(actions: acts, estimator: est, costs: costs, value: value, features: inputs.X.names) { try inputs.matrix($0) }
                }
                return c.push(object: PolicyObject(p, kind: "uplift"))
            }
            m.function("transitions", "transitions(logs, {features =, user_id = 'user_id', time = 'as_of', action = 'action', reward = 'reward', retained = 'retained', next = 'next_'})",
                       "Multi-period transitions from a ledger's decision log (cl.rules.history(ledger, {outcomes = …})): for each user, the decision at run t (state = its logged `features`, action, reward) and their decision at the next run (next state = next_<feature>); a decision whose outcome is churn (retained = 0, or churned = 1) is terminal (done = 1); a retained user's last decision (no next run yet) and rows without an outcome are left out. One decision per user and run (filter to one rule first). Returns the transitions frame (user_id, as_of, features, action, reward, propensity, done, next_<feature>) for cl.policy.fitted_q (done = 'done') or q_learning (a discrete `state` feature gives next_state), and {no_outcome =, truncated =}.") { c in
                let f = try c.frame(1)
                let o = try c.options(2)
                try o.checkKeys(["features", "user_id", "time", "action", "reward", "retained", "next"])
                guard let features = try o.strings("features"), !features.isEmpty else {
                    throw LuaArgumentError(2, "field 'features' is required: the logged context columns that make the state")
                }
                var opts = LedgerTransitions.Options(features: features)
                if let v = try o.string("user_id") { opts.user = v }
                if let v = try o.string("time") { opts.time = v }
                if let v = try o.string("action") { opts.action = v }
                if let v = try o.string("reward") { opts.reward = v }
                if let v = try o.string("retained") { opts.retained = v }
                if let v = try o.string("next") { opts.prefix = v }
                let r = try c.core { try LedgerTransitions.build(f, opts) }
                c.push(frame: r.frame)
                let t = c.newTable(record: 2)
                t.set("no_outcome", r.noOutcome); t.set("truncated", r.truncated)
                return 2
            }
            PolicyUseBinding.register(m)
            EvaluateBinding.register(m)
            FittedQBinding.register(m)
        }
    }
}
