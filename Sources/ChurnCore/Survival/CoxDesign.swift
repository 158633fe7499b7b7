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

    /// The columns the design reads: the inputs, then the strata.
    public var inputNames: [String] { inputs.map(\.name) + strata }

    /// The design for `features` of a frame (nil: every numeric/bool column other
    /// than the duration, event, strata and `exclude` ones), through `make(_:strata:)`.
    public static func make(_ f: Frame, _ cols: SurvivalColumns, features: [String]?, exclude: [String], strata: [String]) throws -> CoxDesign {
        for s in strata { _ = try f.column(s) }
        let skip = Set([cols.duration] + (cols.event.map { [$0] } ?? []) + exclude + strata)
        let names = features ?? f.columns.filter { c in
            !skip.contains(c.name) && [DType.float64, .int64, .bool].contains(c.dtype)
        }.map(\.name)
        for name in names {
            let c = try f.column(name)
            guard [DType.float64, .int64, .bool, .string, .category].contains(c.dtype) else {
                throw SurvivalError.invalid("cox: feature '\(name)' is \(c.dtype.rawValue); use numeric, bool or text columns")
            }
        }
        let X = try FeatureMatrix(frame: f, columns: names + strata.filter { !names.contains($0) })
        return try make(X, strata: strata, duration: cols.duration, event: cols.event)
    }

    /// The design for a model's feature matrix: every column but the strata is a
    /// covariate (text ones dummy-coded against their alphabetically first level).
    public static func make(_ X: FeatureMatrix, strata: [String], duration: String, event: String?) throws -> CoxDesign {
        for s in strata where !X.names.contains(s) {
            throw SurvivalError.invalid("cox: stratum column '\(s)' is not among the fit's columns (list it in features =, or drop it from exclude =)")
        }
        var inputs: [Input] = []
        for (name, values) in zip(X.names, X.features) where !strata.contains(name) {
            switch values {
            case .numeric:
                // Nulls and non-finite values are found by the fit's column sums (`CoxCovariates`).
                inputs.append(Input(name: name, levels: nil))
            case .categorical(let codes, let levels):
                if let i = codes.firstIndex(of: -1) { throw SurvivalError.invalid("cox: feature '\(name)' has a null in row \(i + 1)") }
                var used = [Bool](repeating: false, count: levels.count)
                for c in codes { used[Int(c)] = true }
                let present = levels.indices.filter { used[$0] }.map { levels[$0] }.sorted()
                guard present.count >= 2 else { throw SurvivalError.invalid("cox: text feature '\(name)' has a single level ('\(present.first ?? "")'); drop it") }
                inputs.append(Input(name: name, levels: present))
            }
        }
        guard !inputs.isEmpty else { throw SurvivalError.invalid("cox: no feature columns (give features = {...})") }
        return CoxDesign(duration: duration, event: event, inputs: inputs, strata: strata)
    }

    /// The columns this design reads from a frame, as a feature matrix (text kept as the frame's own levels).
    public func features(_ f: Frame) throws -> FeatureMatrix { try FeatureMatrix(frame: f, columns: inputNames) }

    /// Row-major n × p matrix of a frame in this design.
    public func matrix(_ f: Frame) throws -> [Double] { try matrix(try features(f)) }

    /// Row-major n × p matrix of `X` in this design (columns found by name; text
    /// mapped to the design's levels by value, an unseen level is an error).
    public func matrix(_ X: FeatureMatrix) throws -> [Double] { try covariates(X).rowMajor() }

    /// `X`'s columns as this design's covariates, without copying them (a fit reads
    /// them from the columns; `CoxCovariates`). Text columns are checked here: a null
    /// or a level unseen when fitted is an error naming the row.
    func covariates(_ X: FeatureMatrix) throws -> CoxCovariates {
        var inputs: [CoxCovariates.Input] = []
        var j = 0
        for input in self.inputs {
            guard let k = X.names.firstIndex(of: input.name) else { throw SurvivalError.invalid("cox: feature '\(input.name)' is missing") }
            switch (X.features[k], input.levels) {
            case (.categorical(let codes, let have), let levels?):
                var index: [String: Int32] = [:]
                for (k, l) in levels.enumerated() { index[l] = Int32(k) }
                let level = have.map { index[$0] ?? -1 }
                if let i = codes.firstIndex(where: { $0 < 0 || level[Int($0)] < 0 }) {
                    if codes[i] < 0 { throw SurvivalError.invalid("cox: feature '\(input.name)' has a null in row \(i + 1)") }
                    throw SurvivalError.invalid("cox: feature '\(input.name)' row \(i + 1) has level '\(have[Int(codes[i])])', unseen when fitted (levels: \(levels.joined(separator: ", ")))")
                }
                inputs.append(.levels(name: input.name, first: j, codes: codes, level: level, levels: levels.count))
                j += levels.count - 1
            case (.numeric(let v), nil):
                inputs.append(.numeric(name: input.name, first: j, values: v))
                j += 1
            case (.numeric, _?):
                throw SurvivalError.invalid("cox: feature '\(input.name)' was text when fitted but is numeric here")
            case (.categorical, nil):
                throw SurvivalError.invalid("cox: feature '\(input.name)' was numeric when fitted but is text here")
            }
        }
        return CoxCovariates(inputs: inputs, n: X.nrow, names: columnNames)
    }

    /// Each row's stratum label (the strata columns' values as text, joined by
    /// "|"; whole numbers without a decimal point); nil when unstratified.
    public func strataLabels(_ X: FeatureMatrix) throws -> [String]? {
        guard !strata.isEmpty else { return nil }
        let cols = try strata.map { s -> FeatureValues in
            guard let k = X.names.firstIndex(of: s) else { throw SurvivalError.invalid("cox: stratum column '\(s)' is missing") }
            return X.features[k]
        }
        return try (0..<X.nrow).map { i in
            try zip(strata, cols).map { name, c -> String in
                switch c {
                case .categorical(let codes, let levels):
                    guard codes[i] >= 0 else { throw SurvivalError.invalid("cox: stratum column '\(name)' has a null in row \(i + 1)") }
                    return levels[Int(codes[i])]
                case .numeric(let v):
                    guard !v[i].isNaN else { throw SurvivalError.invalid("cox: stratum column '\(name)' has a null in row \(i + 1)") }
                    return v[i] == v[i].rounded() && abs(v[i]) < 1e15 ? String(Int64(v[i])) : "\(v[i])"
                }
            }.joined(separator: "|")
        }
    }

    public func strataLabels(_ f: Frame) throws -> [String]? { strata.isEmpty ? nil : try strataLabels(try features(f)) }
}

/// Breslow's baseline hazard for one stratum (lifelines' `_compute_baseline_hazard`):
/// at each distinct duration t, h₀(t) = events at t / Σ_{T ≥ t} exp((x − x̄)β).
public struct CoxBaseline: Sendable, Codable, Equatable {
    public var times: [Double]
    public var hazard: [Double]
    public var cumulativeHazard: [Double]

    /// `order`: the stratum's rows by duration descending. With case weights both
    /// sums are weighted (lifelines' `_compute_baseline_hazard`: P·W and E·W).
    static func breslow(_ order: [Int], _ data: SurvivalData, partialHazard: [Double]) -> CoxBaseline {
        var times: [Double] = [], hazard: [Double] = []
        var risk = 0.0, i = 0
        while i < order.count {
            let t = data.durations[order[i]]
            var d = 0.0
            while i < order.count && data.durations[order[i]] == t {
                let w = data.weights?[order[i]] ?? 1
                risk += w * partialHazard[order[i]]
                if data.events[order[i]] { d += w }
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
