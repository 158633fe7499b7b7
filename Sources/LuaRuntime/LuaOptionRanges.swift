import CLua
import CLuaBridge

// One validation path for every numeric option and argument a script passes to
// Swift. A Lua number can be NaN, ±inf, 1e300 or math.maxinteger; Swift traps on
// `Int(nan)`, on `Int(1e300)`, on `n * size` overflowing and on arrays of a
// negative or absurd size. Reading a number through a documented range here is
// what keeps such values from ever reaching that arithmetic: each binding says
// which values make sense (and its help text says the same), and anything else
// is a Lua error naming the argument, the field and the range, e.g.
// `bad argument #1 to 'forest' (field 'n_trees': must be an integer in 1...100000, got 9.2233720368548e+18)`.

/// The accepted values of a numeric (float) option: an interval whose bounds may
/// be infinite. NaN is never accepted; ±inf only when the interval closes on it
/// (`.any` accepts every number but NaN, `.finite` every finite one).
public struct NumberRange: Sendable, Equatable, CustomStringConvertible {
    public let lower: Double
    public let upper: Double
    public let lowerIncluded: Bool
    public let upperIncluded: Bool

    public init(lower: Double, lowerIncluded: Bool, upper: Double, upperIncluded: Bool) {
        precondition(!lower.isNaN && !upper.isNaN && lower <= upper, "invalid NumberRange")
        self.lower = lower; self.upper = upper; self.lowerIncluded = lowerIncluded; self.upperIncluded = upperIncluded
    }

    /// [a, b]
    public static func closed(_ a: Double, _ b: Double) -> NumberRange { .init(lower: a, lowerIncluded: true, upper: b, upperIncluded: true) }
    /// (a, b)
    public static func open(_ a: Double, _ b: Double) -> NumberRange { .init(lower: a, lowerIncluded: false, upper: b, upperIncluded: false) }
    /// (a, b]
    public static func openClosed(_ a: Double, _ b: Double) -> NumberRange { .init(lower: a, lowerIncluded: false, upper: b, upperIncluded: true) }
    /// [a, b)
    public static func closedOpen(_ a: Double, _ b: Double) -> NumberRange { .init(lower: a, lowerIncluded: true, upper: b, upperIncluded: false) }
    /// Finite and ≥ a.
    public static func atLeast(_ a: Double) -> NumberRange { closedOpen(a, .infinity) }
    /// Finite and > a.
    public static func greaterThan(_ a: Double) -> NumberRange { open(a, .infinity) }

    /// Any finite number.
    public static let finite = open(-.infinity, .infinity)
    /// Any number but NaN (±inf included).
    public static let any = closed(-.infinity, .infinity)
    /// Finite and > 0.
    public static let positive = greaterThan(0)
    /// Finite and ≥ 0.
    public static let nonNegative = atLeast(0)
    /// [0, 1].
    public static let probability = closed(0, 1)
    /// (0, 1]: a share that must select something.
    public static let fraction = openClosed(0, 1)

    public func contains(_ x: Double) -> Bool {
        guard !x.isNaN else { return false }
        let aboveLower = lowerIncluded ? x >= lower : x > lower
        let belowUpper = upperIncluded ? x <= upper : x < upper
        return aboveLower && belowUpper
    }

    /// "a number in [0, 1]", "a finite number > 0", "a finite number", … (used in errors and help).
    public var description: String {
        let lowerFinite = lower.isFinite, upperFinite = upper.isFinite
        let finiteWord = (!lowerFinite && !lowerIncluded) || (!upperFinite && !upperIncluded) ? "finite " : ""
        switch (lowerFinite, upperFinite) {
        case (true, true):
            return "a number in \(lowerIncluded ? "[" : "(")\(NumberRange.text(lower)), \(NumberRange.text(upper))\(upperIncluded ? "]" : ")")"
        case (true, false): return "a \(finiteWord)number \(lowerIncluded ? ">=" : ">") \(NumberRange.text(lower))"
        case (false, true): return "a \(finiteWord)number \(upperIncluded ? "<=" : "<") \(NumberRange.text(upper))"
        case (false, false): return finiteWord.isEmpty ? "a number (not NaN)" : "a finite number"
        }
    }

    static func text(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : LuaValue.format(d)
    }
}

