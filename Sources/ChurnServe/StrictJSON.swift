import ChurnCore
import Foundation

/// A parsed JSON value. Request bodies are parsed by `StrictJSON` rather than
/// Foundation so that every rejection can name the field and position, nesting
/// depth is bounded (no stack exhaustion from `[[[[…`), duplicate keys are
/// refused (two values for one feature is ambiguous), and numbers keep their
/// distinction from booleans.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Name of the JSON type, for messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Field `key` of an object (nil when absent or not an object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }
}

/// A request body that is not acceptable JSON; `field` names where (JSON-pointer-like path).
public struct JSONInputError: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let message: String
    public init(field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// RFC 8259 JSON parser over bytes: no comments, no trailing commas, no NaN or
/// Infinity literals, UTF-8 only, depth at most `maxDepth`, duplicate object
/// keys refused.
public struct StrictJSON {
    public static let maxDepth = 32

    private let b: [UInt8]
    private var i = 0

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var p = StrictJSON(b: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0, path: "")
        p.skipSpace()
        guard p.i == p.b.count else { throw p.error("", "unexpected data after the JSON value") }
        return v
    }

    private init(b: [UInt8]) { self.b = b }

    private func error(_ path: String, _ msg: String) -> JSONInputError {
        JSONInputError(field: path, "invalid JSON at byte \(i): \(msg)")
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func value(depth: Int, path: String) throws -> JSONValue {
        guard depth <= StrictJSON.maxDepth else { throw error(path, "nested deeper than \(StrictJSON.maxDepth) levels") }
        guard i < b.count else { throw error(path, "unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var fields: [(String, JSONValue)] = []
            var seen = Set<String>()
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error(path, "expected a string key") }
                let key = try string(path: path)
                let sub = path.isEmpty ? key : "\(path).\(key)"
                guard seen.insert(key).inserted else { throw JSONInputError(field: sub, "duplicate key") }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error(sub, "expected ':'") }
                i += 1
                skipSpace()
                fields.append((key, try value(depth: depth + 1, path: sub)))
                skipSpace()
                guard i < b.count else { throw error(path, "unexpected end of input in an object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                throw error(path, "expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1, path: "\(path)[\(items.count)]"))
                skipSpace()
                guard i < b.count else { throw error(path, "unexpected end of input in an array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw error(path, "expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string(path: path))
        case UInt8(ascii: "t"): try literal("true", path); return .bool(true)
        case UInt8(ascii: "f"): try literal("false", path); return .bool(false)
        case UInt8(ascii: "n"): try literal("null", path); return .null
        default: return .number(try number(path: path))
        }
    }

    private mutating func literal(_ word: String, _ path: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { throw error(path, "unexpected token") }
        i += w.count
    }

    private mutating func number(path: String) throws -> Double {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int { let s = i; while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }; return i - s }
        guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw error(path, "unexpected token") }
        if b[i] == 0x30 { i += 1 } else { _ = digits() }
        if i < b.count, b[i] == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { throw error(path, "digits expected after '.'") } }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw error(path, "digits expected in the exponent") }
        }
        guard i - start <= 64, let v = Double(String(decoding: b[start..<i], as: UTF8.self)), v.isFinite else {
            throw JSONInputError(field: path, "number out of range")
        }
        return v
    }

    private mutating func string(path: String) throws -> String {
        i += 1   // opening quote
        var out = [UInt8]()
        while true {
            guard i < b.count else { throw error(path, "unterminated string") }
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { throw error(path, "control character in a string") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < b.count else { throw error(path, "unterminated escape") }
            let e = b[i]; i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var u = try hex4(path)
                if (0xD800..<0xDC00).contains(u) {
                    guard i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                        throw error(path, "lone surrogate in \\u escape")
                    }
                    i += 2
                    let lo = try hex4(path)
                    guard (0xDC00..<0xE000).contains(lo) else { throw error(path, "invalid surrogate pair") }
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..<0xE000).contains(u) {
                    throw error(path, "lone surrogate in \\u escape")
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(u)!)).utf8))
            default: throw error(path, "invalid escape")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error(path, "string is not valid UTF-8") }
        return s
    }

    private mutating func hex4(_ path: String) throws -> UInt32 {
        guard i + 4 <= b.count else { throw error(path, "short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]; i += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error(path, "invalid \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }
}

/// JSON text output (responses): strings escaped per RFC 8259, numbers in
/// shortest round-trip form, non-finite numbers as null.
public enum JSONText {
    public static func string(_ s: String) -> String { Outbox.jsonString(s) }

    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    public static func number(_ x: Double?) -> String { x.map { number($0) } ?? "null" }
}
