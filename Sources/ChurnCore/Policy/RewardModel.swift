import Foundation

/// The reward model q̂(x, a) behind the DM, DR and switch-DR estimators, optionally
/// cross-fitted. Two kinds:
///
/// * `ridge` — one ridge regression of reward on the encoded context per action, fitted
///   on the rows that took it (an action never logged predicts 0);
/// * `logistic` — for 0/1 rewards, what Open Bandit Pipeline's
///   `RegressionModel(base_model=LogisticRegression(C=…))` fits: ONE L2 logistic
///   regression (scikit-learn's objective, intercept unpenalised, via `LogisticRegression`)
///   on the context ⊕ a one-hot of the action (all K columns, obp's identity action
///   context), predicting P(reward = 1 | x, a) for every action.
///
/// Cross-fitting (`folds` > 1, as obp's `fit_predict(n_folds=…)`): rows are shuffled with
/// the seed and cut into `folds` contiguous parts with scikit-learn KFold's sizes (the first
/// n mod k parts one row longer); each part's q̂ comes from a model fitted on the other parts,
/// so a row's prediction never saw its own reward — what keeps DR's correction term unbiased
/// for flexible models. `folds` = 1 fits once on every row and predicts every row.
public enum RewardModel {
    public enum Kind: String, Sendable, CaseIterable { case ridge, logistic }

    public struct Settings: Sendable {
        public var kind: Kind = .ridge
        /// Ridge: λ in (λI + XᵀX)θ = Xᵀr. Logistic: the L2 strength, C = 1/λ.
        public var lambda = 1.0
        public var folds = 1
        public var seed: UInt64 = 42
        public init(kind: Kind = .ridge, lambda: Double = 1, folds: Int = 1, seed: UInt64 = 42) {
            self.kind = kind; self.lambda = lambda; self.folds = folds; self.seed = seed
        }
    }

    public static let maxFolds = 100

    /// q̂ for every logged row and action (row-major n × K), and the actions no training
    /// set had (ridge predicts 0 for them). `X`: the encoded context, row-major n × d with
    /// the intercept in column 0 (`ContextEncoder`).
    public static func predict(_ logs: LoggedDecisions, design X: [Double], d: Int, _ s: Settings) throws -> (q: [Double], missing: [String]) {
        let n = logs.count, k = logs.actionNames.count
        guard s.lambda > 0, s.lambda.isFinite else { throw FrameError.invalid("reward model: ridge must be > 0, got \(s.lambda)") }
        guard (1...maxFolds).contains(s.folds) else { throw FrameError.invalid("reward model: folds must be 1…\(maxFolds), got \(s.folds)") }
        guard s.folds <= n else { throw FrameError.invalid("reward model: \(s.folds) folds but the log has \(n) rows") }
        guard X.count == n * d else { throw FrameError.invalid("reward model: design has \(X.count) values, expected \(n) × \(d)") }
        if s.kind == .logistic {
            for (i, r) in logs.rewards.enumerated() where r != 0 && r != 1 {
                throw FrameError.invalid("reward model 'logistic' needs 0/1 rewards; row \(i + 1) has \(r) (use model = 'ridge', or reward = 'retained')")
            }
        }
        var q = [Double](repeating: 0, count: n * k)
        var missing = Set<String>()
        for (train, test) in folds(n: n, k: s.folds, seed: s.seed) {
            try ExecutionContext.check()
            let m: (q: [Double], missing: [String])
            switch s.kind {
            case .ridge: m = try ridge(logs, X, d: d, lambda: s.lambda, train: train, test: test)
            case .logistic: m = try logistic(logs, X, d: d, C: 1 / s.lambda, train: train, test: test)
            }
            for (t, i) in test.enumerated() { for a in 0..<k { q[i * k + a] = m.q[t * k + a] } }
            missing.formUnion(m.missing)
        }
        return (q, logs.actionNames.filter(missing.contains))
    }

