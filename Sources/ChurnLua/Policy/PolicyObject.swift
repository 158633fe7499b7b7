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

    static func register(_ state: LuaState) {
        state.register(PolicyObject.self, LuaClass(methods: [
            "choose": { c in
                let o = try c.object(1, PolicyObject.self)
                let f = try c.frame(2)
                let opts = try c.options(3)
                try opts.checkKeys(["seed"])
                let seed = try opts.seed()
                let (acts, props) = try c.core { try o.policy.decide(f, seed: seed) }
                c.push(column: Column(name: "action", data: .string(codes: acts.map { Int32($0) }, dictionary: o.policy.actions)))
                c.push(column: .float("propensity", props))
                return 2
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
