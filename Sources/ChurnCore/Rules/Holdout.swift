/// Stable random control assignment: u = HMAC-SHA256(key, experiment + 0x1F + user id)
/// read as a 53-bit fraction; a user is control when u < holdout. The same key,
/// experiment name and user id always give the same u, across runs and machines,
/// and different experiments are independent.
public struct HoldoutHasher: Sendable {
    private let keyed: HMACSHA256

    public init(key: [UInt8]) { keyed = HMACSHA256(key: key) }

    /// The uniform in [0, 1) for (experiment, user).
    public func uniform(experiment: String, user: String) -> Double {
        var h = keyed
        h.update(Array(experiment.utf8) + [0x1F] + Array(user.utf8))
        let d = h.finalize()
        var x: UInt64 = 0
        for i in 0..<8 { x = (x << 8) | UInt64(d[i]) }
        return Double(x >> 11) * 0x1.0p-53
    }

    public func isControl(experiment: String, user: String, holdout: Double) -> Bool {
        holdout > 0 && uniform(experiment: experiment, user: user) < holdout
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
