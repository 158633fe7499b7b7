import CLua
import ChurnCore
import LuaRuntime

/// `cl.analytics.*` (retention analytics, each returning a frame) and `cl.simulate.platform`.
enum RetentionModule {
    static func register(_ cl: ModuleBuilder) {
        cl.submodule("analytics", "Retention analytics; each function returns a frame.") { m in
            m.function("active_users", "active_users(events [, {from =, to =}])",
                       "DAU, WAU (7 days), MAU (30 days) and stickiness (DAU/MAU) per day in [from, to) (dates; default: the log's days).") { c in
                let log = try c.object(1, EventLogObject.self).log
                let o = try c.options(2)
                try o.checkKeys(["from", "to"])
                let from = try day(o, "from"), to = try day(o, "to")
                return c.push(frame: try c.core { try activeUsers(log, from: from, to: to) })
            }
            m.function("cohort_retention", "cohort_retention(events)",
                       "Share of each signup-month cohort active k calendar months later: columns cohort, users, m0, m1, … (nil after the data ends).") { c in
                let log = try c.object(1, EventLogObject.self).log
                return c.push(frame: try c.core { try cohortRetention(log) })
            }
            m.function("retention_curve", "retention_curve(events [, {max_days = 90}])",
                       "Share of users still active (an event on or after day N) N days after signup, for N = 0…max_days (max_days 0…36500), among users observed that long.") { c in
                let log = try c.object(1, EventLogObject.self).log
                let o = try c.options(2)
                try o.checkKeys(["max_days"])
                let maxDays = try o.integer("max_days", in: 0...OptionLimits.days) ?? 90
                return c.push(frame: try c.core { try retentionCurve(log, maxDays: maxDays) })
            }
            m.function("churn_rates", "churn_rates(subscriptions [, {from =, to =}])",
                       "Account- and revenue-based churn per calendar month (accounts with a running term at the month start and none at the next).") { c in
                let subs = try c.object(1, SubscriptionsObject.self).subs
                let o = try c.options(2)
                try o.checkKeys(["from", "to"])
                let from = try day(o, "from"), to = try day(o, "to")
                return c.push(frame: try c.core { try churnRates(subs, from: from, to: to) })
            }
            m.function("revenue_retention", "revenue_retention(subscriptions [, {from =, to =}])",
                       "Net and gross revenue retention per calendar month, with expansion, contraction and churned MRR. MRR follows cl.subscriptions' price_period: a term's price over its calendar months ('term', default) or the price itself ('month'), so monthly billing in 28- to 31-day months shows no expansion or contraction.") { c in
                let subs = try c.object(1, SubscriptionsObject.self).subs
                let o = try c.options(2)
                try o.checkKeys(["from", "to"])
                let from = try day(o, "from"), to = try day(o, "to")
                return c.push(frame: try c.core { try revenueRetention(subs, from: from, to: to) })
            }
            m.function("ltv", "ltv(events)",
                       "Lifetime value per signup-month cohort from event amounts: observed revenue per user and ARPU × expected lifetime (1 / monthly churn).") { c in
                let log = try c.object(1, EventLogObject.self).log
                return c.push(frame: try c.core { try cohortLTV(log) })
            }
            m.function("funnel", "funnel(events [, {steps = {'purchase', 'renew'}}])",
                       "Conversion funnel from signup (first event) through the first event of each step type, in order.") { c in
                let log = try c.object(1, EventLogObject.self).log
                let o = try c.options(2)
                try o.checkKeys(["steps"])
                let steps = try o.strings("steps") ?? ["purchase", "renew"]
                return c.push(frame: try c.core { try funnel(log, steps: steps) })
            }
        }

        cl.submodule("simulate", "Built-in data simulators.") { m in
            m.function("platform", "platform{users = 1000, days = 365, start = '2024-01-01', seed =, courses = 120, temporal = false}",
                       "A knowledge-payment platform: returns {users =, subscriptions =, events =, courses =, interactions =} frames. courses (0…100000) is the catalogue size: course_id, title, topic, level, price, lessons, description (about a third in Chinese); interactions are user_id, ts, course_id, action (view, start, finish, purchase, rate), rating, driven by latent tastes and course popularity (finished lessons land on taste-relevant courses). Engagement drifts, churn hazard depends on it, price and satisfaction; the `device` column is noise. temporal = true adds churn drivers in the order of days that window aggregates capture only partly: a lost daily streak (3+ active days running, then a day without activity) raises the hazard for 14 days; 30 % of the users keep a weekly habit day, and a rhythm of 4+ weeks that breaks raises it for 28 days; a return after 14+ idle days raises it for 28 days; a fading 14-day engagement trend weighs more (off by default: seeded outputs without it are unchanged). Deterministic for a seed (default cl.seed's). users 1…50000000, days 1…20000, seed >= 0.") { c in
                let o = try c.options(1)
                try o.checkKeys(["users", "days", "start", "seed", "courses", "temporal"])
                var opts = SimulationOptions(seed: GlobalSeed.value)
                if let u = try o.integer("users", in: 1...50_000_000) { opts.users = u }
                if let d = try o.integer("days", in: 1...20_000) { opts.days = d }
                if let n = try o.integer("courses", in: 0...100_000) { opts.courses = n }
                if let s = try day(o, "start", arg: 1) { opts.start = s }
                opts.seed = try o.seed()
                opts.temporal = try o.bool("temporal") ?? false
                let sim = try c.core { try simulatePlatform(opts) }
                let t = c.newTable(record: 5)
                c.push(frame: sim.users); t.setTop("users")
                c.push(frame: sim.subscriptions); t.setTop("subscriptions")
                c.push(frame: sim.events); t.setTop("events")
                c.push(frame: sim.courses); t.setTop("courses")
                c.push(frame: sim.interactions); t.setTop("interactions")
                return 1
            }
        }
    }

    /// A date field as days since 1970-01-01 (text like "2024-06-01").
    static func day(_ t: LuaTable, _ key: String, arg: Int32 = 2) throws -> Int32? {
        guard let s = try t.string(key) else { return nil }
        guard let v = TimeUnit.parse(s) else {
            throw LuaArgumentError(arg, "field '\(key)': '\(s)' is not a date like '2024-06-01'")
        }
        return Int32(TimeUnit.day(v))
    }
}
