/// A learned policy choosing a rule's action (`action = cl.policy.use(policy, …)` in a rule file).
///
/// The rule still selects the users (condition, tiers, opt-outs, cooldown, caps) and still
/// enforces its budget and holdout; among the selected, the policy picks the action. The
/// policy's probabilities are mixed with the uniform distribution, p = (1 − explore)·π + explore/K,
/// so every action keeps support and later off-policy evaluation is possible. The draw is
/// reproducible: u = HMAC(holdout key, experiment/rule + "/policy/" + period, user), so re-running
/// a period decides the same way (the exactly-once ledger relies on that), and it is independent
/// of the holdout draw. A decision's propensity is (1 − holdout)·p[action]; a holdout control's is
/// holdout. An action without a delivery is a logged choice not to contact (group "none").
public final class RulePolicy: @unchecked Sendable {
    public let policy: any DecisionPolicy
    /// Share of decisions spread uniformly over the actions, in [0, 1].
    public let explore: Double
    /// Per policy action, how it is delivered; nil = no contact.
    public let deliveries: [RuleAction?]

    public init(policy: any DecisionPolicy, explore: Double, deliveries: [RuleAction?]) throws {
        guard explore.isFinite, explore >= 0, explore <= 1 else { throw RulesError("policy use: explore must be in [0, 1], got \(explore)") }
        guard deliveries.count == policy.actions.count else {
            throw RulesError("policy use: \(deliveries.count) deliveries for \(policy.actions.count) actions")
        }
        guard deliveries.contains(where: { $0 != nil }) else {
            throw RulesError("policy use: no action of the policy (\(policy.actions.joined(separator: ", "))) contacts anyone: give actions = {<name> = {channel = …}}")
        }
        for case let d? in deliveries {
            guard !d.channel.isEmpty else { throw RulesError("policy use: an action's channel is empty") }
            guard d.cost.isFinite, d.cost >= 0 else { throw RulesError("policy use: cost must be ≥ 0, got \(d.cost)") }
        }
        self.policy = policy; self.explore = explore; self.deliveries = deliveries
    }

    public var actions: [String] { policy.actions }

    /// The channels this policy can contact on (frequency caps of any of them apply to the rule).
    public var channels: [String] {
        var seen = Set<String>()
        return deliveries.compactMap { $0?.channel }.filter { seen.insert($0).inserted }
    }

    /// Row-major n × K probabilities over the frame, exploration mixed in.
    public func probabilities(_ frame: Frame) throws -> [Double] {
        let k = actions.count, n = frame.nrow
        var p = try policy.probabilities(frame)
        try PolicySampling.check(p, n: n, k: k, what: "policy use")
        if explore > 0 {
            let e = explore / Double(k)
            for j in p.indices { p[j] = (1 - explore) * p[j] + e }
        }
        return p
    }
}
