/// A chain of preprocessing steps: `fit` fits each step on the output of the
/// previous ones; `transform` applies them in order. Codable as a whole.

/// One step of a pipeline (an enum so the pipeline stays Codable).
public enum PrepStep: Codable, Sendable, Equatable {
    case standardScaler(StandardScaler)
    case minMaxScaler(MinMaxScaler)
    case oneHot(OneHotEncoder)
    case labelEncoder(LabelEncoder)
    case imputer(Imputer)
    case clip(Clipper)

    var transformer: any PrepTransformer {
        switch self {
        case .standardScaler(let t): return t
        case .minMaxScaler(let t): return t
        case .oneHot(let t): return t
        case .labelEncoder(let t): return t
        case .imputer(let t): return t
        case .clip(let t): return t
        }
    }

    /// Fits the wrapped step and returns the transformed frame.
    mutating func fitTransform(_ frame: Frame) throws -> Frame {
        switch self {
        case .standardScaler(var t): let f = try t.fitTransform(frame); self = .standardScaler(t); return f
        case .minMaxScaler(var t): let f = try t.fitTransform(frame); self = .minMaxScaler(t); return f
        case .oneHot(var t): let f = try t.fitTransform(frame); self = .oneHot(t); return f
        case .labelEncoder(var t): let f = try t.fitTransform(frame); self = .labelEncoder(t); return f
        case .imputer(var t): let f = try t.fitTransform(frame); self = .imputer(t); return f
        case .clip(var t): let f = try t.fitTransform(frame); self = .clip(t); return f
        }
    }
}

public struct PrepPipeline: PrepTransformer, Equatable {
    public private(set) var steps: [PrepStep]
    public private(set) var isFitted = false

    public init(_ steps: [PrepStep]) { self.steps = steps }

    public mutating func fit(_ frame: Frame) throws {
        _ = try fitTransform(frame)
    }

    /// Fits step by step, each on the previous step's output; returns the final frame.
    public mutating func fitTransform(_ frame: Frame) throws -> Frame {
        var f = frame
        for i in steps.indices { f = try steps[i].fitTransform(f) }
        isFitted = true
        return f
    }

    public func transform(_ frame: Frame) throws -> Frame {
        guard isFitted else { throw PrepError.notFitted(step: "pipeline") }
        var f = frame
        for s in steps { f = try s.transformer.transform(f) }
        return f
    }
}