    /// (train rows, test rows) per fold; one fold = every row both ways.
    static func folds(n: Int, k: Int, seed: UInt64) -> [(train: [Int], test: [Int])] {
        let all = Array(0..<n)
        guard k > 1 else { return [(all, all)] }
        var order = all
        var rng = SeededRandom(seed: seed)
        rng.shuffle(&order)
        // Fold f is the f-th run of the shuffled order (KFold's sizes); each fold's rows are
        // then listed in ascending order by one scan of a fold label per row (not a sort).
        var fold = [Int](repeating: 0, count: n)
        var start = 0
        for f in 0..<k {
            let size = n / k + (f < n % k ? 1 : 0)
            for i in order[start..<(start + size)] { fold[i] = f }
            start += size
        }
        return (0..<k).map { f in
            var train: [Int] = [], test: [Int] = []
            train.reserveCapacity(n - n / k); test.reserveCapacity(n / k + 1)
            for i in 0..<n { if fold[i] == f { test.append(i) } else { train.append(i) } }
            return (train, test)
        }
    }

    /// Per-action ridge fitted on `train`, predicted for `test` (rows × K).
    static func ridge(_ logs: LoggedDecisions, _ X: [Double], d: Int, lambda: Double, train: [Int], test: [Int]) throws -> (q: [Double], missing: [String]) {
        let k = logs.actionNames.count
        var stats = [RidgeStatistics](repeating: RidgeStatistics(d: d, lambda: lambda), count: k)
        X.withUnsafeBufferPointer { xp in
            for i in train { stats[logs.actions[i]].add(xp, offset: i * d, logs.rewards[i]) }
        }
        var q = [Double](repeating: 0, count: test.count * k), missing: [String] = []
        for a in 0..<k {
            guard stats[a].count > 0 else { missing.append(logs.actionNames[a]); continue }
            let theta = try stats[a].solve()
            for (t, i) in test.enumerated() {
                var s = 0.0
                for j in 0..<d { s += X[i * d + j] * theta[j] }
                q[t * k + a] = s
            }
        }
        return (q, missing)
    }

    /// One logistic regression on context ⊕ one-hot(action) fitted on `train`; P(1 | x, a)
    /// for every `test` row and action (rows × K).
    static func logistic(_ logs: LoggedDecisions, _ X: [Double], d: Int, C: Double, train: [Int], test: [Int]) throws -> (q: [Double], missing: [String]) {
        let k = logs.actionNames.count, p = d - 1 + k
        try ExecutionContext.checkMemory((train.count + test.count * k) * p * 8, for: "logistic reward model")
        let names = (1..<d).map { "x\($0)" } + logs.actionNames.map { "action=" + $0 }
        // Column j of the context part is design column j + 1 (column 0 is the intercept);
        // built a column at a time.
        func matrix(_ rows: Int, context: (Int) -> Int, action: (Int) -> Int) throws -> FeatureMatrix {
            let base = (0..<rows).map { context($0) * d }, acts = (0..<rows).map(action)
            var cols: [FeatureValues] = []
            cols.reserveCapacity(p)
            X.withUnsafeBufferPointer { X in
                for j in 1..<d { cols.append(.numeric(base.map { X[$0 + j] })) }
            }
            for a in 0..<k { cols.append(.numeric(acts.map { $0 == a ? 1 : 0 })) }
            return try FeatureMatrix(names: names, features: cols)
        }
        let fitX = try matrix(train.count, context: { train[$0] }, action: { logs.actions[train[$0]] })
        let y = train.map { logs.rewards[$0] }
        let model = try LogisticRegression.fit(fitX, y, options: LogisticRegression.Options(penalty: .l2, C: C))
        // Every test row once per action: row t·K + a is (x_t, a).
        let testX = try matrix(test.count * k, context: { test[$0 / k] }, action: { $0 % k })
        return (try model.predictProba(testX), [])
    }
}
