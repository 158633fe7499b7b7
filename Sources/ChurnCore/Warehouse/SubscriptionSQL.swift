/// Where the subscription terms live in a warehouse: a table and its columns, as
/// `cl.subscriptions` takes them from a frame (one row per paid term, a term runs
/// on `[start, end)`, a null end is open-ended).
public struct WarehouseSubscriptions: Sendable, Equatable {
    public var table: [String]
    public var user: String
    public var start: String
    public var end: String
    public var plan: String
    public var price: String
    /// Optional columns: nil = the feature is left out (as in-process without the column).
    public var autoRenew: String?
    public var discount: String?
    public var pricePeriod: Subscriptions.PricePeriod
    /// Whether user ids are text (rows then ordered by code point); nil = unknown.
    public var userIsText: Bool?
    /// Sources: use columns named auto_renew / discount when the table has them and none was named (as `cl.subscriptions`).
    public var autoRenewIfPresent = false
    public var discountIfPresent = false

    public init(table: [String], user: String = "user_id", start: String = "start", end: String = "end",
                plan: String = "plan", price: String = "price", autoRenew: String? = nil, discount: String? = nil,
                pricePeriod: Subscriptions.PricePeriod = .term) {
        self.table = table; self.user = user; self.start = start; self.end = end; self.plan = plan; self.price = price
        self.autoRenew = autoRenew; self.discount = discount; self.pricePeriod = pricePeriod
    }
}

/// The subscription pieces of a compiled query: the terms table (`subs`), the
/// subscription feature family (`subscription`, one row per (as_of, user) with a
/// term started by as_of) and the subscription churn label (`labels`). Each
/// repeats `FeatureBuilder.subscriptionFeatures`, `Subscriptions.monthlyRate` and
/// `subscriptionLabels` operation for operation.
///
/// One difference that SQL cannot avoid: two terms of one user starting at the
/// same microsecond are ordered by input row in process (the later row is "the
/// latest"); a table has no row order, so SQL takes the one ending later.
extension FeatureSQL {
    /// Int64.max: an open-ended term's end, as in `Subscriptions.ends`.
    static let openEnd = Int64.max

    /// The terms with start and end as µs (open end null), plan as text, NaN discounts
    /// null, and each term's MRR (`Subscriptions.monthlyRate`: price over whole calendar
    /// months when the term spans them, else scaled to 30.4375 days; open-ended: the price).
    func subsCTE(_ s: WarehouseSubscriptions) throws -> String {
        let d = dialect
        let st = try q(s.start), en = try q(s.end)
        let day = FeatureSQL.day
        let text = d == .postgres ? "text" : "STRING"
        var cols = ["\(try q(s.user)) AS u", "\(d.micros(st)) AS start_us", "\(d.micros(en)) AS end_us",
                    "CAST(\(try q(s.plan)) AS \(text)) AS plan", "\(d.double(try q(s.price))) AS price"]
        if let a = s.autoRenew { cols.append("\(try q(a)) AS auto_renew") }
        if let x = s.discount { cols.append("\(d.amount(try q(x))) AS discount") }
        // Calendar parts of start and end (UTC) for the whole-months test.
        func parts(_ c: String, _ p: String) -> [String] {
            switch d {
            case .postgres:
                let t = "CAST(\(c) AS timestamp)"
                return ["CAST(extract(year FROM \(t)) AS int) AS \(p)y", "CAST(extract(month FROM \(t)) AS int) AS \(p)m",
                        "CAST(extract(day FROM \(t)) AS int) AS \(p)d",
                        "CAST(extract(day FROM date_trunc('month', \(t)) + interval '1 month' - interval '1 day') AS int) AS \(p)len"]
            case .spark:
                let t = "CAST(\(c) AS TIMESTAMP)"
                return ["year(\(t)) AS \(p)y", "month(\(t)) AS \(p)m", "day(\(t)) AS \(p)d", "day(last_day(CAST(\(t) AS DATE))) AS \(p)len"]
            }
        }
        let raw = "subs_raw AS (  -- the subscription terms: user, start and end (µs; open end null), plan, price\n" +
            "  SELECT " + (cols + parts(st, "s") + parts(en, "e")).joined(separator: ",\n         ") +
            "\n  FROM \(try d.tableName(s.table))\n)"
        let mrr: String
        switch s.pricePeriod {
        case .month:
            mrr = "price"
        case .term:
            let k = "((ey * 12 + em) - (sy * 12 + sm))"
            let whole = "end_us > start_us AND \(d.floorMod("start_us", day)) = \(d.floorMod("end_us", day)) AND \(k) >= 1 AND " +
                "(ed = CASE WHEN sd < elen THEN sd ELSE elen END OR (sd = slen AND ed = elen))"
            let days = "\(d.double("end_us - start_us")) / \(d.double("\(day)"))"
            mrr = "CASE WHEN end_us IS NULL THEN price\n" +
                "              WHEN \(whole) THEN price / \(d.double(k))\n" +
                "              WHEN end_us > start_us THEN price * \(d.double("30.4375")) / (\(days))\n" +
                "              ELSE \(d.double("0")) END"
        }
        var keep = ["u", "start_us", "end_us", "plan", "price"]
        if s.autoRenew != nil { keep.append("auto_renew") }
        if s.discount != nil { keep.append("discount") }
        return raw + ",\nsubs AS (  -- each term's monthly recurring revenue (\(s.pricePeriod == .month ? "price is monthly" : "price of the whole term over its calendar months, else per 30.4375 days"))\n" +
            "  SELECT \(keep.joined(separator: ", ")),\n         \(mrr) AS mrr\n  FROM subs_raw\n)"
    }

