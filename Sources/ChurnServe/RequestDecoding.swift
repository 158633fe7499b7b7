import ChurnCore
import Foundation

/// Size limits applied to every request before its body is parsed.
public struct ServeLimits: Sendable {
    /// Largest accepted request body (413 beyond).
    public var maxBodyBytes = 8 << 20
    /// Most rows in one `/v1/score` request.
    public var maxRows = 10_000
    /// Most events in one `/v1/events` request.
    public var maxEvents = 100_000
    /// Longest user id and event type.
    public var maxIdBytes = 256
    public init() {}
}

/// Turns request bodies into core values, strictly: unknown or missing fields,
/// wrong JSON types and out-of-range values are errors naming the field.
enum RequestDecoding {
    struct ScoreRequest { let frame: Frame; let reasons: Bool; let rows: Int }

    static func object(_ v: JSONValue, _ path: String) throws -> [(String, JSONValue)] {
        guard case .object(let f) = v else { throw JSONInputError(field: path, "expected an object, got \(v.typeName)") }
        return f
    }

    static func checkKeys(_ fields: [(String, JSONValue)], allowed: Set<String>, path: String) throws {
        for (k, _) in fields where !allowed.contains(k) {
            throw JSONInputError(field: path.isEmpty ? k : "\(path).\(k)", "unknown field (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// `{"rows": [{feature: value, …}, …], "reasons": true}`.
    static func score(_ body: JSONValue, model: ScoringModel, limits: ServeLimits) throws -> ScoreRequest {
        let top = try object(body, "")
        try checkKeys(top, allowed: ["rows", "reasons"], path: "")
        var reasons = true
        if let r = body["reasons"] {
            guard case .bool(let b) = r else { throw JSONInputError(field: "reasons", "expected a boolean, got \(r.typeName)") }
            reasons = b
        }
        guard let rowsValue = body["rows"] else { throw JSONInputError(field: "rows", "missing (an array of row objects)") }
        guard case .array(let rows) = rowsValue else { throw JSONInputError(field: "rows", "expected an array, got \(rowsValue.typeName)") }
        guard !rows.isEmpty else { throw JSONInputError(field: "rows", "empty (send at least one row)") }
        guard rows.count <= limits.maxRows else { throw JSONInputError(field: "rows", "\(rows.count) rows; at most \(limits.maxRows) per request") }
        let rowFields = try rows.enumerated().map { try object($1, "rows[\($0)]") }

        // The columns: the model's features, or (with a pipeline) the first row's keys.
        var columns: [(name: String, categorical: Bool?)]
        if model.hasPipeline {
            columns = rowFields[0].map { ($0.0, nil) }
        } else {
            columns = model.metadata.features.map { ($0.name, $0.type == .categorical) }
        }
        let index = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1.name, $0) })
        var nums = [[Double]](repeating: [], count: columns.count)
        var texts = [[String?]](repeating: [], count: columns.count)
        var nulls = [[Bool]](repeating: [], count: columns.count)
        for c in 0..<columns.count { nulls[c].reserveCapacity(rows.count) }
        for (r, fields) in rowFields.enumerated() {
            var seen = 0
            for (key, v) in fields {
                guard let c = index[key] else {
                    throw JSONInputError(field: "rows[\(r)].\(key)", model.hasPipeline ? "not in the first row's fields" : "not a feature of this model")
                }
                seen += 1
                let path = "rows[\(r)].\(key)"
                switch v {
                case .null:
                    nulls[c].append(true)
                    if columns[c].categorical == true { texts[c].append(nil) } else { nums[c].append(.nan); texts[c].append(nil) }
                case .number(let x):
                    if columns[c].categorical == nil { columns[c].categorical = false }
                    guard columns[c].categorical == false else { throw JSONInputError(field: path, "expected a string (categorical feature), got a number") }
                    nums[c].append(x); texts[c].append(nil); nulls[c].append(false)
                case .string(let s):
                    if columns[c].categorical == nil { columns[c].categorical = true }
                    guard columns[c].categorical == true else { throw JSONInputError(field: path, "expected a number, got a string") }
                    guard s.utf8.count <= limits.maxIdBytes else { throw JSONInputError(field: path, "longer than \(limits.maxIdBytes) bytes") }
                    texts[c].append(s); nulls[c].append(false)
                default:
                    throw JSONInputError(field: path, "expected a number, a string or null, got \(v.typeName)")
                }
            }
            if seen != columns.count {
                let have = Set(fields.map(\.0))
                let missing = columns.map(\.name).filter { !have.contains($0) }
                throw JSONInputError(field: "rows[\(r)].\(missing[0])", "missing (send null for a missing value)" +
                                     (missing.count > 1 ? "; \(missing.count - 1) more missing" : ""))
            }
        }
        var cols: [Column] = []
        for (c, col) in columns.enumerated() {
            if col.categorical == true {
                cols.append(.string(col.name, texts[c]))
            } else {
                // An all-null column of a pipeline input is numeric.
                let v = nums[c].count == rows.count ? nums[c] : [Double](repeating: .nan, count: rows.count)
                cols.append(.float(col.name, v, nulls: nulls[c].contains(true) ? nulls[c] : nil))
            }
        }
        return ScoreRequest(frame: try Frame(cols), reasons: reasons, rows: rows.count)
    }

