import ExecutionControl

/// How a frame becomes a Cox design matrix, fixed at fit time so predictions
/// and a reloaded model see the same columns: numeric and bool columns pass
/// through (bool as 0/1); a text or category column is dummy-coded against its
/// alphabetically first training level, as `pandas.get_dummies(drop_first=True)`
/// does before lifelines (columns `name=level`). Strata columns are not in the
/// matrix: their joined values pick the row's stratum.
public struct CoxDesign: Sendable, Codable, Equatable {
    public struct Input: Sendable, Codable, Equatable {
        public var name: String
        /// nil for a numeric/bool column; the training levels (first = reference) for a text one.
        public var levels: [String]?
    }
    public var duration: String
    public var event: String?
    public var inputs: [Input]
    public var strata: [String]

    /// The design's column names (one per coefficient).
    public var columnNames: [String] {
        inputs.flatMap { i in i.levels.map { $0.dropFirst().map { "\(i.name)=\($0)" } } ?? [i.name] }
    }

    /// The design for `features` (nil: every numeric/bool column other than the
    /// duration, event, strata and `exclude` ones).
    public static func make(_ f: Frame, _ cols: SurvivalColumns, features: [String]?, exclude: [String], strata: [String]) throws -> CoxDesign {
        for s in strata { _ = try f.column(s) }
        let skip = Set([cols.duration] + (cols.event.map { [$0] } ?? []) + exclude + strata)
        let names = features ?? f.columns.filter { c in
            !skip.contains(c.name) && [DType.float64, .int64, .bool].contains(c.dtype)
        }.map(\.name)
        guard !names.isEmpty else { throw SurvivalError.invalid("cox: no feature columns (give features = {...})") }
        var inputs: [Input] = []
        for name in names {
            guard !strata.contains(name) else { throw SurvivalError.invalid("cox: '\(name)' is both a feature and a stratum") }
            let c = try f.column(name)
            if let i = (0..<c.count).first(where: { c.isNull($0) }) {
                throw SurvivalError.invalid("cox: feature '\(name)' has a null in row \(i + 1)")
            }
            switch c.dtype {
            case .float64, .int64, .bool: inputs.append(Input(name: name, levels: nil))
            case .string, .category:
                let levels = Set((0..<c.count).compactMap { c.string(at: $0) }).sorted()
                guard levels.count >= 2 else { throw SurvivalError.invalid("cox: text feature '\(name)' has a single level ('\(levels.first ?? "")'); drop it") }
                inputs.append(Input(name: name, levels: levels))
            default:
                throw SurvivalError.invalid("cox: feature '\(name)' is \(c.dtype.rawValue); use numeric, bool or text columns")
            }
        }
        return CoxDesign(duration: cols.duration, event: cols.event, inputs: inputs, strata: strata)
    }

    /// Row-major n × p matrix of `f` in this design.
    public func matrix(_ f: Frame) throws -> [Double] {
        let n = f.nrow, names = columnNames, p = names.count
        try ExecutionContext.checkMemory(n * p * 8, for: "cox design matrix")
        var X = [Double](repeating: 0, count: n * p)
        var j = 0
        for input in inputs {
            let c = try f.column(input.name)
            if let i = (0..<c.count).first(where: { c.isNull($0) }) {
                throw SurvivalError.invalid("cox: feature '\(input.name)' has a null in row \(i + 1)")
            }
            if let levels = input.levels {
                guard c.dtype == .string || c.dtype == .category else {
                    throw SurvivalError.invalid("cox: feature '\(input.name)' was text when fitted but is \(c.dtype.rawValue) here")
                }
                var index: [String: Int] = [:]
                for (k, l) in levels.enumerated() { index[l] = k }
                for i in 0..<n {
                    let s = c.string(at: i) ?? ""
                    guard let k = index[s] else {
                        throw SurvivalError.invalid("cox: feature '\(input.name)' row \(i + 1) has level '\(s)', unseen when fitted (levels: \(levels.joined(separator: ", ")))")
                    }
                    if k > 0 { X[i * p + j + k - 1] = 1 }
                }
                j += levels.count - 1
            } else {
                guard let v = c.toDoubles() else {
                    throw SurvivalError.invalid("cox: feature '\(input.name)' was numeric when fitted but is \(c.dtype.rawValue) here")
                }
                for i in 0..<n {
                    guard v[i].isFinite else { throw SurvivalError.invalid("cox: feature '\(input.name)' row \(i + 1) is not finite") }
                    X[i * p + j] = v[i]
                }
                j += 1
            }
        }
        return X
    }

    /// Each row's stratum label (the strata columns' texts joined by "|"); nil when unstratified.
    public func strataLabels(_ f: Frame) throws -> [String]? {
        guard !strata.isEmpty else { return nil }
        let cs = try strata.map { try f.column($0) }
        return try (0..<f.nrow).map { i in
            try cs.map { c -> String in
                if c.isNull(i) { throw SurvivalError.invalid("cox: stratum column '\(c.name)' has a null in row \(i + 1)") }
                return c.value(at: i).description
            }.joined(separator: "|")
        }
    }
}

/// Breslow's baseline hazard for one stratum (lifelines' `_compute_baseline_hazard`):
/// at each distinct duration t, h₀(t) = events at t / Σ_{T ≥ t} exp((x − x̄)β).
public struct CoxBaseline: Sendable, Codable, Equatable {
    public var times: [Double]
    public var hazard: [Double]
    public var cumulativeHazard: [Double]

    /// `order`: the stratum's rows by duration descending.
    static func breslow(_ order: [Int], _ data: SurvivalData, partialHazard: [Double]) -> CoxBaseline {
        var times: [Double] = [], hazard: [Double] = []
        var risk = 0.0, i = 0
        while i < order.count {
            let t = data.durations[order[i]]
            var d = 0.0
            while i < order.count && data.durations[order[i]] == t {
                risk += partialHazard[order[i]]
                if data.events[order[i]] { d += 1 }
                i += 1
            }
            times.append(t); hazard.append(d / risk)
        }
        times.reverse(); hazard.reverse()
        var cum = 0.0
        return CoxBaseline(times: times, hazard: hazard, cumulativeHazard: hazard.map { cum += $0; return cum })
    }

    /// H₀(t) as lifelines evaluates it at arbitrary times (`np.interp` over
    /// `baseline_cumulative_hazard_`): linear between the baseline times, held at
    /// the first value before them and at the last after them.
    public func cumulativeHazard(at t: Double) -> Double {
        guard let first = times.first, t > first else { return cumulativeHazard.first ?? 0 }
        guard t < times[times.count - 1] else { return cumulativeHazard[times.count - 1] }
        var lo = 0, hi = times.count
        while lo < hi { let mid = (lo + hi) / 2; if times[mid] <= t { lo = mid + 1 } else { hi = mid } }
        let j = lo - 1
        if times[j] == t { return cumulativeHazard[j] }
        let w = (t - times[j]) / (times[j + 1] - times[j])
        return cumulativeHazard[j] + w * (cumulativeHazard[j + 1] - cumulativeHazard[j])
    }
}
