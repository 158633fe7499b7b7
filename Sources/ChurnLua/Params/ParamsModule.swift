import ChurnCore
import Foundation
import LuaRuntime

/// `cl.params{...}`: a script's declared parameters, set from the command line
/// with `churnlab run script.lua -p name=value`.
enum ParamsModule {
    /// Key in `LuaState.userInfo` of the `ParamValues` given on the command line.
    static let valuesKey = "churnlab.params"

    static func register(_ cl: ModuleBuilder) {
        cl.function("params", "params{name = {default =, type = 'int'|'number'|'string'|'bool'|'date', help =}, ...}",
                    "Declares the script's parameters and returns their values: the command line's (-p name=value) or the defaults. Unknown or invalid values are errors naming the parameter.") { c in
            let t = try c.table(1)
            var specs: [ScriptParamSpec] = []
            for name in t.stringKeys.sorted() {
                guard let field = try t.table(name) else { continue }   // t.table throws for non-tables
                try field.checkKeys(["default", "type", "help"])
                let typeName = try field.string("type")
                let def = field.value("default", depth: 0)
                let kind: ScriptParamType
                if let typeName {
                    guard let k = ScriptParamType(rawValue: typeName) else {
                        throw LuaArgumentError(1, "parameter '\(name)': unknown type '\(typeName)' (int, number, string, bool or date)")
                    }
                    kind = k
                } else {
                    switch def {
                    case .integer: kind = .int
                    case .number: kind = .number
                    case .bool: kind = .bool
                    case .string(let s) where (try? ScriptParamType.date.parse(s)) != nil: kind = .date
                    default: kind = .string
                    }
                }
                var defaultValue: ScriptParamValue?
                if def != .nil {
                    do { defaultValue = try kind.convert(def) } catch {
                        throw LuaArgumentError(1, "parameter '\(name)': default \(def) is not a valid \(kind.rawValue)")
                    }
                }
                specs.append(ScriptParamSpec(name: name, type: kind, defaultValue: defaultValue, help: try field.string("help")))
            }
            let registry = c.state.paramRegistry
            let values = try registry.resolve(specs)
            let w = c.newTable(record: values.count)
            for (name, v) in values { w.set(name, v.luaValue) }
            return 1
        }
    }
}

/// The type of a parameter; values from the command line are parsed by it.
public enum ScriptParamType: String, Sendable {
    case int, number, string, bool, date

    public func parse(_ text: String) throws -> ScriptParamValue {
        switch self {
        case .int:
            guard let v = Int64(text) else { throw ScriptParamError.invalid("'\(text)' is not an integer") }
            return .int(v)
        case .number:
            guard let v = Double(text), v.isFinite else { throw ScriptParamError.invalid("'\(text)' is not a number") }
            return .number(v)
        case .string: return .string(text)
        case .bool:
            switch text.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: throw ScriptParamError.invalid("'\(text)' is not a boolean (true/false)")
            }
        case .date:
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
                  (1...12).contains(m), (1...31).contains(d) else {
                throw ScriptParamError.invalid("'\(text)' is not a date (YYYY-MM-DD)")
            }
            var comps = DateComponents(); comps.year = y; comps.month = m; comps.day = d
            var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
            guard let date = cal.date(from: comps), cal.component(.day, from: date) == d else {
                throw ScriptParamError.invalid("'\(text)' is not a valid calendar date")
            }
            return .date(text)
        }
    }

    /// Converts a Lua default value.
    func convert(_ v: LuaValue) throws -> ScriptParamValue {
        switch (self, v) {
        case (.int, .integer(let i)): return .int(i)
        case (.int, .number(let d)) where d == d.rounded() && abs(d) < 9e15: return .int(Int64(d))
        case (.number, _) where v.asDouble != nil: return .number(v.asDouble!)
        case (.string, .string(let s)): return .string(s)
        case (.bool, .bool(let b)): return .bool(b)
        case (.date, .string(let s)): return try parse(s)
        default: throw ScriptParamError.invalid("\(v)")
        }
    }
}

