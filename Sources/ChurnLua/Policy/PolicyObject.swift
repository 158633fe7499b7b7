import CLua
import ChurnCore
import LuaRuntime

/// A decision policy (`cl.Policy`) from `cl.policy.*`: `:choose`, `:probabilities`, `:update`.
public final class PolicyObject: LuaObject {
    public static let luaTypeName = "cl.Policy"
    let policy: DecisionPolicy
    let kind: String
    init(_ p: DecisionPolicy, kind: String) { policy = p; self.kind = kind }
    /// The policy (for hosts: `churnlab rules effect --policy` evaluates a script's returned policy).
    public var decisionPolicy: DecisionPolicy { policy }

    /// The probability frame: one `p_<action>` column per action.
    static func probabilityFrame(_ p: [Double], actions: [String], n: Int) throws -> Frame {
        let k = actions.count
        return try Frame(actions.enumerated().map { a, name in .float("p_" + name, (0..<n).map { p[$0 * k + a] }) })
    }

    /// The log options shared by :update and cl.policy.evaluate.
    static let logKeys: Set<String> = ["action", "propensity", "reward"]
    static func logs(_ c: LuaCall, frame i: Int32, options o: LuaTable, actions: [String]) throws -> LoggedDecisions {
        let f = try c.frame(i)
        let action = try o.string("action") ?? "action", prop = try o.string("propensity") ?? "propensity"
        let reward = try o.string("reward") ?? "reward"
        return try c.core { try LoggedDecisions(frame: f, actionNames: actions, action: action, propensity: prop, reward: reward) }
    }

    static let chooseKeys: Set<String> = ["seed", "budget", "costs", "none", "cooldown_days", "history", "as_of", "user", "date", "order_by"]

    /// The decision-time constraints of `policy:choose(frame, {…})`, nil when none are given.
    static func constraints(_ c: LuaCall, _ o: LuaTable, policy: DecisionPolicy, frame f: Frame) throws -> DecisionConstraints? {
        let budget = try o.table("budget")
        let cooldown = try o.integer("cooldown_days", in: 0...36_500)
        guard budget != nil || cooldown != nil else {
            for k in ["costs", "none", "history", "as_of", "user", "date", "order_by"] where o.has(k) {
                throw LuaArgumentError(3, "field '\(k)' goes with budget = {…} or cooldown_days =")
            }
            return nil
        }
        let acts = policy.actions
        let noneName = try o.string("none") ?? (acts.contains("none") ? "none" : acts[0])
        guard let none = acts.firstIndex(of: noneName) else {
            throw LuaArgumentError(3, "field 'none': '\(noneName)' is not one of the policy's actions (\(acts.joined(separator: ", ")))")
        }
        var costs = [Double](repeating: 0, count: acts.count)
        if let t = try o.table("costs") {
            for k in t.stringKeys {
                guard let j = acts.firstIndex(of: k) else { throw LuaArgumentError(3, "field 'costs.\(k)': not one of the actions (\(acts.joined(separator: ", ")))") }
                costs[j] = try t.number(k, in: .nonNegative) ?? 0
            }
        }
        var cons = DecisionConstraints(noContact: none, costs: costs)
        if let b = budget {
            try b.checkKeys(["max_users", "max_cost"])
            cons.maxUsers = try b.integer("max_users", in: 0...Int(Int32.max))
            cons.maxCost = try b.number("max_cost", in: .nonNegative)
        }
        if let cd = cooldown {
            cons.cooldownDays = cd
            guard let asOf = try o.string("as_of") else { throw LuaArgumentError(3, "cooldown_days needs as_of = 'YYYY-MM-DD' (the decision date)") }
            guard let day = DateText.parseDate(asOf) else { throw LuaArgumentError(3, "field 'as_of': '\(asOf)' is not a date (YYYY-MM-DD)") }
            cons.asOf = day
            guard o.has("history") else { throw LuaArgumentError(3, "cooldown_days needs history = <frame of past contacts: user_id, as_of[, group]>") }
            let user = try o.string("user") ?? "user_id", date = try o.string("date") ?? "as_of"
            _ = o.push("history")
            defer { c.state.pop() }
            let h = try c.frame(-1)
            cons.lastContact = try c.core {
                try DecisionConstraints.nearestContacts(users: try f.column(user), history: h, userColumn: user, dateColumn: date, asOf: day)
            }
        }
        if let ob = try o.string("order_by") {
            cons.order = try c.core { try DecisionConstraints.descendingOrder(try f.column(ob)) }
        }
        return cons
    }

