/// Allocation-free HMAC-SHA256 for the holdout hash's short messages (≤ 55 bytes:
/// one block after the key block). The holdout hashes every selected user, so the
/// generic `HMACSHA256` (allocating buffers per digest) dominated a 1M-user run.
/// Results are identical to `HMACSHA256` (RuleEngineTests checks both against Python);
/// longer messages take the generic path. Candidate for a public midstate API in Util/SHA256.
struct ShortHMAC: Sendable {
    typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    static let iv: State = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    static let maxMessage = 55

    let inner: State
    let outer: State

    /// `key` must already be padded to 64 bytes.
    init(paddedKey: [UInt8]) {
        inner = ShortHMAC.midstate(paddedKey.map { $0 ^ 0x36 })
        outer = ShortHMAC.midstate(paddedKey.map { $0 ^ 0x5c })
    }

    static func midstate(_ block: [UInt8]) -> State {
        var h = iv
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                w[i] = UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16 | UInt32(block[4 * i + 2]) << 8 | UInt32(block[4 * i + 3])
            }
            compress(&h, w)
        }
        return h
    }

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// One SHA-256 compression; `w[0..<16]` holds the block's big-endian words (w is scratch for 64).
    @inline(__always) static func compress(_ h: inout State, _ w: UnsafeMutableBufferPointer<UInt32>) {
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

    /// The first 8 bytes of HMAC(key, prefix ‖ user) as a big-endian UInt64
    /// (prefix.count + user.count ≤ 55).
    func tag64(_ prefix: UnsafeRawBufferPointer, _ user: UnsafeRawBufferPointer) -> UInt64 {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { blk in
                // Inner: the message after the ipad block, padded (total length 64 + n bytes).
                let n = prefix.count + user.count
                for i in 0..<64 { blk[i] = 0 }
                for i in 0..<prefix.count { blk[i] = prefix[i] }
                for i in 0..<user.count { blk[prefix.count + i] = user[i] }
                blk[n] = 0x80
                let bits = UInt64(64 + n) * 8
                for i in 0..<8 { blk[63 - i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
                for i in 0..<16 {
                    w[i] = UInt32(blk[4 * i]) << 24 | UInt32(blk[4 * i + 1]) << 16 | UInt32(blk[4 * i + 2]) << 8 | UInt32(blk[4 * i + 3])
                }
                var ih = inner
                ShortHMAC.compress(&ih, w)
                // Outer: the 32-byte inner digest after the opad block (total length 96 bytes).
                w[0] = ih.0; w[1] = ih.1; w[2] = ih.2; w[3] = ih.3; w[4] = ih.4; w[5] = ih.5; w[6] = ih.6; w[7] = ih.7
                w[8] = 0x8000_0000
                for i in 9..<15 { w[i] = 0 }
                w[15] = 96 * 8
                var oh = outer
                ShortHMAC.compress(&oh, w)
                return UInt64(oh.0) << 32 | UInt64(oh.1)
            }
        }
    }
}
