import CLua
import ChurnCore
import LuaRuntime

/// An indexed event log as Lua holds it (`cl.EventLog`).
public final class EventLogObject: LuaObject {
    public static let luaTypeName = "cl.EventLog"
    public let log: EventLog
    public init(_ log: EventLog) { self.log = log }
}

/// A subscription table as Lua holds it (`cl.Subscriptions`).
public final class SubscriptionsObject: LuaObject {
    public static let luaTypeName = "cl.Subscriptions"
    public let subs: Subscriptions
    public init(_ subs: Subscriptions) { self.subs = subs }
}

/// `cl.events`, `cl.subscriptions`, `cl.features.build/snapshots`, `cl.labels.churn`.
enum FeaturesModule {
    static func register(_ cl: ModuleBuilder) {
        cl.state.register(EventLogObject.self, LuaClass(
            methods: [
                "nevents": { c in c.push(try c.object(1, EventLogObject.self).log.count) },
                "nusers": { c in c.push(try c.object(1, EventLogObject.self).log.userCount) },
                "types": { c in c.pushArray(try c.object(1, EventLogObject.self).log.typeNames) },
                "range": { c in
                    guard let r = try c.object(1, EventLogObject.self).log.timeRange else { c.pushNil(); return c.pushNil() }
                    c.push(CoreDates.formatTimestamp(r.min)); return c.push(CoreDates.formatTimestamp(r.max)) + 1
                },
            ],
            metamethods: [
                "__len": { c in c.push(try c.object(1, EventLogObject.self).log.count) },
                "__tostring": { c in
                    let log = try c.object(1, EventLogObject.self).log
                    return c.push("<cl.EventLog \(log.count) events, \(log.userCount) users, \(log.typeNames.count) event types>")
                },
            ]))
        cl.state.register(SubscriptionsObject.self, LuaClass(
            methods: [
                "nterms": { c in c.push(try c.object(1, SubscriptionsObject.self).subs.count) },
                "nusers": { c in c.push(try c.object(1, SubscriptionsObject.self).subs.userCount) },
                "plans": { c in c.pushArray(try c.object(1, SubscriptionsObject.self).subs.planNames) },
            ],
            metamethods: [
                "__len": { c in c.push(try c.object(1, SubscriptionsObject.self).subs.count) },
                "__tostring": { c in
                    let s = try c.object(1, SubscriptionsObject.self).subs
                    return c.push("<cl.Subscriptions \(s.count) terms, \(s.userCount) users>")
                },
            ]))

        cl.function("events", "events(frame [, {user = 'user_id', time = 'ts', event = 'event', amount = 'amount'}])",
                    "Indexes an event log by user and time. `user`: int or string column; `time`: timestamp or date; `event`: string column; `amount` (optional, used when the frame has it): numbers, nulls allowed.") { c in
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["user", "time", "event", "amount"])
            let user = try o.string("user") ?? "user_id", time = try o.string("time") ?? "ts"
            let event = try o.string("event") ?? "event"
            let amount = try o.string("amount") ?? (f.has("amount") ? "amount" : nil)
            return c.push(object: EventLogObject(try c.core { try EventLog(f, user: user, time: time, event: event, amount: amount) }))
        }

        cl.function("subscriptions", "subscriptions(frame [, {user =, start =, ['end'] =, plan =, price =, price_period = 'term', auto_renew =, discount =}])",
                    "Subscription terms, one row per paid term: `start`/`end` dates or timestamps (null end = open-ended; a term runs on [start, end), so one starting on as_of is running), `plan` text, `price`. price_period = 'term' (default): price is what the whole term costs, and MRR divides it by the term's calendar months (a monthly plan billed Jan 31, Feb 29, Mar 31 has the same MRR every month; terms that are not whole months scale by 30.4375 / days); 'month': price is already a monthly rate (an mrr column). Optional `auto_renew` (bool) and `discount` columns (used when present).") { c in
            let f = try c.frame(1)
            let o = try c.options(2)
            try o.checkKeys(["user", "start", "end", "plan", "price", "price_period", "auto_renew", "discount"])
            let auto = try o.string("auto_renew") ?? (f.has("auto_renew") ? "auto_renew" : nil)
            let disc = try o.string("discount") ?? (f.has("discount") ? "discount" : nil)
            var period = Subscriptions.PricePeriod.term
            if let p = try o.string("price_period") {
                guard let v = Subscriptions.PricePeriod(rawValue: p) else {
                    throw LuaArgumentError(2, "field 'price_period': '\(p)' is not 'term' (price of the whole term) or 'month' (a monthly rate)")
                }
                period = v
            }
            let s = try c.core {
                try Subscriptions(f, user: try o.string("user") ?? "user_id", start: try o.string("start") ?? "start",
                                  end: try o.string("end") ?? "end", plan: try o.string("plan") ?? "plan",
                                  price: try o.string("price") ?? "price", autoRenew: auto, discount: disc, pricePeriod: period)
            }
            return c.push(object: SubscriptionsObject(s))
        }

