import Foundation

/// Something a tree model derives from its trees for scoring — the trees
/// compiled for `CodedTreeScorer`, TreeSHAP's `LeafSHAPTables` — built on first
/// use and then kept with the model: a server scores many small requests with
/// one model, and deriving these per call (collecting and sorting every split's
/// threshold, filling the leaf tables) costs more than scoring a row. Holds nil
/// when the trees do not suit the derived form. Not part of the model's encoding.
final class CompiledTreeCache<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var built = false
    private var value: Value?

    init() {}

    /// The value, from `make` on the first call (a failed or cancelled build is
    /// retried on the next call).
    func get(_ make: () throws -> Value?) rethrows -> Value? {
        lock.lock()
        defer { lock.unlock() }
        if !built {
            value = try make()
            built = true
        }
        return value
    }
}