    /// Per (as_of, user) with a term started by as_of: the number started, the first start, the
    /// latest started term's plan, and the running term's (the latest-starting with start <= as_of < end) fields.
    func subscriptionCTE(_ s: WarehouseSubscriptions) -> String {
        let running = "(t.end_us IS NULL OR t.end_us > o.as_of)"
        var cur = ["max(CASE WHEN running_rank = 1 AND running THEN 1 ELSE 0 END) AS subscribed",
                   "max(CASE WHEN started_rank = 1 THEN plan END) AS plan",
                   "max(CASE WHEN running_rank = 1 AND running THEN price END) AS price",
                   "max(CASE WHEN running_rank = 1 AND running THEN mrr END) AS mrr",
                   "max(CASE WHEN running_rank = 1 AND running THEN end_us END) AS cur_end",
                   "count(*) AS started", "min(start_us) AS first_start"]
        if s.autoRenew != nil { cur.append("max(CASE WHEN running_rank = 1 AND running THEN CASE WHEN auto_renew THEN 0 ELSE 1 END END) AS auto_renew_off") }
        if s.discount != nil { cur.append("max(CASE WHEN running_rank = 1 AND running THEN discount END) AS discount") }
        let extra = (s.autoRenew != nil ? ", t.auto_renew" : "") + (s.discount != nil ? ", t.discount" : "")
        return "sub_terms AS (  -- each date's terms started by it; rank 1 = latest started, and the latest-starting running term\n" +
            "  SELECT o.as_of, t.u, t.start_us, t.end_us, t.plan, t.price, t.mrr\(extra), \(running) AS running,\n" +
            "         row_number() OVER (PARTITION BY o.as_of, t.u ORDER BY t.start_us DESC, \(nullsLast("t.end_us", desc: true))) AS started_rank,\n" +
            "         row_number() OVER (PARTITION BY o.as_of, t.u ORDER BY CASE WHEN \(running) THEN 0 ELSE 1 END, t.start_us DESC, \(nullsLast("t.end_us", desc: true))) AS running_rank\n" +
            "  FROM obs o JOIN subs t ON t.start_us <= o.as_of\n),\n" +
            "subscription AS (  -- subscribed, plan, price, mrr, days_to_renewal, renewals\(s.autoRenew != nil ? ", auto_renew_off" : "")\(s.discount != nil ? ", discount" : "")\n" +
            "  SELECT as_of AS sub_as_of, u AS sub_u,\n    " + cur.joined(separator: ",\n    ") + "\n  FROM sub_terms\n  GROUP BY as_of, u\n)"

    }

    /// An open end (null) sorts as the latest end, as `Int64.max` does in process.
    private func nullsLast(_ e: String, desc: Bool) -> String {
        // Descending: open ends (nulls) first.
        desc ? "\(e) DESC NULLS FIRST" : "\(e) ASC NULLS LAST"
    }

