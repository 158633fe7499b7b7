/// Stable random control assignment: u = HMAC-SHA256(key, experiment + 0x1F + user id)
/// read as a 53-bit fraction; a user is control when u < holdout. The same key,
/// experiment name and user id always give the same u, across runs and machines,
/// and different experiments are independent.
public struct HoldoutHasher: Sendable {
    /// SHA-256 states after the HMAC key blocks (key ⊕ ipad, key ⊕ opad), so each
    /// tag costs two compressions for a short message instead of four (RFC 2104).
    private let inner: SHA256
    private let outer: SHA256
    /// The same midstates for messages that fit one block (the common case).
    private let short: ShortHMAC

    public init(key: [UInt8]) {
        var k = key.count > SHA256.blockCount ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: SHA256.blockCount - k.count)
        var i = SHA256(), o = SHA256()
        i.update(k.map { $0 ^ 0x36 })
        o.update(k.map { $0 ^ 0x5c })
        inner = i; outer = o
        short = ShortHMAC(paddedKey: k)
    }

    /// The uniform in [0, 1) for (experiment, user).
    public func uniform(experiment: String, user: String) -> Double {
        let prefix = Array(experiment.utf8) + [0x1F]
        return prefix.withUnsafeBytes { p in Array(user.utf8).withUnsafeBytes { u in uniform(prefix: p, user: u) } }
    }

    /// `prefix` is the experiment's UTF-8 bytes followed by 0x1F.
    func uniform(prefix: UnsafeRawBufferPointer, user: UnsafeRawBufferPointer) -> Double {
        if prefix.count + user.count <= ShortHMAC.maxMessage {
            return Double(short.tag64(prefix, user) >> 11) * 0x1.0p-53
        }
        return genericUniform(prefix: prefix, user: user)
    }

    /// HMAC through the streaming `SHA256` (any message length).
    func genericUniform(prefix: UnsafeRawBufferPointer, user: UnsafeRawBufferPointer) -> Double {
        var h = inner
        h.update(prefix); h.update(user)
        let ih = h.finalize()
        var o = outer
        ih.withUnsafeBytes { o.update($0) }
        let d = o.finalize()
        var x: UInt64 = 0
        for i in 0..<8 { x = (x << 8) | UInt64(d[i]) }
        return Double(x >> 11) * 0x1.0p-53
    }

    public func isControl(experiment: String, user: String, holdout: Double) -> Bool {
        holdout > 0 && uniform(experiment: experiment, user: user) < holdout
    }

    /// Control flags of rows of a user id column, without building id strings for int and text ids.
    func controlFlags(rows: ArraySlice<Int32>, users: Column, prefix: [UInt8], holdout: Double) -> [Bool] {
        prefix.withUnsafeBytes { p in
            switch users.data {
            case .int64(let v):
                return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
                    rows.map { r -> Bool in
                        let i = Int(r)
                        if users.isNull(i) { return uniform(prefix: p, user: UnsafeRawBufferPointer(start: nil, count: 0)) < holdout }
                        return uniform(prefix: p, user: UnsafeRawBufferPointer(HoldoutHasher.decimal(v[i], into: buf))) < holdout
                    }
                }
            case .string(let k, let d), .category(let k, let d):
                let bytes = d.map { Array($0.utf8) }
                return rows.map { r -> Bool in
                    let i = Int(r)
                    let b = users.isNull(i) ? [] : bytes[Int(k[i])]
                    return b.withUnsafeBytes { uniform(prefix: p, user: $0) } < holdout
                }
            default:
                return rows.map { r in Array(RuleEngine.userText(users, Int(r)).utf8).withUnsafeBytes { uniform(prefix: p, user: $0) } < holdout }
            }
        }
    }

    /// Decimal text of `v` written at the end of `buf`; returns the used slice.
    static func decimal(_ v: Int64, into buf: UnsafeMutableBufferPointer<UInt8>) -> UnsafeMutableBufferPointer<UInt8> {
        var m = v.magnitude
        var pos = buf.count
        repeat { pos -= 1; buf[pos] = UInt8(48 + m % 10); m /= 10 } while m > 0
        if v < 0 { pos -= 1; buf[pos] = 45 }
        return UnsafeMutableBufferPointer(rebasing: buf[pos...])
    }
}

/// Pseudonymous user ids for exports: lowercase hex HMAC-SHA256(key, user id).
public struct Pseudonymizer: Sendable {
    private let keyed: HMACSHA256
    public init(key: [UInt8]) throws {
        guard !key.isEmpty else { throw RulesError("the pseudonymization key is empty") }
        keyed = HMACSHA256(key: key)
    }
    public func pseudonym(_ user: String) -> String {
        var h = keyed
        h.update(Array(user.utf8))
        return Hex.encode(h.finalize())
    }
}
