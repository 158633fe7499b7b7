/// A time-to-event target: how long each row was observed and whether the
/// event (churn) ended the observation (false: censored). What survival kinds
/// are fitted on instead of a 0/1 target.
public struct SurvivalTarget: Sendable {
    public let durations: [Double]
    public let events: [Bool]
    /// Column names, for summaries and model files.
    public var durationName: String?
    public var eventName: String?

    public init(durations: [Double], events: [Bool], durationName: String? = nil, eventName: String? = nil) throws {
        _ = try SurvivalData(durations: durations, events: events)   // lengths, finite, >= 0
        self.durations = durations; self.events = events
        self.durationName = durationName; self.eventName = eventName
    }

    /// From frame columns (event absent: every row an event).
    public init(_ f: Frame, duration: String, event: String?) throws {
        let d = try SurvivalColumns(duration: duration, event: event).data(f)
        try self.init(durations: d.durations, events: d.events, durationName: duration, eventName: event)
    }

    public var count: Int { durations.count }

    public func take(_ rows: [Int]) -> SurvivalTarget {
        SurvivalTarget(unchecked: rows.map { durations[$0] }, rows.map { events[$0] }, durationName, eventName)
    }

    private init(unchecked d: [Double], _ e: [Bool], _ dn: String?, _ en: String?) {
        durations = d; events = e; durationName = dn; eventName = en
    }

    // Model selection (cross-validation, searches, permutation importance) is
    // written for one number per row as the target. A survival target goes
    // through it as the row numbers: folds and permutations move them like any
    // target, and the fit and the metric below look the durations and events up.

    /// The selection "target": row i is i.
    public var rowIds: [Double] { (0..<count).map(Double.init) }

    func rows(_ ids: [Double]) -> [Int] { ids.map { Int($0) } }

    /// A selection fit function for a survival kind: fits on the rows' target and
    /// scores rows by predicted risk (`SurvivalScorer`).
    public func fitFunction(_ spec: ModelSpec) -> FitFunction {
        { X, ids, w in try SurvivalScorer(model: try spec.fit(X, survival: take(rows(ids)), weights: w)) }
    }

    /// Harrell's concordance (lifelines' `concordance_index`) of −risk with the
    /// rows' durations and events; NaN when no pair is comparable.
    public var concordance: ScoreFunction {
        { ids, risk in
            let r = ids.map { Int($0) }
            return (try? Concordance.index(durations: r.map { durations[$0] }, scores: risk.map { -$0 },
                                            events: r.map { events[$0] })) ?? .nan
        }
    }

    /// Metrics a survival target can be scored with, by name.
    public static let metricNames = ["concordance"]

    /// k-fold splits stratified on the event flag (so each fold gets its share of censoring).
    public func kFold(k: Int, stratify: Bool, seed: UInt64) throws -> [CVSplit] {
        try CVSplits.kFold(y: events.map { $0 ? 1 : 0 }, k: k, stratify: stratify, seed: seed)
    }
}

/// A model kind fitted on a time-to-event target (Cox PH). It is a `ChurnModel`
/// (model files, the kind registry, selection), whose 0/1 `fit` and
/// `predictProba` refuse; it fits on a `SurvivalTarget` and ranks rows by risk.
public protocol SurvivalChurnModel: ChurnModel {
    static func fit(_ X: FeatureMatrix, survival: SurvivalTarget, weights: [Double]?, options: Options) throws -> Self
    /// Risk score per row: higher = the event sooner (Cox: the log partial hazard).
    func predictRisk(_ X: FeatureMatrix) throws -> [Double]
}

/// A fitted survival model seen by model selection: its "probability" is the risk score.
public struct SurvivalScorer: BinaryClassifier {
    public let model: any SurvivalChurnModel
    public init(model: any ChurnModel) throws {
        guard let m = model as? any SurvivalChurnModel else { throw SurvivalError.invalid("\(model.kind) is not a survival model") }
        self.model = m
    }
    public var featureNames: [String] { model.featureNames }
    public func predictProba(_ X: FeatureMatrix) throws -> [Double] { try model.predictRisk(X) }
}

extension ModelSpec {
    /// The survival fit of `M` with `options`, or nil when `M` is not a survival kind
    /// (what `ModelSpec.init` stores for `fit(_:survival:weights:)`).
    static func survivalFit<M: ChurnModel>(_ type: M.Type, options: M.Options) -> SurvivalFit? {
        guard let s = type as? any SurvivalChurnModel.Type else { return nil }
        return open(s, options)
    }

    private static func open<S: SurvivalChurnModel>(_ type: S.Type, _ options: Any) -> SurvivalFit? {
        guard let o = options as? S.Options else { return nil }
        return { X, y, w in try S.fit(X, survival: y, weights: w, options: o) }
    }

    public typealias SurvivalFit = (FeatureMatrix, SurvivalTarget, [Double]?) throws -> any ChurnModel
}
