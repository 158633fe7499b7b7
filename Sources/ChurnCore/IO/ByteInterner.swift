#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An insertion-ordered set of byte strings with dense codes, used to
/// dictionary-encode text columns straight from file bytes: no `String` is
/// made per field, only one per distinct value at the end. Open addressing
/// with linear probing over a power-of-two table of codes.
struct ByteInterner {
    /// All distinct values back to back.
    private(set) var arena: [UInt8] = []
    /// Start of value k in `arena` is `starts[k]`, its end `starts[k + 1]`.
    private(set) var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    private var table: [Int32]
    private var mask: Int

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        table = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { starts.count - 1 }

    @inline(__always) static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var s: UInt64 = 0
            while i < n { w |= UInt64(p[i]) << s; s += 8; i += 1 }
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        h = h &* 0x9E37_79B9_7F4A_7C15
        return h ^ (h >> 32)
    }

    /// The code of the bytes, adding them when new; nil when they are new and not valid UTF-8
    /// (so only distinct values are ever validated).
    @inline(__always) mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let h = ByteInterner.hash(p, n)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = table[slot]
            if code < 0 { break }
            let k = Int(code)
            if hashes[k] == h {
                let s = starts[k], e = starts[k + 1]
                if e - s == n {
                    let same = arena.withUnsafeBufferPointer { a in
                        if n == 0 { return true }
                        let q = a.baseAddress! + s
                        if n > 16 { return memcmp(q, p, n) == 0 }
                        var i = 0   // short values (codes, flags): no call
                        while i < n, q[i] == p[i] { i += 1 }
                        return i == n
                    }
                    if same { return code }
                }
            }
            slot = (slot + 1) & mask
        }
        if !UTF8Check.isValid(p, n) || (n > 0 && memchr(p, 0, n) != nil) { return nil }
        let code = Int32(count)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        starts.append(arena.count)
        hashes.append(h)
        table[slot] = code
        if count * 2 > mask { grow() }
        return code
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        table = [Int32](repeating: -1, count: size)
        mask = size - 1
        for k in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[k]) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(k)
        }
    }

    /// Value k as bytes.
    @inline(__always) func withValue<R>(_ k: Int, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        arena.withUnsafeBufferPointer { a in
            let base = a.baseAddress ?? UnsafePointer(bitPattern: 1)!
            return body(base + starts[k], starts[k + 1] - starts[k])
        }
    }

    /// All values as Swift strings (the bytes were validated as UTF-8 when added).
    func strings() -> [String] {
        arena.withUnsafeBufferPointer { a in
            (0..<count).map { k in
                String(decoding: UnsafeBufferPointer(rebasing: a[starts[k]..<starts[k + 1]]), as: UTF8.self)
            }
        }
    }
}

enum UTF8Check {
    /// Why text holding a NUL byte is refused: it is valid UTF-8, but in a CSV it almost
    /// always means a binary or UTF-16 file, and C consumers of the data would truncate it.
    static func nulReason(in what: String = "text") -> String {
        "NUL byte (0x00) in \(what) (binary data, or a UTF-16 file? save it as UTF-8)"
    }

    /// True when the bytes are well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
    static func isValid(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            var need = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            if i + need >= n { return false }
            let c1 = p[i + 1]
            if c1 < lo || c1 > hi { return false }
            for k in stride(from: 2, through: need, by: 1) {
                if p[i + k] & 0xC0 != 0x80 { return false }
            }
            i += need + 1
        }
        return true
    }
}
