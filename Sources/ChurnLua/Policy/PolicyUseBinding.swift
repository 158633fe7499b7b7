import ChurnCore
import LuaRuntime

/// A policy to be used as a rule's action (`cl.PolicyUse`), from `cl.policy.use`.
public final class PolicyUseObject: LuaObject {
    public static let luaTypeName = "cl.PolicyUse"
    let use: RulePolicy
    /// The message template for contacted users ({action}, {channel}, {offer} resolve per decision).
    let message: String
    init(_ u: RulePolicy, message: String) { use = u; self.message = message }
}

/// `cl.policy.use(policy, {explore =, actions = {name = {channel =, offer =, cost =}}, message =})`.
enum PolicyUseBinding {
    static func register(_ m: ModuleBuilder) {
        m.state.register(PolicyUseObject.self, LuaClass(methods: [:], metamethods: [
            "__tostring": { c in
                let u = try c.object(1, PolicyUseObject.self).use
                return c.push("<cl.PolicyUse \(u.policy.summary), explore \(u.explore)>")
            },
        ]))
        m.function("use", "use(policy, {explore = 0, actions = {<action> = {channel =, offer =, cost =}, …}, message =})",
                   "Lets a learned policy choose a rule's action: `cl.rules.rule{name =, when =, action = cl.policy.use(p, {explore = 0.05}), holdout =, budget =, cooldown =}`. The rule selects the users and applies budget, cooldown, caps and holdout; the policy picks each selected user's action from (1 − explore)·π + explore/K, drawn reproducibly per (rule, period, user). Every decision is logged in the ledger with its action, propensity ((1 − holdout)·p) and context (the policy's features). `actions` maps policy actions to deliveries (cost finite >= 0); actions not listed are logged choices not to contact (group 'none'); without `actions`, every action but 'none' is delivered on a channel of its own name at cost 0. explore in [0, 1].") { c in
            let p = try c.object(1, PolicyObject.self).policy
            let o = try c.options(2)
            try o.checkKeys(["explore", "actions", "message"])
            let explore = try o.number("explore", in: .probability) ?? 0
            var deliveries: [RuleAction?]
            if let t = try o.table("actions") {
                let known = Set(p.actions)
                for k in t.stringKeys where !known.contains(k) {
                    throw LuaArgumentError(2, "field 'actions.\(k)': not an action of the policy (\(p.actions.joined(separator: ", ")))")
                }
                deliveries = try p.actions.map { name -> RuleAction? in
                    guard let r = try t.table(name) else { return nil }
                    try r.checkKeys(["channel", "offer", "cost"])
                    return RuleAction(channel: try r.string("channel") ?? name, offer: try r.string("offer") ?? "",
                                      cost: try r.number("cost", in: .nonNegative) ?? 0, name: name)
                }
            } else {
                deliveries = p.actions.map { $0 == "none" ? nil : RuleAction(channel: $0, name: $0) }
            }
            let use = try c.core { try RulePolicy(policy: p, explore: explore, deliveries: deliveries) }
            return c.push(object: PolicyUseObject(use, message: try o.string("message") ?? ""))
        }
    }
}