        cl.submodule("features", "Point-in-time features from event logs.") { m in
            m.function("build", "build(events, spec)",
                       "Features of every user seen before spec.as_of (only events strictly before it). spec: as_of (date text), windows {7,30,90}, families, event_types, recency_types, session_gap_minutes, behaviour_window, trend_windows, subscriptions (a cl.Subscriptions). Windows and behaviour_window are whole days in 1…36500; session_gap_minutes is in (0, 52560000]. `events` may be a cl.source.postgres{…}: the spec is compiled to SQL (cl.features.sql) and runs in the server.") { c in
                if let n = try WarehouseModule.build(c) { return n }
                let log = try c.object(1, EventLogObject.self).log
                let t = try c.table(2)
                let subs = try LuaFeatureOptions.subscriptions(c, t, arg: 2)
                let spec = try LuaFeatureOptions.spec(t, arg: 2, extraKeys: ["subscriptions"])
                return c.push(frame: try EngineRunLog.inProcess(c, "cl.features.build") { try c.core { try buildFeatures(log, spec, subscriptions: subs) } })
            }
            m.function("snapshots", "snapshots(events, {from =, to =, every = '28d', spec =, label =, subscriptions =})",
                       "Stacks features (and labels, when `label` is given) over observation dates from, from + every, … ≤ to, with an `as_of` column first. `every`: days (1…36500) as a number or text like '28d' / '4w'. `events` may be a cl.source.postgres{…}: every date runs in one server query.") { c in
                if let n = try WarehouseModule.snapshots(c) { return n }
                let log = try c.object(1, EventLogObject.self).log
                let t = try c.table(2)
                try t.checkKeys(["from", "to", "every", "spec", "label", "subscriptions"])
                let subs = try LuaFeatureOptions.subscriptions(c, t, arg: 2)
                guard let from = try LuaFeatureOptions.time(t, "from", arg: 2), let to = try LuaFeatureOptions.time(t, "to", arg: 2) else {
                    throw LuaArgumentError(2, "fields 'from' and 'to' (dates like '2024-06-01') are required")
                }
                let every = try LuaFeatureOptions.days(t, "every", arg: 2) ?? 28
                guard let specTable = try t.table("spec") else { throw LuaArgumentError(2, "field 'spec' (a feature spec table) is required") }
                let spec = try LuaFeatureOptions.spec(specTable, arg: 2, requireAsOf: false)
                let label = try t.table("label").map { try LuaFeatureOptions.label($0, arg: 2, requireAsOf: false, subscriptions: subs != nil) }
                let o = SnapshotOptions(from: from, to: to, everyDays: every, spec: spec, label: label)
                return c.push(frame: try EngineRunLog.inProcess(c, "cl.features.snapshots") { try c.core { try snapshots(log, o, subscriptions: subs) } })
            }
        }

        cl.submodule("labels", "Churn labels from what happens after the observation date.") { m in
            m.function("churn", "churn(events_or_subscriptions, {as_of =, horizon = 30, active_within = 30, definition =, censoring = 'exclude', data_end =, grace_days = 0})",
                       "Churn labels as of `as_of`. inactivity (event logs): users active in the `active_within` days before churn when they have no event in [as_of, as_of + horizon). subscription (subscription tables): users with a term running at as_of (start <= as_of < end) whose coverage ends in the horizon without a renewal starting within grace_days. data_end defaults to the last event (events) or the latest term start (subscriptions); users whose horizon (+ grace_days) runs past it are excluded, or kept with churn = nil when censoring = 'flag'. horizon and active_within: 1…36500 days (number or '4w'); grace_days 0…36500. When that censors everyone under 'exclude' the call is an error saying so (give data_end).") { c in
                if let n = try WarehouseModule.labels(c) { return n }
                let t = try c.table(2)
                if c.isObject(1, SubscriptionsObject.self) {
                    let subs = try c.object(1, SubscriptionsObject.self).subs
                    let o = try LuaFeatureOptions.label(t, arg: 2, requireAsOf: true, subscriptions: true)
                    return c.push(frame: try EngineRunLog.inProcess(c, "cl.labels.churn") { try c.core { try churnLabels(subs, o) } })
                }
                let log = try c.object(1, EventLogObject.self).log
                let o = try LuaFeatureOptions.label(t, arg: 2, requireAsOf: true, subscriptions: false)
                return c.push(frame: try EngineRunLog.inProcess(c, "cl.labels.churn") { try c.core { try churnLabels(log, o) } })
            }
        }
    }
}

/// Lua option tables → core option structs.
enum LuaFeatureOptions {
    /// A time field given as text ("2024-06-01", "2024-06-01T12:00:00"); nil when absent.
    static func time(_ t: LuaTable, _ key: String, arg: Int32) throws -> Int64? {
        guard let s = try t.string(key) else { return nil }
        guard let v = TimeUnit.parse(s) else {
            throw LuaArgumentError(arg, "field '\(key)': '\(s)' is not a date like '2024-06-01' or '2024-06-01T12:00:00'")
        }
        return v
    }

