import Foundation
import ChurnCore

/// A byte cursor for the hot request shapes (`/v1/score` rows, `/v1/events`
/// batches), read straight into numbers and feature buffers without building
/// a `JSONValue` tree.
///
/// It only ever *accepts*: every method returns nil (or false) at anything it
/// does not handle — an escape in a string, a non-ASCII byte, an odd number,
/// a grammar error — and the caller then falls back to `StrictJSON` +
/// `RequestDecoding`, which either accepts the body with the same result or
/// produces the error naming the field. So the fast path needs no error
/// messages of its own and cannot accept what the strict path refuses.
struct FastJSONScanner {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    var atEnd: Bool { i >= b.count }

    @inline(__always)
    mutating func skipSpace() {
        while i < b.count {
            let c = b[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    /// Skips space, then consumes `c` if it is next.
    @inline(__always)
    mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }

    /// The next byte after space (nil at the end), not consumed.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipSpace()
        return i < b.count ? b[i] : nil
    }

    /// A string of printable ASCII without escapes: the range of its bytes (quotes excluded).
    @inline(__always)
    mutating func plainString() -> Range<Int>? {
        guard take(0x22) else { return nil }
        let start = i
        while i < b.count {
            let c = b[i]
            if c == 0x22 { i += 1; return start..<(i - 1) }
            if c == 0x5C || c < 0x20 || c >= 0x80 { return nil }
            i += 1
        }
        return nil
    }

    /// Whether bytes `r` spell `word`.
    @inline(__always)
    func equals(_ r: Range<Int>, _ word: [UInt8]) -> Bool {
        guard r.count == word.count else { return false }
        var k = 0
        for j in r { if b[j] != word[k] { return false }; k += 1 }
        return true
    }

    mutating func literal(_ word: StaticString) -> Bool {
        skipSpace()
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] != w[k] { return false }
        i += n
        return true
    }

    /// A JSON number (RFC 8259 grammar, at most 64 bytes, finite), parsed to the
    /// double `Double(String)` gives: exactly by Clinger's fast path when the
    /// significant digits fit 2^53 and the decimal exponent is within ±22 (one
    /// correctly rounded IEEE multiply or divide of two exact values), else by
    /// the standard library on the text. nil at anything else.
    ///
    /// A 1,000-row batch holds 45,000 numbers, and reading them byte by byte
    /// was a fifth of its time. So the common shape goes a short way first
    /// (`shortNumber`), every other one the general way (`anyNumber`).
    @inline(__always)
    mutating func number() -> Double? {
        skipSpace()
        if let v = shortNumber() { return v }
        return anyNumber()
    }

    /// An optional minus, 1-7 integer digits, optionally a point and 1-7
    /// fraction digits, no exponent, with 18 bytes readable from the start: each
    /// digit run read as one 8-byte word (`DigitRun`), the value exactly as
    /// `anyNumber` computes it (mantissa < 10^14, so Clinger's fast path: one
    /// division by an exact 10^1...10^7). nil (nothing consumed) for anything
    /// else — including every malformed number, which `anyNumber` then refuses.
    /// A leading `0` is the whole integer part there too (`01` ends after the
    /// `0`; the caller refuses the `1`).
    @inline(__always)
    mutating func shortNumber() -> Double? {
        guard let p = b.baseAddress, b.count &- i >= 18 else { return nil }
        var k = i
        // The sign as a bit, set without a branch: signs in a batch are random,
        // and a mispredicted `neg ? -v : v` cost ~2 ns a number (a tenth of it).
        let neg = p[k] == 0x2D
        let sign: UInt64 = neg ? 1 << 63 : 0
        k &+= neg ? 1 : 0
        let w = DigitRun.load(p + k)
        var n = DigitRun.count(w)
        guard n > 0, n < 8 else { return nil }
        if w & 0xFF == 0x30 { n = 1 }
        var mant = DigitRun.value(w, n)
        k &+= n                                        // at most 8 bytes in
        let after = UInt8(truncatingIfNeeded: w >> UInt64(8 * n))   // p[k], from the word
        var v: Double
        if after == 0x2E {
            let f = DigitRun.load(p + k + 1)           // bytes up to 17 in
            let m = DigitRun.count(f)
            guard m > 0, m < 8 else { return nil }
            mant = mant &* DigitRun.power(m) &+ DigitRun.value(f, m)
            k &+= 1 &+ m
            guard p[k] | 0x20 != 0x65 else { return nil }   // e or E: the exponent is anyNumber's
            v = Double(mant) / PowersOfTen.exact(m)
        } else {
            guard after | 0x20 != 0x65 else { return nil }
            v = Double(mant)
        }
        i = k
        return Double(bitPattern: v.bitPattern | sign)
    }

    /// `number()` for every shape (after space): digit by digit, with the bounds
    /// in locals. Out of line, so the short path inlines small.
    @inline(never)
    mutating func anyNumber() -> Double? {
        guard let p = b.baseAddress else { return nil }
        let end = b.count, start = i
        var k = i
        var neg = false
        if k < end, p[k] == 0x2D { neg = true; k += 1 }
        guard k < end, p[k] &- 0x30 <= 9 else { return nil }
        var mant: UInt64 = 0
        var digits = 0          // significant digits in `mant` (leading zeros not counted)
        var dropped = false     // digits beyond 19 (the fast path cannot be used)
        var exp10 = 0
        if p[k] == 0x30 { k += 1 } else {
            while k < end {
                let d = p[k] &- 0x30
                if d > 9 { break }
                if digits < 19 { mant = mant &* 10 &+ UInt64(d); digits += 1 } else { if d != 0 { dropped = true }; exp10 += 1 }
                k += 1
            }
        }
        if k < end, p[k] == 0x2E {
            k += 1
            let s = k
            while k < end {
                let d = p[k] &- 0x30
                if d > 9 { break }
                if digits < 19 {
                    if mant != 0 || d != 0 { digits += 1 }
                    mant = mant &* 10 &+ UInt64(d)
                    exp10 -= 1
                } else if d != 0 { dropped = true }
                k += 1
            }
            guard k > s else { return nil }
        }
        if k < end, p[k] == 0x65 || p[k] == 0x45 {
            k += 1
            var eneg = false
            if k < end, p[k] == 0x2B || p[k] == 0x2D { eneg = p[k] == 0x2D; k += 1 }
            let s = k
            var e = 0
            while k < end, p[k] &- 0x30 <= 9 { if e < 100_000 { e = e * 10 + Int(p[k] &- 0x30) }; k += 1 }
            guard k > s else { return nil }
            exp10 += eneg ? -e : e
        }
        i = k
        guard k - start <= 64 else { return nil }
        if !dropped, mant <= (1 << 53), exp10 >= -22, exp10 <= 22 {
            var v = Double(mant)
            if exp10 >= 0 { v *= PowersOfTen.exact(exp10) } else { v /= PowersOfTen.exact(-exp10) }
            return neg ? -v : v
        }
        guard let v = Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<k]), as: UTF8.self)), v.isFinite else { return nil }
        return v
    }
}