/// The checks themselves, shared by option tables (`LuaTable`), positional
/// arguments (`LuaCall`) and parameter sets given as values (model selection).
public enum NumericOption {
    /// `v` as an Int when it is a Lua integer, or a float with an exact integer
    /// value, inside `range`; nil otherwise (never traps: NaN, ±inf, 1e300 and
    /// fractions are simply outside).
    public static func integer(_ v: LuaValue, in range: ClosedRange<Int>) -> Int? {
        switch v {
        case .integer(let i):
            return range.contains(Int(i)) ? Int(i) : nil
        case .number(let d):
            guard let i = Int(exactly: d), range.contains(i) else { return nil }
            return i
        default:
            return nil
        }
    }

    /// `v` as a Double inside `range`; nil otherwise.
    public static func number(_ v: LuaValue, in range: NumberRange) -> Double? {
        guard let d = v.asDouble, range.contains(d) else { return nil }
        return d
    }

    /// "an integer in 1...100000", "an integer >= 0" (for a range ending at Int.max).
    public static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "an integer >= \(range.lowerBound)" }
        return "an integer in \(range.lowerBound)...\(range.upperBound)"
    }

    /// The message for a value outside the range: "must be an integer in 1...100000, got 9.2233720368548e+18".
    public static func failure(_ expected: String, got v: LuaValue) -> String { "must be \(expected), got \(v)" }

    /// The Lua number at stack index `idx` as a value (integer or float subtype kept).
    static func value(_ L: LuaStatePointer, _ idx: Int32) -> LuaValue {
        if lua_isinteger(L, idx) != 0 { return .integer(Int64(lua_tointegerx(L, idx, nil))) }
        return .number(clb_tonumber(L, idx, nil))
    }
}

extension LuaTable {
    /// t[key] as an integer inside `range` (a float with an exact integer value is
    /// accepted, like Lua does); nil when absent. Document the range in the
    /// function's help text.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let v = try numberValue(key) else { return nil }
        guard let i = NumericOption.integer(v, in: range) else {
            throw err(key, NumericOption.failure(NumericOption.describe(range), got: v))
        }
        return i
    }

    /// t[key] as a number inside `range`; nil when absent.
    public func number(_ key: String, in range: NumberRange) throws -> Double? {
        guard let v = try numberValue(key) else { return nil }
        guard let d = NumericOption.number(v, in: range) else {
            throw err(key, NumericOption.failure(range.description, got: v))
        }
        return d
    }

    /// t[key] as a Lua number value; nil when absent; an error when not a number.
    private func numberValue(_ key: String) throws -> LuaValue? {
        let t = get(key); defer { lua_settop(L, -2) }
        if t == LUA_TNIL { return nil }
        guard t == LUA_TNUMBER else { throw err(key, "number expected, got \(LuaStack.typeName(L, -1))") }
        return NumericOption.value(L, -1)
    }
}

extension LuaCall {
    /// Argument `i` as an integer inside `range`.
    public func integer(_ i: Int32, in range: ClosedRange<Int>) throws -> Int {
        guard lua_type(L, i) == LUA_TNUMBER else { throw expected("number", i) }
        let v = NumericOption.value(L, i)
        guard let n = NumericOption.integer(v, in: range) else {
            throw LuaArgumentError(i, NumericOption.failure(NumericOption.describe(range), got: v))
        }
        return n
    }

    /// Argument `i` as a number inside `range`.
    public func number(_ i: Int32, in range: NumberRange) throws -> Double {
        guard lua_type(L, i) == LUA_TNUMBER else { throw expected("number", i) }
        let v = NumericOption.value(L, i)
        guard let d = NumericOption.number(v, in: range) else {
            throw LuaArgumentError(i, NumericOption.failure(range.description, got: v))
        }
        return d
    }

    /// Optional argument `i` (absent or nil → nil) as an integer inside `range`.
    public func optInteger(_ i: Int32, in range: ClosedRange<Int>) throws -> Int? {
        isNoneOrNil(i) ? nil : try integer(i, in: range)
    }

    /// Optional argument `i` (absent or nil → nil) as a number inside `range`.
    public func optNumber(_ i: Int32, in range: NumberRange) throws -> Double? {
        isNoneOrNil(i) ? nil : try number(i, in: range)
    }
}
