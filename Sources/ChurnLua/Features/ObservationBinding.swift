import ChurnCore
import LuaRuntime

/// `cl.features.active_periods`, `cl.features.observation_dates` and
/// `cl.features.tenure`: the observation schedule of the "Fighting Churn With
/// Data" method (see `ObservationSchedule.swift` in the core), without a Lua loop.
enum ObservationBinding {
    static let leadDays = 0...3650

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("features") { m in
            m.function("active_periods", "active_periods(subs [, {gap_days = 0, data_end =}])",
                       "Each user's subscription terms chained into active periods (a term starting at most gap_days (0…36500) after the coverage so far continues it): user, start, churn_date (null while active at data_end, default the last term start), days.") { c in
                let subs = try c.object(1, SubscriptionsObject.self).subs
                let o = try c.options(2)
                try o.checkKeys(["gap_days", "data_end"])
                let gap = Int64(try o.integer("gap_days", in: 0...OptionRange.days.upperBound) ?? 0) * TimeUnit.microsPerDay
                let end = try LuaFeatureOptions.time(o, "data_end", arg: 2) ?? subs.defaultDataEnd
                return c.push(frame: try c.core { try subs.activePeriodFrame(gap: gap, dataEnd: end) })
            }
            m.function("observation_dates", "observation_dates(subs [, {every = '1M', lead_days = 7, gap_days = 0, from =, to =, data_end =}])",
                       "Observation rows as in 'Fighting Churn With Data': for every active period, one observation per interval at start + k·every − lead_days (k = 1, 2, …) before the period ends, with is_churn (the period ends before the next observation), tenure_days and period_start. every: calendar months like '1M' / '3M' (day clamped to the month's end) or days like '28d', '4w', 30 (1…36500); lead_days 0…3650. Observations whose outcome is not known by data_end are left out.") { c in
                let subs = try c.object(1, SubscriptionsObject.self).subs
                let o = try c.options(2)
                try o.checkKeys(["every", "lead_days", "gap_days", "from", "to", "data_end"])
                let interval = try every(o)
                let lead = try o.integer("lead_days", in: leadDays) ?? 7
                let gap = Int64(try o.integer("gap_days", in: 0...OptionRange.days.upperBound) ?? 0) * TimeUnit.microsPerDay
                let from = try LuaFeatureOptions.time(o, "from", arg: 2), to = try LuaFeatureOptions.time(o, "to", arg: 2)
                let end = try LuaFeatureOptions.time(o, "data_end", arg: 2) ?? subs.defaultDataEnd
                return c.push(frame: try c.core {
                    try subs.observationDates(interval: interval, leadDays: lead, gap: gap, from: from, to: to, dataEnd: end)
                })
            }
            m.function("tenure", "tenure(subs, {as_of =, gap_days = 0})",
                       "Account tenure at as_of for every user subscribed then: whole days since the start of the active period (terms chained with gap_days) and active_since.") { c in
                let subs = try c.object(1, SubscriptionsObject.self).subs
                let o = try c.options(2)
                try o.checkKeys(["as_of", "gap_days"])
                guard let asOf = try LuaFeatureOptions.time(o, "as_of", arg: 2) else { throw LuaArgumentError(2, "field 'as_of' (a date like '2024-06-01') is required") }
                let gap = Int64(try o.integer("gap_days", in: 0...OptionRange.days.upperBound) ?? 0) * TimeUnit.microsPerDay
                return c.push(frame: try c.core { try subs.tenure(asOf: asOf, gap: gap) })
            }
        }
    }

    /// `every`: "1M" … "1200M" calendar months, or days ("28d", "4w", a number).
    static func every(_ o: LuaTable) throws -> ObservationInterval {
        if case .string(let s) = o.value("every", depth: 0), s.hasSuffix("M") {
            guard let n = Int(s.dropLast()), (1...1200).contains(n) else {
                throw LuaArgumentError(2, "field 'every': '\(s)' is not a number of months like '1M' (1…1200)")
            }
            return .months(n)
        }
        if let d = try LuaFeatureOptions.days(o, "every", arg: 2) { return .days(d) }
        return .months(1)
    }
}
