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

    /// `{"events": [{"user": "u1", "type": "login", "time": "2024-06-01T12:00:00Z", "amount": 9.99}, …]}`.
    static func events(_ body: JSONValue, limits: ServeLimits) throws -> [OnlineEvent] {
        let top = try object(body, "")
        try checkKeys(top, allowed: ["events"], path: "")
        guard let ev = body["events"] else { throw JSONInputError(field: "events", "missing (an array of event objects)") }
        guard case .array(let items) = ev else { throw JSONInputError(field: "events", "expected an array, got \(ev.typeName)") }
        guard !items.isEmpty else { throw JSONInputError(field: "events", "empty (send at least one event)") }
        guard items.count <= limits.maxEvents else { throw JSONInputError(field: "events", "\(items.count) events; at most \(limits.maxEvents) per request") }
        let allowed: Set<String> = ["user", "type", "time", "amount"]
        return try items.enumerated().map { i, item in
            let path = "events[\(i)]"
            let f = try object(item, path)
            try checkKeys(f, allowed: allowed, path: path)
            func text(_ key: String) throws -> String {
                guard let v = item[key] else { throw JSONInputError(field: "\(path).\(key)", "missing") }
                guard case .string(let s) = v else { throw JSONInputError(field: "\(path).\(key)", "expected a string, got \(v.typeName)") }
                guard !s.isEmpty, s.utf8.count <= limits.maxIdBytes else {
                    throw JSONInputError(field: "\(path).\(key)", "must be 1 to \(limits.maxIdBytes) bytes")
                }
                return s
            }
            let user = try text("user"), type = try text("type"), timeText = try text("time")
            guard let t = TimeUnit.parse(timeText) else {
                throw JSONInputError(field: "\(path).time", "'\(timeText)' is not a UTC time like 2024-06-01T12:00:00Z")
            }
            var amount = Double.nan
            if let a = item["amount"] {
                switch a {
                case .null: break
                case .number(let x): amount = x
                default: throw JSONInputError(field: "\(path).amount", "expected a number or null, got \(a.typeName)")
                }
            }
            return OnlineEvent(user: user, type: type, time: t, amount: amount)
        }
    }
}