    /// A number of days in `range` (default 1…36500): a number or text such as "28d" or "4w".
    static func days(_ t: LuaTable, _ key: String, arg: Int32, in range: ClosedRange<Int> = OptionRange.days) throws -> Int? {
        if case .string(let s) = t.value(key, depth: 0) {
            let unit = s.last.map { $0 == "w" ? 7 : ($0 == "d" ? 1 : 0) } ?? 0
            // The count is range-checked before multiplying ("9223372036854775807w" would overflow).
            guard unit > 0, let n = Int(s.dropLast()), n > 0, n <= range.upperBound / unit, range.contains(n * unit) else {
                throw LuaArgumentError(arg, "field '\(key)': '\(s)' is not a period like '28d' or '4w' of \(range.lowerBound)...\(range.upperBound) days")
            }
            return n * unit
        }
        return try t.integer(key, in: range)
    }

    static func ints(_ t: LuaTable, _ key: String, arg: Int32) throws -> [Int]? {
        guard let sub = try t.table(key) else { return nil }
        return try sub.arrayOfNumbers().map { x in
            guard let d = NumericOption.integer(.number(x), in: OptionRange.days) else {
                throw LuaArgumentError(arg, "field '\(key)': \(LuaValue.format(x)) is not a whole number of days in \(OptionRange.days.lowerBound)...\(OptionRange.days.upperBound)")
            }
            return d
        }
    }

    static func subscriptions(_ c: LuaCall, _ t: LuaTable, arg: Int32) throws -> Subscriptions? {
        let type = t.push("subscriptions")
        defer { lua_settop(c.L, -2) }
        if type == LUA_TNIL { return nil }
        let idx = lua_absindex(c.L, -1)
        guard c.isObject(idx, SubscriptionsObject.self) else {
            throw LuaArgumentError(arg, "field 'subscriptions': cl.Subscriptions expected, got \(c.typeName(idx))")
        }
        return try c.object(idx, SubscriptionsObject.self).subs
    }

    static func spec(_ t: LuaTable, arg: Int32, requireAsOf: Bool = true, extraKeys: Set<String> = []) throws -> FeatureSpec {
        try t.checkKeys(Set(["as_of", "windows", "families", "event_types", "recency_types", "session_gap_minutes",
                             "behaviour_window", "trend_windows"]).union(extraKeys))
        let asOf = try time(t, "as_of", arg: arg)
        if requireAsOf && asOf == nil { throw LuaArgumentError(arg, "field 'as_of' (a date like '2024-06-01') is required") }
        var s = FeatureSpec(asOf: asOf ?? 0)
        if let w = try ints(t, "windows", arg: arg) { s.windows = w }
        if let f = try t.strings("families") {
            s.families = try f.map { name in
                guard let fam = FeatureFamily(rawValue: name) else {
                    throw LuaArgumentError(arg, "field 'families': unknown family '\(name)'; known: " +
                                           FeatureFamily.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return fam
            }
        }
        s.eventTypes = try t.strings("event_types")
        s.recencyTypes = try t.strings("recency_types")
        if let g = try t.number("session_gap_minutes", in: .openClosed(0, OptionLimits.minutes)) { s.sessionGapMinutes = g }
        if let b = try t.integer("behaviour_window", in: OptionRange.days) { s.behaviourWindow = b }
        s.trendWindows = try ints(t, "trend_windows", arg: arg)
        return s
    }

    static func label(_ t: LuaTable, arg: Int32, requireAsOf: Bool, subscriptions: Bool) throws -> LabelOptions {
        try t.checkKeys(["as_of", "horizon", "active_within", "definition", "censoring", "data_end", "grace_days"])
        let asOf = try time(t, "as_of", arg: arg)
        if requireAsOf && asOf == nil { throw LuaArgumentError(arg, "field 'as_of' (a date like '2024-06-01') is required") }
        var o = LabelOptions(asOf: asOf ?? 0, definition: subscriptions ? .subscription : .inactivity)
        if let h = try days(t, "horizon", arg: arg) { o.horizon = h }
        // active_within = false: every user seen before as_of is labelled.
        if case .bool(false) = t.value("active_within", depth: 0) { o.activeWithin = nil }
        else if let a = try days(t, "active_within", arg: arg) { o.activeWithin = a }
        if let d = try t.string("definition") {
            guard let def = ChurnDefinition(rawValue: d) else {
                throw LuaArgumentError(arg, "field 'definition': '\(d)' is not 'inactivity' or 'subscription'")
            }
            o.definition = def
        }
        if let cs = try t.string("censoring") {
            guard let cen = Censoring(rawValue: cs) else {
                throw LuaArgumentError(arg, "field 'censoring': '\(cs)' is not 'exclude' or 'flag'")
            }
            o.censoring = cen
        }
        o.dataEnd = try time(t, "data_end", arg: arg)
        if let g = try t.integer("grace_days", in: 0...OptionLimits.days) { o.graceDays = g }
        return o
    }
}
