/// Runs of ASCII decimal digits read eight bytes at a time (SWAR: one 64-bit
/// word holds eight characters, the first in the low byte), for the JSON
/// number reader: a request body's numbers are mostly a few digits, a point
/// and a few more (`-1.234567`), and finding where a run ends and what it is
/// worth costs a handful of integer operations instead of a compare, a branch
/// and a multiply per byte.
enum DigitRun {
    /// The eight bytes at `p` as one word, the first byte lowest (any alignment;
    /// the caller guarantees eight readable bytes).
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// How many of the word's bytes, from the first, are ASCII digits (0...8).
    ///
    /// With `a = byte ^ 0x30`, a byte is a digit iff `a <= 9`; `a + 0x76` sets
    /// bit 7 for `10 <= a <= 0x7F`, and `| a` keeps it for `a >= 0x80`. An
    /// addition carries into the next byte only out of a non-digit, so every
    /// byte before the first non-digit is exact, and the lowest set bit 7 marks
    /// the end of the run.
    @inline(__always)
    static func count(_ w: UInt64) -> Int {
        let a = w ^ 0x3030_3030_3030_3030
        let stop = ((a &+ 0x7676_7676_7676_7676) | a) & 0x8080_8080_8080_8080
        return stop.trailingZeroBitCount >> 3   // 64 >> 3 = 8 when all are digits
    }

    /// The value of the word's first `n` bytes as decimal digits (1 <= n <= 8;
    /// they must be digits, see `count`). The run is moved to the word's top
    /// bytes — the bytes after it fall off, zeros (leading zero digits) fill in
    /// below — and the eight digits are then combined in three steps:
    /// neighbouring digits into two-digit values (`x · 10 + (x >> 8)`: bytes
    /// 0, 2, 4, 6 then hold d0d1, d2d3, d4d5, d6d7, each < 100), and those four
    /// into one by two multiplies that place d0d1 · 10^6 + d4d5 · 10^2 and
    /// d2d3 · 10^4 + d6d7 in the upper half (the lower halves stay below 2^32,
    /// so nothing carries into it).
    @inline(__always)
    static func value(_ w: UInt64, _ n: Int) -> UInt64 {
        var x = (w & 0x0F0F_0F0F_0F0F_0F0F) &<< UInt64(64 - 8 * n)
        x = x &* 10 &+ (x >> 8)
        let a = x & 0x0000_00FF_0000_00FF, b = (x >> 16) & 0x0000_00FF_0000_00FF
        return (a &* (100 &+ (1_000_000 << 32)) &+ b &* (1 &+ (10_000 << 32))) >> 32
    }

    /// 10^n for 0 <= n <= 8, as an integer.
    @inline(__always)
    static func power(_ n: Int) -> UInt64 {
        switch n {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        default: return 100_000_000
        }
    }
}
