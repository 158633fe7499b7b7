import Foundation

/// Turns context columns into the dense design rows linear policies and
/// reward models use: an intercept, numeric/bool columns as they are, and
/// text columns one-hot over the levels seen the first time (the first level
/// dropped, as the intercept carries it). Fixing the levels at the first
/// frame keeps the coefficient layout stable across later frames.
public final class ContextEncoder {
    public let features: [String]
    /// Levels per text feature, fixed at the first `encode`.
    public private(set) var levels: [String: [String]] = [:]
    public private(set) var dimension = 0
    private var ready = false

    public init(features: [String]) throws {
        guard !features.isEmpty else { throw FrameError.invalid("policy: features must name at least one column") }
        guard Set(features).count == features.count else { throw FrameError.invalid("policy: a feature is listed twice") }
        self.features = features
    }

    /// Names of the design columns (after `encode` has seen a frame).
    public var designNames: [String] {
        var names = ["intercept"]
        for f in features {
            if let l = levels[f] { names += l.dropFirst().map { "\(f)=\($0)" } } else { names.append(f) }
        }
        return names
    }

    /// Row-major n × dimension design matrix.
    public func encode(_ frame: Frame) throws -> [Double] {
        let cols = try features.map { try frame.column($0) }
        if !ready {
            for c in cols {
                switch c.data {
                case .string(_, let d): levels[c.name] = d.sorted()
                case .category(_, let l): levels[c.name] = l
                default: break
                }
            }
            dimension = 1 + features.reduce(0) { $0 + (levels[$1].map { $0.count - 1 } ?? 1) }
            ready = true
        }
        let n = frame.nrow, d = dimension
        try ExecutionContext.checkMemory(n * d * 8, for: "policy design matrix")
        var X = [Double](repeating: 0, count: n * d)
        for i in 0..<n { X[i * d] = 1 }
        var off = 1
        for c in cols {
            if let lv = levels[c.name] {
                guard c.dtype == .string || c.dtype == .category else {
                    throw FrameError.invalid("policy: feature '\(c.name)' was text when the policy first saw it, now \(c.dtype.rawValue)")
                }
                var pos: [String: Int] = [:]
                for (j, l) in lv.enumerated() where j > 0 { pos[l] = off + j - 1 }
                for i in 0..<n {
                    guard let s = c.string(at: i) else { throw FrameError.invalid("policy: feature '\(c.name)' is null at row \(i + 1)") }
                    if let p = pos[s] { X[i * d + p] = 1 }
                    else if s != lv[0] {
                        throw FrameError.invalid("policy: feature '\(c.name)' has level '\(s)' at row \(i + 1) not seen when the policy was first used (\(lv.joined(separator: ", ")))")
                    }
                }
                off += lv.count - 1
            } else {
                guard let v = c.toDoubles() else {
                    throw FrameError.invalid("policy: feature '\(c.name)' is \(c.dtype.rawValue) now but was numeric when the policy first saw it")
                }
                for i in 0..<n {
                    guard v[i].isFinite else { throw FrameError.invalid("policy: feature '\(c.name)' is null or not finite at row \(i + 1)") }
                    X[i * d + off] = v[i]
                }
                off += 1
            }
        }
        return X
    }
}
