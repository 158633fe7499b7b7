import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// `cl.rules`: retention rule files (`tiers`, `rule`, `cap`, `suppress`, `settings`),
/// evaluation over a scored frame, effect reports and cron helpers. Declarations go
/// into the state's `RuleBook`; `churnlab rules run` evaluates that book and writes
/// the ledger. Conditions are `cl.col` expressions (vectorized) or Lua functions of a
/// row table (the slow path).
enum RulesModule {
    static func register(_ cl: ModuleBuilder) {
        cl.submodule("rules", "Retention rules: tiers, prioritized actions with budgets, holdouts, caps, cooldowns; evaluation and effect.") { m in
            UpliftBinding.register(m)
            LedgerBinding.register(m)
            m.function("tiers", "tiers{score = col, high = 0.7, medium = 0.4 [, lowest = \"low\"]}",
                       "Risk tiers from a score column: each other key names a tier and its minimum score (a finite number); below all, `lowest`.") { c in
                let o = try c.options(1)
                guard let score = try o.string("score") else { throw LuaArgumentError(1, "tiers: 'score' (the score column) is required") }
                var th: [(name: String, min: Double)] = []
                for k in o.stringKeys where k != "score" && k != "lowest" {
                    guard let v = try o.number(k, in: .finite) else { throw LuaArgumentError(1, "tiers: threshold '\(k)' must be a number") }
                    th.append((k, v))
                }
                guard !th.isEmpty else { throw LuaArgumentError(1, "tiers: give at least one threshold, e.g. high = 0.7") }
                RuleBook.of(c.state).ruleSet.tiers = Tiers(scoreColumn: score, thresholds: th, lowest: try o.string("lowest") ?? "low")
                return 0
            }

            m.function("rule", "rule{name =, when = cl.Expr|function(u)|nil, action = {channel =, offer =, cost =, message =, name =} | cl.policy.use(policy, {…}), priority =, tier =, cooldown = \"14d\", budget = {max_users =, max_cost =}, holdout =, reason =, horizon = \"30d\"}",
                       "Declares a rule. One action per user per run, by priority; see scripts/examples/retention_rules.lua. `action` is a fixed action or cl.policy.use(policy) (a learned policy picks each user's action; budget, cooldown, caps and holdout still apply). Every decision is logged with its action (action.name, default the rule's name; 'none' for holdout controls), its propensity and its context; `horizon` is when its outcome is read (outcomes join on user and as_of + horizon). Ranges: action.cost and budget.max_cost finite >= 0, budget.max_users 0…2^31, priority ±2^31, cooldown and horizon 0…36500 days (number or '2w'), holdout [0, 1).") { c in
                let o = try c.options(1)
                try o.checkKeys(["name", "when", "action", "priority", "tier", "tiers", "cooldown", "budget", "holdout", "reason", "horizon"])
                guard let name = try o.string("name") else { throw LuaArgumentError(1, "rule: 'name' is required") }
                var policyUse: PolicyUseObject? = nil
                if o.has("action") {
                    _ = o.push("action")
                    if c.isObject(-1, PolicyUseObject.self) { policyUse = try c.object(lua_absindex(c.L, -1), PolicyUseObject.self) }
                    lua_settop(c.L, -2)
                }
                let action: RuleAction
                if let policyUse {
                    action = RuleAction(channel: "", message: policyUse.message)
                } else {
                    guard let a = try o.table("action") else { throw LuaArgumentError(1, "rule '\(name)': 'action' table (or cl.policy.use(policy)) is required") }
                    try a.checkKeys(["channel", "offer", "cost", "message", "name"])
                    guard let channel = try a.string("channel") else { throw LuaArgumentError(1, "rule '\(name)': action.channel is required") }
                    action = RuleAction(channel: channel, offer: try a.string("offer") ?? "", cost: try a.number("cost", in: .nonNegative) ?? 0,
                                        message: try a.string("message") ?? "", name: try a.string("name") ?? "")
                }
                var budget = RuleBudget()
                if let b = try o.table("budget") {
                    try b.checkKeys(["max_users", "max_cost"])
                    budget = RuleBudget(maxUsers: try b.integer("max_users", in: OptionRange.size), maxCost: try b.number("max_cost", in: .nonNegative))
                }
                var tiers: [String] = []
                for key in ["tier", "tiers"] where o.has(key) {
                    if case .string(let s) = o.value(key) { tiers.append(s) } else { tiers += try o.strings(key) ?? [] }
                }
                var cooldown: Int? = nil
                if o.has("cooldown") {
                    if case .string = o.value("cooldown", depth: 0) { cooldown = try c.core { try RuleDuration.days(try o.string("cooldown") ?? "") } }
                    else { cooldown = try o.integer("cooldown", in: 0...OptionLimits.days) }
                }
                var horizon: Int? = nil
                if o.has("horizon") {
                    if case .string = o.value("horizon", depth: 0) { horizon = try c.core { try RuleDuration.days(try o.string("horizon") ?? "") } }
                    else { horizon = try o.integer("horizon", in: 0...OptionLimits.days) }
                }
                var rule = Rule(name: name, action: action, priority: try o.integer("priority", in: -OptionLimits.size...OptionLimits.size) ?? 0, tiers: tiers,
                                cooldownDays: cooldown, budget: budget, holdout: try o.number("holdout", in: .closedOpen(0, 1)) ?? 0, reason: try o.string("reason"),
                                policy: policyUse?.use, horizonDays: horizon)
                let book = RuleBook.of(c.state)
                var slot: Int? = nil
                if o.has("when") {
                    _ = o.push("when")
                    defer { lua_settop(c.L, -2) }
                    if c.isObject(-1, ExprObject.self) {
                        rule.condition = .expr(try c.object(lua_absindex(c.L, -1), ExprObject.self).expr)
                    } else if lua_type(c.L, -1) == LUA_TFUNCTION {
                        RuleBook.pushFunctions(c)
                        let n = Int(lua_rawlen(c.L, -1)) + 1
                        lua_pushvalue(c.L, -2)
                        lua_rawseti(c.L, -2, lua_Integer(n))
                        lua_settop(c.L, -2)
                        slot = n
                    } else {
                        throw LuaArgumentError(1, "rule '\(name)': 'when' must be a cl.Expr (cl.col(...)) or a function(user), got \(c.typeName(-1))")
                    }
                }
                var probe = book.ruleSet
                probe.rules.append(rule)
                try c.core { try probe.validate() }
                if let slot { book.functionSlots[book.ruleSet.rules.count] = slot }
                book.ruleSet.rules.append(rule)
                return 0
            }

            m.function("cap", "cap{channel =, max =, within = \"7d\"}", "Frequency cap: at most `max` (0…2^31) treated contacts on a channel within the window (1…36500 days, ledger history).") { c in
                let o = try c.options(1); try o.checkKeys(["channel", "max", "within"])
                guard let ch = try o.string("channel"), let mx = try o.integer("max", in: OptionRange.size) else { throw LuaArgumentError(1, "cap: 'channel' and 'max' are required") }
                let days = try c.core { try RuleDuration.days(try o.string("within") ?? "7d") }
                let cap = FrequencyCap(channel: ch, maxContacts: mx, windowDays: days)
                guard mx >= 0, days > 0 else { throw LuaArgumentError(1, "cap: max must be ≥ 0 and within > 0 days") }
                RuleBook.of(c.state).ruleSet.caps.append(cap)
                return 0
            }

            m.function("suppress", "suppress{column = \"opt_out\"} | {users = {...}} | {file = \"optouts.csv\", id_column = \"user_id\"}",
                       "Opt-outs: a bool column, a list of user ids, or a CSV file of user ids. Suppressed users are never selected.") { c in
                let o = try c.options(1); try o.checkKeys(["column", "users", "file", "id_column"])
                let book = RuleBook.of(c.state)
                if let col = try o.string("column") { book.ruleSet.suppressColumn = col }
                if o.has("users") {
                    _ = o.push("users"); defer { lua_settop(c.L, -2) }
                    let t = try c.table(lua_absindex(c.L, -1))
                    for v in t.arrayValues() { book.ruleSet.suppressedUsers.insert(v.description) }
                }
                if o.has("file") {
                    var path = try o.string("file") ?? ""
                    // Relative to the rule file when `churnlab rules run` set its directory.
                    if !path.hasPrefix("/"), let base = c.state.userInfo[RuleBook.baseKey] as? String { path = base + "/" + path }
                    let idc = try o.string("id_column") ?? book.ruleSet.userColumn
                    let ids = try c.withInputFile(path) { p in
                        try c.core { () -> [String] in
                            let f = try CSVReader(options: CSVReadOptions(types: [idc: .string])).read(path: p).frame
                            let col = try f.column(idc)
                            return (0..<f.nrow).compactMap { col.string(at: $0) }
                        }
                    }
                    book.ruleSet.suppressedUsers.formUnion(ids)
                }
                return 0
            }

            m.function("settings", "settings{user_id = \"user_id\", order_by =, period = \"day\"|\"week\"|\"month\", seed =, experiment =, context = {columns}}",
                       "Run settings: the id column, the budget order column, the idempotency period, the holdout hash key and experiment name, and the columns logged as every decision's context (with the tier score and a policy's features).") { c in
                let o = try c.options(1); try o.checkKeys(["user_id", "order_by", "period", "seed", "experiment", "context"])
                if let ctx = try o.strings("context") { RuleBook.of(c.state).ruleSet.contextColumns = ctx }
                let book = RuleBook.of(c.state)
                if let u = try o.string("user_id") { book.ruleSet.userColumn = u }
                if let ob = try o.string("order_by") { book.ruleSet.orderBy = ob }
                if let p = try o.string("period") {
                    guard let per = RulePeriod(rawValue: p) else { throw LuaArgumentError(1, "settings: period must be day, week or month, got '\(p)'") }
                    book.ruleSet.period = per
                }
                if o.has("seed") { book.ruleSet.holdoutKey = Array(o.value("seed").description.utf8) }
                if let e = try o.string("experiment") { book.ruleSet.experiment = e }
                return 0
            }

            m.function("reset", "reset()", "Forgets every declared rule, tier, cap and setting.") { c in
                RuleBook.of(c.state).reset(); return 0
            }

            m.function("list", "list()", "The declared rules in evaluation order: array of {name, priority, channel, cost, holdout}.") { c in
                let rules = RuleBook.of(c.state).ruleSet.rules.enumerated()
                    .sorted { $0.element.priority != $1.element.priority ? $0.element.priority > $1.element.priority : $0.offset < $1.offset }
                let t = c.newTable(array: rules.count)
                for (k, r) in rules.map(\.element).enumerated() {
                    t.set(k + 1, .table([(.string("name"), .string(r.name)), (.string("priority"), .integer(Int64(r.priority))),
                                         (.string("channel"), .string(r.action.channel)), (.string("cost"), .number(r.action.cost)),
                                         (.string("holdout"), .number(r.holdout))]))
                }
                return 1
            }

            m.function("evaluate", "evaluate(frame, {as_of = \"YYYY-MM-DD\"})",
                       "Evaluates the declared rules (no ledger): returns the decisions frame and a summary {rule = {treatment, control, cost}}.") { c in
                let f = try c.frame(1)
                let o = try c.options(2); try o.checkKeys(["as_of"])
                let asOf = try RulesModule.date(try o.string("as_of"), arg: 2)
                let d = try RuleBook.of(c.state).evaluate(c, frame: f, asOf: asOf)
                c.push(frame: try c.core { try d.toFrame() })
                let t = c.newTable(record: d.rules.count)
                for s in d.summary() {
                    t.set(s.rule, .table([(.string("treatment"), .integer(Int64(s.treatment))), (.string("control"), .integer(Int64(s.control))),
                                          (.string("cost"), .number(s.cost))]))
                }
                return 2
            }

            m.function("effect", "effect(decisions, outcomes [, {level = 0.95, user_id = \"user_id\"}])",
                       "Treatment vs control retention per rule and tier: lift, CI, p-value (two-proportion z-test), cost per retained user. outcomes has user_id and retained (or churned).") { c in
                let d = try c.frame(1), out = try c.frame(2)
                let o = try c.options(3); try o.checkKeys(["level", "user_id"])
                let report = try c.core { () -> RuleEffectReport in
                    let outcomes = try RuleEffect.outcomes(out, userColumn: try o.string("user_id") ?? "user_id")
                    let users = try d.column("user_id"), rules = try d.column("rule"), groups = try d.column("group")
                    let tiers = d.columnIfPresent("tier"), costs = d.columnIfPresent("cost")
                    let rows = (0..<d.nrow).filter { groups.string(at: $0) != "none" }.map { i in
                        RuleEffect.Decision(user: users.string(at: i) ?? "", rule: rules.string(at: i) ?? "", tier: tiers?.string(at: i) ?? "",
                                            control: groups.string(at: i) == "control", cost: costs?.double(at: i) ?? 0)
                    }
                    return try RuleEffect.report(rows, outcomes: outcomes, level: try o.number("level", in: OptionRange.level) ?? 0.95)
                }
                return c.push(frame: try c.core { try report.toFrame() })
            }

            m.function("cron_next", "cron_next(expr, after [, tz = \"UTC\"])", "Next occurrence (ISO UTC) of a cron expression after an ISO instant.") { c in
                let tzName = try c.optString(3) ?? "UTC"
                guard let tz = TimeZone(identifier: tzName) else { throw LuaArgumentError(3, "unknown time zone '\(tzName)'") }
                guard let after = ScheduleClock.parse(try c.string(2)) else { throw LuaArgumentError(2, "ISO instant expected, e.g. 2024-10-01T09:00:00Z") }
                let expr = try c.core { try CronExpression(try c.string(1)) }
                return c.push(expr.next(after: after, in: tz).map(ScheduleClock.iso))
            }
        }
    }

    static func date(_ s: String?, arg: Int32) throws -> Int32 {
        guard let s else { throw LuaArgumentError(arg, "as_of (YYYY-MM-DD) is required") }
        guard let d = DateText.parseDate(s) else { throw LuaArgumentError(arg, "as_of: '\(s)' is not a YYYY-MM-DD date") }
        return d
    }
}
