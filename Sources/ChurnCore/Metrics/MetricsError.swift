/// Errors raised by metrics, statistical tests and charts. Each names what was
/// wrong and where (argument, row), so the Lua layer can show it as is.
public enum MetricsError: Error, CustomStringConvertible, Equatable {
    /// Two inputs that must be parallel have different lengths.
    case lengthMismatch(what: String, expected: Int, got: Int)
    /// A label is not 0 or 1 (0-based row).
    case notBinary(row: Int, value: Double)
    /// A score / probability is NaN or infinite (0-based row).
    case nonFinite(what: String, row: Int)
    /// A sample weight is negative or not finite (0-based row).
    case badWeight(row: Int, value: Double)
    /// The metric needs both classes but the labels hold only one.
    case singleClass(metric: String, present: Double)
    /// No rows (or all weights zero).
    case empty(metric: String)
    /// A probability is outside [0, 1] (0-based row).
    case notProbability(row: Int, value: Double)
    /// A class label is negative (multiclass labels are 0, 1, 2, …).
    case badClassLabel(what: String, row: Int, value: Int)
    /// An option is out of range.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .lengthMismatch(let w, let e, let g):
            return "\(w) has \(g) values, expected \(e) (one per label)"
        case .notBinary(let r, let v):
            return "labels must be 0 or 1; row \(r + 1) is \(v)"
        case .nonFinite(let w, let r):
            return "\(w) must be finite numbers; row \(r + 1) is NaN or infinite"
        case .badWeight(let r, let v):
            return "weights must be finite and >= 0; row \(r + 1) is \(v)"
        case .singleClass(let m, let p):
            return "\(m) is undefined when only one class is present in the labels (all are \(p == 1 ? "1" : "0"))"
        case .empty(let m):
            return "\(m) needs at least one row with positive weight"
        case .notProbability(let r, let v):
            return "probabilities must lie in [0, 1]; row \(r + 1) is \(v)"
        case .badClassLabel(let w, let r, let v):
            return "\(w) must be class numbers >= 0; row \(r + 1) is \(v)"
        case .invalidOption(let m):
            return m
        }
    }
}
