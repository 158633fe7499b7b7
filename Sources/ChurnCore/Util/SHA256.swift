import Foundation

/// SHA-256 (FIPS 180-4), streaming. Used for model-file checksums, the ledger,
/// manifests and notebook signing.
///
///     var h = SHA256()
///     h.update(bytes)            // any number of times
///     let digest = h.finalize()  // 32 bytes
///
/// `SHA256.hash(_:)` and `SHA256.hashFile(atPath:)` are one-shot helpers.
public struct SHA256: Sendable {
    public static let digestCount = 32
    public static let blockCount = 64

    /// The eight working words of the hash.
    public typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    /// FIPS 180-4 initial hash value.
    public static let initialState: State = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)

    private var h: State = SHA256.initialState
    /// Partial block not yet compressed.
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    /// Total message length in bytes so far.
    private var length: UInt64 = 0

    public init() {}

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// One SHA-256 compression of a block into `h`. `w[0..<16]` holds the
    /// block's big-endian words; `w` has room for 64 (the message schedule).
    /// Public so fixed-size callers (the holdout hash) can hash from a
    /// precomputed midstate without allocating.
    @inline(__always)
    public static func compress(_ h: inout State, _ w: UnsafeMutableBufferPointer<UInt32>) {
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = h
        k.withUnsafeBufferPointer { k in
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ s0 &+ maj
            }
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
    }

    /// Compresses one 64-byte block at `p`.
    private mutating func compress(_ p: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                let b = p + 4 * i
                w[i] = UInt32(b.load(as: UInt8.self)) << 24 | UInt32(b.load(fromByteOffset: 1, as: UInt8.self)) << 16
                    | UInt32(b.load(fromByteOffset: 2, as: UInt8.self)) << 8 | UInt32(b.load(fromByteOffset: 3, as: UInt8.self))
            }
            SHA256.compress(&h, w)
        }
    }

    /// Feeds raw bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        length &+= UInt64(n)
        if buffered > 0 {
            let take = min(64 - buffered, n)
            buffer.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: buffered).copyMemory(from: p, byteCount: take) }
            buffered += take; p += take; n -= take
            if buffered == 64 {
                let block = buffer
                block.withUnsafeBytes { compress($0.baseAddress!) }
                buffered = 0
            }
        }
        while n >= 64 { compress(p); p += 64; n -= 64 }
        if n > 0 {
            buffer.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: p, byteCount: n) }
            buffered = n
        }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
    public mutating func update(_ data: Data) { data.withUnsafeBytes { update($0) } }
    public mutating func update(_ string: String) { update(Array(string.utf8)) }

    /// Pads, compresses the last block(s) and returns the 32-byte digest.
    /// The value is consumed: further updates start from an undefined state.
    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var pad: [UInt8] = [0x80]
        let padZeros = (buffered + 1 <= 56) ? 56 - (buffered + 1) : 120 - (buffered + 1)
        pad += [UInt8](repeating: 0, count: padZeros)
        for i in (0..<8).reversed() { pad.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        let saved = length
        update(pad)
        length = saved
        var out = [UInt8](); out.reserveCapacity(32)
        for v in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7] {
            out += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
        }
        return out
    }

    /// One-shot digest.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] { var s = SHA256(); s.update(bytes); return s.finalize() }
    public static func hash(_ data: Data) -> [UInt8] { var s = SHA256(); s.update(data); return s.finalize() }
    public static func hash(_ string: String) -> [UInt8] { hash(Array(string.utf8)) }

    /// Digest of a file, read in 1 MiB pieces (constant memory).
    public static func hashFile(atPath path: String) throws -> [UInt8] {
        guard let fh = FileHandle(forReadingAtPath: path) else { throw HashError.cannotOpen(path) }
        defer { try? fh.close() }
        var s = SHA256()
        while true {
            let chunk: Data
            do { chunk = try fh.read(upToCount: 1 << 20) ?? Data() } catch { throw HashError.readFailed(path, "\(error)") }
            if chunk.isEmpty { break }
            s.update(chunk)
        }
        return s.finalize()
    }
}

/// HMAC-SHA256 (RFC 2104), streaming like `SHA256`.
public struct HMACSHA256: Sendable {
    private var inner = SHA256()
    private var outerKey: [UInt8]

    public init(key: [UInt8]) {
        var k = key.count > SHA256.blockCount ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: SHA256.blockCount - k.count)
        outerKey = k.map { $0 ^ 0x5c }
        inner.update(k.map { $0 ^ 0x36 })
    }

    public mutating func update(_ bytes: [UInt8]) { inner.update(bytes) }
    public mutating func update(_ data: Data) { inner.update(data) }
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { inner.update(bytes) }

    /// The 32-byte tag.
    public mutating func finalize() -> [UInt8] {
        let ih = inner.finalize()
        var outer = SHA256()
        outer.update(outerKey); outer.update(ih)
        return outer.finalize()
    }

    public static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var m = HMACSHA256(key: key); m.update(message); return m.finalize()
    }

    /// Constant-time comparison of two tags (no early exit on the first differing byte).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var d: UInt8 = 0
        for i in 0..<a.count { d |= a[i] ^ b[i] }
        return d == 0
    }
}

public enum HashError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(String)
    case readFailed(String, String)
    public var description: String {
        switch self {
        case .cannotOpen(let p): return "cannot open '\(p)' for hashing"
        case .readFailed(let p, let why): return "reading '\(p)' for hashing failed: \(why)"
        }
    }
}

/// Lowercase hex of bytes, and back.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil when `s` is not an even-length string of hex digits.
    public static func decode(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out = [UInt8](); out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = v(u[i]), let lo = v(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo); i += 2
        }
        return out
    }
}