    static func register(_ state: LuaState) {
        state.register(PolicyObject.self, LuaClass(methods: [
            "choose": { c in
                let o = try c.object(1, PolicyObject.self)
                let f = try c.frame(2)
                let opts = try c.options(3)
                try opts.checkKeys(chooseKeys)
                let seed = try opts.seed()
                guard let cons = try constraints(c, opts, policy: o.policy, frame: f) else {
                    let (acts, props) = try c.core { try o.policy.decide(f, seed: seed) }
                    c.push(column: Column(name: "action", data: .string(codes: acts.map { Int32($0) }, dictionary: o.policy.actions)))
                    c.push(column: .float("propensity", props))
                    return 2
                }
                let (acts, props, p) = try c.core { try o.policy.decide(f, seed: seed, constraints: cons) }
                c.push(column: Column(name: "action", data: .string(codes: acts.map { Int32($0) }, dictionary: o.policy.actions)))
                c.push(column: .float("propensity", props))
                return 2 + c.push(frame: try c.core { try probabilityFrame(p, actions: o.policy.actions, n: f.nrow) })
            },
            "probabilities": { c in
                let o = try c.object(1, PolicyObject.self)
                let f = try c.frame(2)
                let p = try c.core { try o.policy.probabilities(f) }
                return c.push(frame: try c.core { try probabilityFrame(p, actions: o.policy.actions, n: f.nrow) })
            },
            "update": { c in
                let o = try c.object(1, PolicyObject.self)
                let opts = try c.options(3)
                try opts.checkKeys(logKeys)
                let l = try logs(c, frame: 2, options: opts, actions: o.policy.actions)
                try c.core { try o.policy.update(l) }
                lua_settop(c.L, 1)
                return 1
            },
            "expected_rewards": { c in
                let o = try c.object(1, PolicyObject.self)
                guard let u = o.policy as? UpliftPolicy else { throw LuaScriptError("policy:expected_rewards(): only uplift policies model rewards per action") }
                let f = try c.frame(2)
                let q = try c.core { try u.expectedRewards(f) }
                let k = u.actions.count
                return c.push(frame: try c.core { try Frame(u.actions.enumerated().map { a, name in .float("q_" + name, (0..<f.nrow).map { q[$0 * k + a] }) }) })
            },
            "q_values": { c in
                let o = try c.object(1, PolicyObject.self)
                guard let q = o.policy as? FittedQPolicy else { throw LuaScriptError("policy:q_values(): only fitted_q policies have a Q-function") }
                let f = try c.frame(2)
                let v = try c.core { try q.values(f) }
                let k = q.actions.count
                return c.push(frame: try c.core { try Frame(q.actions.enumerated().map { a, name in .float("q_" + name, (0..<f.nrow).map { v[$0 * k + a] }) }) })
            },
            "coef": { c in
                let o = try c.object(1, PolicyObject.self)
                if let q = o.policy as? QTablePolicy {
                    var cols = [Column.string("state", q.states.map { Optional($0) })]
                    let k = q.actions.count
                    for (a, name) in q.actions.enumerated() { cols.append(.float(name, (0..<q.states.count).map { q.Q[$0 * k + a] })) }
                    return c.push(frame: try c.core { try Frame(cols) })
                }
                guard let b = o.policy as? LinearBandit else { throw LuaScriptError("policy:coef(): only linear policies (epsilon_greedy, linucb, thompson) and q_learning have coefficients") }
                guard !b.theta.isEmpty else { throw LuaScriptError("policy:coef(): the policy has seen no data yet (call :update or :choose first)") }
                var cols = [Column.string("feature", b.encoder.designNames.map { Optional($0) })]
                for (a, name) in b.actions.enumerated() { cols.append(.float(name, b.theta[a])) }
                return c.push(frame: try c.core { try Frame(cols) })
            },
        ], metamethods: [
            "__tostring": { c in
                let o = try c.object(1, PolicyObject.self)
                return c.push("<cl.Policy \(o.kind): \(o.policy.summary)>")
            },
        ], index: { c in
            let o = try c.object(1, PolicyObject.self)
            switch try c.string(2) {
            case "actions": return c.pushArray(o.policy.actions)
            case "kind": return c.push(o.kind)
            default: return c.pushNil()
            }
        }))
    }
}
