import ChurnCore
import LuaRuntime

/// Where model options come from: the option table of `cl.model.gbdt{...}`, or
/// the same keys as plain values when model selection tries a parameter set.
/// One parser per model kind reads either, so grid search accepts exactly the
/// options the constructor does.
protocol OptionSource {
    /// An integer option inside its documented range (see `NumericOption`).
    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int?
    /// A numeric option inside its documented range.
    func number(_ key: String, in range: NumberRange) throws -> Double?
    func string(_ key: String) throws -> String?
    func bool(_ key: String) throws -> Bool?
    /// A numeric array option (e.g. class_weight = {1, 5}).
    func numbers(_ key: String) throws -> [Double]?
}

extension LuaTable: OptionSource {
    func numbers(_ key: String) throws -> [Double]? { try table(key)?.arrayOfNumbers() }
}

/// Options as values (a model's own options overlaid with a parameter set).
struct ValueOptions: OptionSource {
    let values: [String: LuaValue]
    let owner: String
    /// What the kind's `inherit` read from the constructor table (nil for most kinds).
    var inherited: Any? = nil

    private func bad(_ key: String, _ want: String) -> LuaScriptError {
        LuaScriptError("\(owner): parameter '\(key)' must be \(want), got \(values[key]!)")
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let v = values[key], v != .nil else { return nil }
        guard let i = NumericOption.integer(v, in: range) else { throw bad(key, NumericOption.describe(range)) }
        return i
    }

    func number(_ key: String, in range: NumberRange) throws -> Double? {
        guard let v = values[key], v != .nil else { return nil }
        guard let d = NumericOption.number(v, in: range) else { throw bad(key, range.description) }
        return d
    }

    func string(_ key: String) throws -> String? {
        switch values[key] {
        case nil, .nil?: return nil
        case .string(let s)?: return s
        default: throw bad(key, "a string")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch values[key] {
        case nil, .nil?: return nil
        case .bool(let b)?: return b
        default: throw bad(key, "a boolean")
        }
    }

    func numbers(_ key: String) throws -> [Double]? {
        switch values[key] {
        case nil, .nil?: return nil
        case .table(let kv)?: return try kv.sorted { ($0.key.asDouble ?? 0) < ($1.key.asDouble ?? 0) }.map {
            guard let d = $0.value.asDouble else { throw bad(key, "an array of numbers") }
            return d
        }
        default: throw bad(key, "an array of numbers")
        }
    }
}

extension ParamValue {
    var luaValue: LuaValue {
        switch self {
        case .int(let i): return .integer(Int64(i))
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        }
    }
}
