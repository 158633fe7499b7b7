/// Allocation-free HMAC-SHA256 for the holdout hash's short messages (≤ 55 bytes:
/// one block after the key block). The holdout hashes every selected user, so the
/// generic `HMACSHA256` (allocating buffers per digest) dominated a 1M-user run.
/// Results are identical to `HMACSHA256` (RuleEngineTests checks both against Python);
/// longer messages take the generic path. The compression itself is `SHA256.compress`.
struct ShortHMAC: Sendable {
    typealias State = SHA256.State
    static let maxMessage = 55

    let inner: State
    let outer: State

    /// `key` must already be padded to 64 bytes.
    init(paddedKey: [UInt8]) {
        inner = ShortHMAC.midstate(paddedKey.map { $0 ^ 0x36 })
        outer = ShortHMAC.midstate(paddedKey.map { $0 ^ 0x5c })
    }

    static func midstate(_ block: [UInt8]) -> State {
        var h = SHA256.initialState
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                w[i] = UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16 | UInt32(block[4 * i + 2]) << 8 | UInt32(block[4 * i + 3])
            }
            SHA256.compress(&h, w)
        }
        return h
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
                SHA256.compress(&ih, w)
                // Outer: the 32-byte inner digest after the opad block (total length 96 bytes).
                w[0] = ih.0; w[1] = ih.1; w[2] = ih.2; w[3] = ih.3; w[4] = ih.4; w[5] = ih.5; w[6] = ih.6; w[7] = ih.7
                w[8] = 0x8000_0000
                for i in 9..<15 { w[i] = 0 }
                w[15] = 96 * 8
                var oh = outer
                SHA256.compress(&oh, w)
                return UInt64(oh.0) << 32 | UInt64(oh.1)
            }
        }
    }
}