    /// The array under `key`, the body's only field: 1 to `limit` items (`noun` names them in messages).
    static func items(_ body: JSONValue, key: String, noun: String, limit: Int) throws -> [JSONValue] {
        let top = try object(body, "")
        try checkKeys(top, allowed: [key], path: "")
        guard let v = body[key] else { throw JSONInputError(field: key, "missing (an array of \(noun) objects)") }
        guard case .array(let items) = v else { throw JSONInputError(field: key, "expected an array, got \(v.typeName)") }
        guard !items.isEmpty else { throw JSONInputError(field: key, "empty (send at least one \(noun))") }
        guard items.count <= limit else { throw JSONInputError(field: key, "\(items.count) \(noun)s; at most \(limit) per request") }
        return items
    }

    /// A required string member of 1 to `maxIdBytes` bytes.
    static func text(_ item: JSONValue, _ key: String, path: String, limits: ServeLimits) throws -> String {
        guard let v = item[key] else { throw JSONInputError(field: "\(path).\(key)", "missing") }
        guard case .string(let s) = v else { throw JSONInputError(field: "\(path).\(key)", "expected a string, got \(v.typeName)") }
        guard !s.isEmpty, s.utf8.count <= limits.maxIdBytes else {
            throw JSONInputError(field: "\(path).\(key)", "must be 1 to \(limits.maxIdBytes) bytes")
        }
        return s
    }

    /// A required UTC time member (µs).
    static func time(_ item: JSONValue, _ key: String, path: String, limits: ServeLimits) throws -> Int64 {
        let s = try text(item, key, path: path, limits: limits)
        guard let t = TimeUnit.parse(s) else { throw JSONInputError(field: "\(path).\(key)", "'\(s)' is not a UTC time like 2024-06-01T12:00:00Z") }
        return t
    }

    /// An optional number member: NaN when absent or null.
    static func optionalNumber(_ item: JSONValue, _ key: String, path: String) throws -> Double {
        switch item[key] {
        case nil, .null?: return .nan
        case .number(let x)?: return x
        case let v?: throw JSONInputError(field: "\(path).\(key)", "expected a number or null, got \(v.typeName)")
        }
    }

    /// `{"events": [{"user": "u1", "type": "login", "time": "2024-06-01T12:00:00Z", "amount": 9.99}, …]}`.
    static func events(_ body: JSONValue, limits: ServeLimits) throws -> [OnlineEvent] {
        let items = try items(body, key: "events", noun: "event", limit: limits.maxEvents)
        let allowed: Set<String> = ["user", "type", "time", "amount"]
        return try items.enumerated().map { i, item in
            let path = "events[\(i)]"
            try checkKeys(try object(item, path), allowed: allowed, path: path)
            return OnlineEvent(user: try text(item, "user", path: path, limits: limits), type: try text(item, "type", path: path, limits: limits),
                               time: try time(item, "time", path: path, limits: limits), amount: try optionalNumber(item, "amount", path: path))
        }
    }

    /// `{"subscriptions": [{"user": "u1", "start": "2024-06-01T00:00:00Z", "end": null, "plan": "pro", "price": 29.0,
    /// "price_period": "term", "auto_renew": true, "discount": 0.1}, …]}`: `end` null or absent = open-ended;
    /// `price_period` "term" (default: the price of the whole term) or "month" (a monthly rate);
    /// `auto_renew` and `discount` optional (null = not given).
    static func subscriptions(_ body: JSONValue, limits: ServeLimits) throws -> [OnlineTerm] {
        let items = try items(body, key: "subscriptions", noun: "term", limit: limits.maxEvents)
        let allowed: Set<String> = ["user", "start", "end", "plan", "price", "price_period", "auto_renew", "discount"]
        return try items.enumerated().map { i, item in
            let path = "subscriptions[\(i)]"
            try checkKeys(try object(item, path), allowed: allowed, path: path)
            let user = try text(item, "user", path: path, limits: limits), start = try time(item, "start", path: path, limits: limits)
            var end = Int64.max
            if let e = item["end"], e != .null {
                end = try time(item, "end", path: path, limits: limits)
                guard end >= start else { throw JSONInputError(field: "\(path).end", "the term ends before it starts") }
            }
            let plan = try text(item, "plan", path: path, limits: limits)
            guard let pv = item["price"] else { throw JSONInputError(field: "\(path).price", "missing") }
            guard case .number(let price) = pv else { throw JSONInputError(field: "\(path).price", "expected a number, got \(pv.typeName)") }
            var period = Subscriptions.PricePeriod.term
            if let p = item["price_period"] {
                guard case .string(let s) = p, let v = Subscriptions.PricePeriod(rawValue: s) else {
                    throw JSONInputError(field: "\(path).price_period", "expected \"term\" or \"month\"")
                }
                period = v
            }
            var autoRenew: Bool?
            switch item["auto_renew"] {
            case nil, .null?: break
            case .bool(let b)?: autoRenew = b
            case let a?: throw JSONInputError(field: "\(path).auto_renew", "expected a boolean or null, got \(a.typeName)")
            }
            return OnlineTerm(user: user, start: start, end: end, plan: plan, price: price, pricePeriod: period,
                              autoRenew: autoRenew, discount: try optionalNumber(item, "discount", path: path))
        }
    }
}
