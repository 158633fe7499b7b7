/// Int64 arithmetic in expressions that reports overflow instead of wrapping.
///
/// `cl.col("a") + 1` at math.maxinteger used to wrap to math.mininteger, a silent wrong
/// value. NumPy/pandas int64 wraps silently as well; polars raises in debug builds only.
/// ChurnLab makes it an error naming the expression, the 1-based row and the operands,
/// so the analyst can compute in float (`* 1.0`) where results beyond ±9.2e18 are expected.
/// Rows that are null (by `valid`) are not checked: their slots hold placeholders.
enum IntegerOverflow {
    /// out[i] = f(a[i], b[i]); throws at the first valid row whose result overflowed.
    static func checked(_ a: Operand<Int64>, _ b: Operand<Int64>, n: Int, valid: Validity?, expr: Expr,
                        describe: (Int64, Int64) -> String, range: String = "a 64-bit integer (±9223372036854775807); multiply by 1.0 to compute in floating point",
                        _ f: (Int64, Int64) -> (partialValue: Int64, overflow: Bool)) throws -> [Int64] {
        var overflowed = false
        let out = map2(a, b, n) { x, y -> Int64 in
            let r = f(x, y)
            overflowed = overflowed || r.overflow
            return r.partialValue
        }
        guard overflowed else { return out }
        for i in 0..<n where valid?.isValid(i) ?? true {
            let x = a.array?[i] ?? a.scalar, y = b.array?[i] ?? b.scalar
            if f(x, y).overflow {
                throw ExprError("in \(expr): integer overflow at row \(i + 1): \(describe(x, y)) does not fit \(range)")
            }
        }
        return out
    }

    /// A day count as a date: Int32 days since 1970 (about ±5.8 million years).
    static func days(_ r: (partialValue: Int64, overflow: Bool)) -> (partialValue: Int64, overflow: Bool) {
        (r.partialValue, r.overflow || r.partialValue < Int64(Int32.min) || r.partialValue > Int64(Int32.max))
    }
}