/// A parameter's value; dates stay ISO strings ("2024-11-01") in Lua.
public enum ScriptParamValue: Equatable, Sendable, CustomStringConvertible {
    case int(Int64), number(Double), string(String), bool(Bool), date(String)

    var luaValue: LuaValue {
        switch self {
        case .int(let i): return .integer(i)
        case .number(let d): return .number(d)
        case .string(let s), .date(let s): return .string(s)
        case .bool(let b): return .bool(b)
        }
    }

    /// JSON-ready form for run manifests.
    public var jsonValue: Any {
        switch self {
        case .int(let i): return i
        case .number(let d): return d
        case .string(let s), .date(let s): return s
        case .bool(let b): return b
        }
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .number(let d): return LuaValue.format(d)
        case .string(let s), .date(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }
}

public struct ScriptParamSpec: Sendable {
    public let name: String
    public let type: ScriptParamType
    public let defaultValue: ScriptParamValue?
    public let help: String?
}

public struct ScriptParamError: Error, CustomStringConvertible {
    public let description: String
    static func invalid(_ s: String) -> ScriptParamError { ScriptParamError(description: s) }
}

/// The parameters given on the command line, and the values a script resolved
/// (recorded in run manifests).
public final class ScriptParamRegistry {
    /// name → raw text from `-p name=value`.
    public let given: [String: String]
    /// Resolved values, by name, once the script called `cl.params`.
    public private(set) var resolved: [(name: String, value: ScriptParamValue)] = []
    public private(set) var declared = false

    public init(given: [String: String] = [:]) { self.given = given }

    /// Parses `name=value` pairs; a missing "=" or a repeated name is an error.
    public static func parse(_ pairs: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for p in pairs {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw ScriptParamError.invalid("parameter '\(p)' must be given as name=value")
            }
            let name = String(p[..<eq])
            guard out[name] == nil else { throw ScriptParamError.invalid("parameter '\(name)' given twice") }
            out[name] = String(p[p.index(after: eq)...])
        }
        return out
    }

    func resolve(_ specs: [ScriptParamSpec]) throws -> [(name: String, value: ScriptParamValue)] {
        let known = Set(specs.map(\.name))
        for name in given.keys.sorted() where !known.contains(name) {
            let near = specs.map(\.name).filter { levenshteinClose($0, name) }
            throw LuaScriptError("unknown parameter '\(name)' given with -p" +
                                 (near.isEmpty ? " (the script declares: \(specs.map(\.name).joined(separator: ", ")))" : "; did you mean '\(near[0])'?"))
        }
        var out: [(name: String, value: ScriptParamValue)] = []
        for s in specs {
            if let text = given[s.name] {
                do { out.append((s.name, try s.type.parse(text))) } catch let e as ScriptParamError {
                    throw LuaScriptError("parameter '\(s.name)' (\(s.type.rawValue)): \(e.description)")
                }
            } else if let d = s.defaultValue {
                out.append((s.name, d))
            } else {
                throw LuaScriptError("parameter '\(s.name)' has no default: give it with -p \(s.name)=VALUE")
            }
        }
        resolved = out
        declared = true
        return out
    }

    private func levenshteinClose(_ a: String, _ b: String) -> Bool {
        let x = Array(a), y = Array(b)
        if abs(x.count - y.count) > 2 { return false }
        var prev = Array(0...y.count), cur = prev
        for i in 1...max(1, x.count) where !x.isEmpty {
            cur[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count] <= 2
    }
}

extension LuaState {
    /// The parameters given to this state (empty unless the CLI set them).
    public var paramRegistry: ScriptParamRegistry {
        get {
            if let r = userInfo[ParamsModule.valuesKey] as? ScriptParamRegistry { return r }
            let r = ScriptParamRegistry()
            userInfo[ParamsModule.valuesKey] = r
            return r
        }
        set { userInfo[ParamsModule.valuesKey] = newValue }
    }
}