    /// The subscription family's output columns and their expressions over the `subscription` join
    /// (`sub`), and the tenure expression lowered to the first term start (`FeatureBuilder`).
    func subscriptionSelect(_ s: WarehouseSubscriptions) throws -> [(String, String)] {
        let d = dialect
        let D = d.double("\(FeatureSQL.day)")
        var cols: [(String, String)] = [
            ("subscribed", "coalesce(sub.subscribed, 0)"),
            ("plan", "sub.plan"),
            ("price", "coalesce(sub.price, \(d.double("0")))"),
            ("mrr", "coalesce(sub.mrr, \(d.double("0")))"),
            ("days_to_renewal", "\(d.double("sub.cur_end - features.as_of")) / \(D)"),
            ("renewals", "CASE WHEN sub.started > 1 THEN sub.started - 1 ELSE 0 END"),
        ]
        if s.autoRenew != nil { cols.append(("auto_renew_off", "sub.auto_renew_off")) }
        if s.discount != nil { cols.append(("discount", "sub.discount")) }
        return cols
    }

    /// `tenure_days` with the first term start when it is earlier than the first event.
    func tenureWithSubscriptions() throws -> String {
        let D = dialect.double("\(FeatureSQL.day)")
        let t = "features.\(try q("tenure_days"))"
        let f = "\(dialect.double("features.as_of - sub.first_start")) / \(D)"
        return "CASE WHEN sub.first_start IS NOT NULL AND \(f) > \(t) THEN \(f) ELSE \(t) END"
    }

    /// Subscription churn labels per (as_of, user): users with a running term; churn when its
    /// coverage (the term and renewals starting within grace_days of the covered end, followed
    /// in start order from the current term's start) ends before as_of + horizon.
    func subscriptionLabelCTE(_ o: LabelOptions) throws -> String {
        let d = dialect
        let h = Int64(o.horizon) * FeatureSQL.day
        let g = Int64(o.graceDays) * FeatureSQL.day
        let big = d.bigint(FeatureSQL.openEnd)
        let dataEnd = o.dataEnd.map { d.bigint($0) } ?? "max(start_us) + 1"
        let endOr = "coalesce(t.end_us, \(big))"
        return "bounds AS (  -- end of observation: \(o.dataEnd == nil ? "the latest term start + 1 µs (default)" : "data_end")\n" +
            "  SELECT \(dataEnd) AS data_end\(o.dataEnd == nil ? " FROM subs" : "")\n),\n" +
            "cur AS (  -- each date's running term per user (start <= as_of < end), the latest-starting\n" +
            "  SELECT as_of, u, start_us FROM (\n" +
            "    SELECT o.as_of, t.u, t.start_us,\n" +
            "           row_number() OVER (PARTITION BY o.as_of, t.u ORDER BY t.start_us DESC, \(nullsLast("t.end_us", desc: true))) AS rk\n" +
            "    FROM obs o JOIN subs t ON t.start_us <= o.as_of AND (t.end_us IS NULL OR t.end_us > o.as_of)) c0\n" +
            "  WHERE rk = 1\n),\n" +
            "chain AS (  -- terms from the current term's start on, with the furthest end covered before each (open end = max)\n" +
            "  SELECT c.as_of, c.u, t.start_us, \(endOr) AS end_us,\n" +
            "         max(\(endOr)) OVER (PARTITION BY c.as_of, c.u ORDER BY t.start_us, \(endOr)\n" +
            "                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach\n" +
            "  FROM cur c JOIN subs t ON t.u = c.u AND t.start_us >= c.start_us\n),\n" +
            "coverage AS (  -- coverage ends where a term starts more than grace_days (\(o.graceDays)) after everything before it\n" +
            "  SELECT as_of, u, max(CASE WHEN first_gap IS NULL OR start_us < first_gap THEN end_us END) AS cover_end\n" +
            "  FROM (SELECT as_of, u, start_us, end_us,\n" +
            "               min(CASE WHEN start_us - \(g) > reach THEN start_us END) OVER (PARTITION BY as_of, u) AS first_gap\n" +
            "        FROM chain) c1\n" +
            "  GROUP BY as_of, u\n),\n" +
            "labels AS (  -- churn (null when censored): coverage ends in [as_of, as_of + \(o.horizon) days); censored when that + grace ends after the data end\n" +
            "  SELECT as_of, u, censored, CASE WHEN censored THEN NULL WHEN cover_end < as_of + \(h) THEN 1 ELSE 0 END AS churn\n" +
            "  FROM (SELECT v.as_of, v.u, v.cover_end, (v.as_of + \(h) + \(g) > b.data_end) AS censored\n" +
            "        FROM coverage v CROSS JOIN bounds b) l0\n" +
            (o.censoring == .exclude ? "  WHERE NOT censored\n" : "") + ")"
    }
}
