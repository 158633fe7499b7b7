import Foundation

/// A value computed on first read, not when its owner is built — the way
/// lifelines' `CoxPHFitter.concordance_index_` is a lazy property: a fit should
/// not pay for a statistic nobody reads (Harrell's C sorts every row's score,
/// a sixth of a million-row Cox fit).
///
/// It behaves as a plain value otherwise: copies share the one computation,
/// assigning replaces it, and it encodes as the value itself (so model files
/// are unchanged and a decoded one is already computed). Reads are thread-safe.
@propertyWrapper
public struct Deferred<Value: Codable & Sendable>: Codable, Sendable {
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value?
        private var compute: (@Sendable () -> Value)?
        init(value: Value) { self.value = value }
        init(compute: @escaping @Sendable () -> Value) { self.compute = compute }
        var resolved: Value {
            lock.lock(); defer { lock.unlock() }
            if let value { return value }
            let v = compute!()
            value = v; compute = nil   // the inputs the closure held are released
            return v
        }
    }
    private var box: Box

    public init(wrappedValue: Value) { box = Box(value: wrappedValue) }
    /// A value `compute` produces on first read (once, whoever reads first).
    public init(_ compute: @escaping @Sendable () -> Value) { box = Box(compute: compute) }

    public var wrappedValue: Value {
        get { box.resolved }
        set { box = Box(value: newValue) }
    }
    public var projectedValue: Deferred<Value> {
        get { self }
        set { self = newValue }
    }

    public init(from decoder: Decoder) throws { box = Box(value: try decoder.singleValueContainer().decode(Value.self)) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(box.resolved)
    }
}
