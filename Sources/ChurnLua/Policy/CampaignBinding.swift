import CLua
import ChurnCore
import LuaRuntime

/// A campaign simulator (`cl.CampaignSim`) from `cl.simulate.campaign{…}`.
public final class CampaignSimObject: LuaObject {
    public static let luaTypeName = "cl.CampaignSim"
    let sim: CampaignSimulator
    init(_ s: CampaignSimulator) { sim = s }
}

/// `cl.simulate.campaign`: the retention campaign with counterfactual truth.
enum CampaignBinding {
    static let actionKeys: Set<String> = ["name", "cost", "effect", "price", "engagement", "tenure", "personas"]

    static func options(_ o: LuaTable) throws -> CampaignSimOptions {
        try o.checkKeys(["users", "periods", "actions", "seed", "value", "baseline", "decay", "annoyance", "free_contacts", "window"])
        var s = CampaignSimOptions()
        s.seed = try o.seed()
        if let v = try o.integer("users", in: 1...CampaignSimOptions.maxUsers) { s.users = v }
        if let v = try o.integer("periods", in: 1...CampaignSimOptions.maxPeriods) { s.periods = v }
        if let v = try o.number("value", in: .finite) { s.value = v }
        if let v = try o.number("baseline", in: .closed(-20, 20)) { s.baseline = v }
        if let v = try o.number("decay", in: .probability) { s.decay = v }
        if let v = try o.number("annoyance", in: .closed(-20, 20)) { s.annoyance = v }
        if let v = try o.integer("free_contacts", in: 0...52) { s.freeContacts = v }
        if let v = try o.integer("window", in: 1...52) { s.window = v }
        let effect = NumberRange.closed(-20, 20)
        for r in try ValueRecord.array(o, "actions", argument: 1) ?? [] {
            try r.checkKeys(actionKeys)
            guard let name = try r.string("name") else { throw LuaArgumentError(1, "field '\(r.path).name' is required") }
            s.actions.append(CampaignAction(
                name: name, cost: try r.number("cost", in: .finite) ?? 0, effect: try r.number("effect", in: effect) ?? 0,
                price: try r.number("price", in: effect) ?? 0, engagement: try r.number("engagement", in: effect) ?? 0,
                tenure: try r.number("tenure", in: effect) ?? 0, personas: try r.numbers("personas", in: effect)))
        }
        guard s.actions.count <= CampaignSimOptions.maxActions else {
            throw LuaArgumentError(1, "field 'actions': at most \(CampaignSimOptions.maxActions) actions")
        }
        return s
    }

    static func register(_ cl: ModuleBuilder) {
        cl.state.register(CampaignSimObject.self, LuaClass(methods: [
            "log": { c in
                let s = try c.object(1, CampaignSimObject.self).sim
                let p = try c.object(2, PolicyObject.self).policy
                let o = try c.options(3)
                try o.checkKeys(["seed"])
                let seed = try o.seed()
                return c.push(frame: try c.core { try s.simulate(p, seed: seed).frame! })
            },
            "transitions": { c in
                let s = try c.object(1, CampaignSimObject.self).sim
                let p = try c.object(2, PolicyObject.self).policy
                let o = try c.options(3)
                try o.checkKeys(["seed"])
                let seed = try o.seed()
                return c.push(frame: try c.core { try s.transitions(p, seed: seed) })
            },
            "expected_rewards": { c in
                let s = try c.object(1, CampaignSimObject.self).sim
                let f = try c.frame(2)
                let mu = try c.core { try s.expectedRewards(f) }
                let k = s.actions.count, n = f.nrow
                return c.push(frame: try c.core { try Frame(s.actionNames.enumerated().map { a, name in
                    .float("q_" + name, (0..<n).map { mu[$0 * k + a] }) }) })
            },
            "policy_value": { c in
                let s = try c.object(1, CampaignSimObject.self).sim
                let p = try c.object(2, PolicyObject.self).policy
                let t: LuaTableWriter
                if c.isNoneOrNil(3) || c.luaType(3) == LUA_TTABLE {
                    let o = try c.options(3)
                    try o.checkKeys(["draws", "seed"])
                    let draws = try o.integer("draws", in: 1...100_000) ?? 200
                    let seed = try o.seed()
                    let r = try c.core { try s.horizonValue(of: p, draws: draws, seed: seed) }
                    t = c.newTable(record: 3)
                    t.set("value", r.value); t.set("exact", r.exact)
                    if !r.exact { t.set("se", r.standardError) }
                } else {
                    let f = try c.frame(3)
                    let r = try c.core { try s.value(of: p, on: f) }
                    t = c.newTable(record: 4)
                    t.set("value", r.value); t.set("oracle", r.oracle); t.set("regret", r.oracle - r.value); t.set("exact", true)
                }
                return 1
            },
            "contexts": { c in
                let s = try c.object(1, CampaignSimObject.self).sim
                return c.push(frame: try c.core { try s.firstPeriodContexts() })
            },
        ], metamethods: [
            "__tostring": { c in
                let s = try c.object(1, CampaignSimObject.self).sim
                return c.push("<cl.CampaignSim users=\(s.users) periods=\(s.options.periods) actions=\(s.actionNames.joined(separator: ","))>")
            },
        ], index: { c in
            let s = try c.object(1, CampaignSimObject.self).sim
            switch try c.string(2) {
            case "actions": return c.pushArray(s.actionNames)
            case "users": return c.push(frame: try c.core { try s.usersFrame() })
            case "periods": return c.push(s.options.periods)
            default: return c.pushNil()
            }
        }))
        cl.submodule("simulate", "Built-in data simulators.") { m in
            m.function("campaign", "campaign{users = 1000, periods = 1, actions = {{name =, cost =, effect =, price =, engagement =, tenure =, personas = {…}}, …}, seed =, value = 30, baseline = -2.2, decay = 0.5, annoyance = 0.4, free_contacts = 1, window = 3}",
                       "A retention campaign with counterfactual truth (cl.CampaignSim). Users have engagement (z-score), tenure (months), price_sensitivity (0…1) and a persona (casual, learner, bargain_hunter, loyal); action 'none' comes first. Each period an active user's churn log-odds is baseline − 0.8·engagement − 0.35·std log tenure + 1.2·(price_sensitivity − ½) + persona offset − carryover − effect·(1 + price·(2s − 1) + engagement·e + tenure·t)·personas[p] + annoyance·sensitivity·max(0, contacts in `window` periods − free_contacts); the effect left decays by `decay` a period. Reward = value × retained − cost. sim:log(policy) logs decisions with propensities; sim:policy_value(policy [, frame]) and sim:expected_rewards(frame) are exact. users 1…10000000, periods 1…1000, ≤ 64 actions, effects in [-20, 20], decay in [0, 1], window 1…52.") { c in
                let o = try c.options(1)
                let opts = try options(o)
                return c.push(object: CampaignSimObject(try c.core { try CampaignSimulator(opts) }))
            }
        }
    }
}
