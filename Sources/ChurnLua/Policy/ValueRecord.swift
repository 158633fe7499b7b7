import LuaRuntime

/// A record inside an array option (`actions = {{name =, cost =}, …}`, `tiers = {…}`),
/// read from its value copy with the same range checks and error wording as an
/// option table: "field 'actions[2].cost': must be a finite number, got inf".
struct ValueRecord {
    let fields: [String: LuaValue]
    let path: String
    let argument: Int32

    /// The records of array option `key` (nil when absent).
    static func array(_ o: LuaTable, _ key: String, argument: Int32) throws -> [ValueRecord]? {
        guard let t = try o.table(key) else { return nil }
        return try t.arrayValues(depth: 3).enumerated().map { i, v in
            guard case .table(let kv) = v else {
                throw LuaArgumentError(argument, "field '\(key)[\(i + 1)]': table expected, got \(v)")
            }
            var f: [String: LuaValue] = [:]
            for (k, x) in kv { if case .string(let s) = k { f[s] = x } }
            return ValueRecord(fields: f, path: "\(key)[\(i + 1)]", argument: argument)
        }
    }

    func err(_ key: String, _ m: String) -> LuaArgumentError { LuaArgumentError(argument, "field '\(path).\(key)': \(m)") }

    func checkKeys(_ allowed: Set<String>) throws {
        for k in fields.keys where !allowed.contains(k) {
            throw LuaArgumentError(argument, "field '\(path)': unknown key '\(k)' (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func number(_ key: String, in range: NumberRange) throws -> Double? {
        guard let v = fields[key], v != .nil else { return nil }
        guard let d = NumericOption.number(v, in: range) else { throw err(key, NumericOption.failure(range.description, got: v)) }
        return d
    }

    func string(_ key: String) throws -> String? {
        guard let v = fields[key], v != .nil else { return nil }
        guard case .string(let s) = v else { throw err(key, "string expected, got \(v)") }
        return s
    }

    func numbers(_ key: String, in range: NumberRange) throws -> [Double]? {
        guard let v = fields[key], v != .nil else { return nil }
        guard case .table(let kv) = v else { throw err(key, "array of numbers expected, got \(v)") }
        return try kv.sorted { ($0.key.asDouble ?? 0) < ($1.key.asDouble ?? 0) }.map { e in
            guard let d = NumericOption.number(e.value, in: range) else { throw err(key, NumericOption.failure(range.description, got: e.value)) }
            return d
        }
    }
}
