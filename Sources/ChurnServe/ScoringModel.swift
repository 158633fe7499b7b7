import ChurnCore
import Foundation

/// A model file loaded for serving: decoded and structurally validated by
/// `ModelFile` (checksum, format version, per-kind validation), with the
/// version string responses carry. Immutable; hot reload swaps the whole value.
public final class ScoringModel: Sendable {
    public let model: any ChurnModel
    public let metadata: ModelMetadata
    public let kind: String
    /// `metadata.extra["version"]` when the file names one, else kind + the first 12 hex digits of the file's SHA-256.
    public let version: String
    /// The start of every `/v1/score` response, `{"model_version":"…","results":[`, escaped once here
    /// rather than per request.
    let scoreResponsePrefix: String
    public let path: String
    /// Whether the file carries a preprocessing pipeline (then rows hold its raw inputs, not the model's features).
    public let hasPipeline: Bool
    let featureIndex: [String: Int]
    /// The feature names as bytes when every input is a numeric feature and
    /// there is no pipeline: request rows can then be read straight into
    /// row-major values (`FastScoreDecoding`, `score(_ batch:)`); nil otherwise.
    let numericFeatureBytes: [[UInt8]]?
    /// The model as a binary booster (scored straight from row-major request rows
    /// through its compiled trees, see `score(rows:)`), else nil.
    let booster: GradientBoosting?

    /// Reads, checks and decodes `path`. Kinds beyond the core's built-in ones
    /// register themselves here (the server links no Lua binding).
    public init(path: String) throws {
        ModelRegistry.register(MLPClassifier.self)
        let (m, contents) = try ModelFile.loadModel(path)
        model = m
        metadata = contents.metadata
        kind = contents.header.kind
        self.path = path
        let sha = Hex.encode(try SHA256.hashFile(atPath: path))
        version = metadata.extra["version"] ?? "\(kind)-\(sha.prefix(12))"
        scoreResponsePrefix = "{\"model_version\":\(JSONText.string(version)),\"results\":["
        hasPipeline = metadata.preprocessing != nil
        var idx: [String: Int] = [:]
        for (i, f) in metadata.features.enumerated() { idx[f.name] = i }
        featureIndex = idx
        numericFeatureBytes = !hasPipeline && metadata.features.allSatisfy { $0.type == .numeric }
            ? metadata.features.map { Array($0.name.utf8) } : nil
        booster = (m as? GradientBoosting).flatMap { $0.objective == .binary ? $0 : nil }
        // Compile the trees now, not on the first request.
        _ = try booster?.predictProba(rowMajor: UnsafeBufferPointer(start: nil, count: 0), nrow: 0)
    }

    public var featureNames: [String] { metadata.featureNames }

    /// One scored row.
    public struct Scored: Sendable {
        public let probability: Double
        public let reasons: [(feature: String, contribution: Double)]
    }

    /// Scores a frame holding the model's inputs; reasons are the (up to) three
    /// features pushing the score up most (positive contributions, largest first).
    public func score(_ frame: Frame, reasons wantReasons: Bool) throws -> [Scored] {
        try ScoringModel.oneThreadForSmall(frame.nrow) {
            try score(try model.features(from: frame, metadata: metadata), reasons: wantReasons)
        }
    }

    /// Scores numeric feature columns in the model's feature order (models with
    /// `numericFeatureBytes` only): the matrix is built without a frame.
    func score(columns: [[Double]], reasons wantReasons: Bool) throws -> [Scored] {
        try ScoringModel.oneThreadForSmall(columns.first?.count ?? 0) {
            try score(try FeatureMatrix(names: featureNames, features: columns.map { .numeric($0) }), reasons: wantReasons)
        }
    }

    /// Scores a fast-decoded request (`numericFeatureBytes` models): a booster without reasons,
    /// below `parallelRows` rows, straight from the row-major values on this thread (no columns,
    /// no matrix); anything else by columns.
    func score(_ batch: FastScoreDecoding.Batch) throws -> [Scored] {
        if !batch.reasons, batch.nrow < ScoringModel.parallelRows, let b = booster,
           let p = try batch.values.withUnsafeBufferPointer({ try b.predictProba(rowMajor: $0, nrow: batch.nrow) }) {
            return p.map { Scored(probability: $0, reasons: []) }
        }
        return try score(columns: batch.columns, reasons: batch.reasons)
    }

    /// A request's rows are scored on the thread serving it: the server runs
    /// requests in parallel already, and waking the worker pool for a few rows
    /// costs more than it saves (and serialises concurrent requests on the pool).
    private static func oneThreadForSmall<R>(_ rows: Int, _ body: () throws -> R) rethrows -> R {
        try Parallel.withThreads(rows < parallelRows ? 1 : nil, body)
    }

    /// Requests of this many rows and more are scored on the worker pool.
    static let parallelRows = 4096

    private func score(_ X: FeatureMatrix, reasons wantReasons: Bool) throws -> [Scored] {
        let p = try model.predictProba(X)
        var reasons = [[(feature: String, contribution: Double)]](repeating: [], count: p.count)
        if wantReasons, let e = try model.explanation(X) {
            for r in 0..<p.count {
                var best: [(String, Double)] = []
                for (j, name) in e.featureNames.enumerated() {
                    let c = e.contributions[j][r]
                    guard c > 0, c.isFinite else { continue }
                    if best.count < 3 { best.append((name, c)); best.sort { $0.1 > $1.1 } }
                    else if c > best[2].1 { best[2] = (name, c); best.sort { $0.1 > $1.1 } }
                }
                reasons[r] = best.map { (feature: $0.0, contribution: $0.1) }
            }
        }
        return (0..<p.count).map { Scored(probability: p[$0], reasons: reasons[$0]) }
    }
}

/// The model being served, swapped atomically on reload: a request takes the
/// current value once and finishes with it, so a reload drops no request.
public final class ModelSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ScoringModel
    public init(_ m: ScoringModel) { value = m }
    public var current: ScoringModel { lock.withLock { value } }
    /// Loads the same path again; on any error the old model stays.
    @discardableResult
    public func reload() throws -> ScoringModel {
        let fresh = try ScoringModel(path: current.path)
        lock.withLock { value = fresh }
        return fresh
    }
}

/// Probability thresholds naming risk tiers (highest first); below all: `lowest`.
public struct TierScheme: Sendable {
    public let thresholds: [(name: String, min: Double)]
    public let lowest: String
    public static let standard = TierScheme(thresholds: [("high", 0.7), ("medium", 0.4)], lowest: "low")

    public init(thresholds: [(name: String, min: Double)], lowest: String) {
        self.thresholds = thresholds.sorted { $0.min > $1.min }; self.lowest = lowest
    }

    /// Parses "high=0.7,medium=0.4[,low]" (a last bare name renames the lowest tier).
    public init(parsing text: String) throws {
        var t: [(String, Double)] = [], lowest = "low"
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for (k, p) in parts.enumerated() {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 1, k == parts.count - 1, !kv[0].isEmpty { lowest = kv[0]; continue }
            guard kv.count == 2, !kv[0].isEmpty, let v = Double(kv[1]), v.isFinite, v > 0, v <= 1 else {
                throw StateFileError("--tiers: '\(p)' is not name=threshold with a threshold in (0, 1]")
            }
            t.append((kv[0], v))
        }
        guard !t.isEmpty else { throw StateFileError("--tiers: no name=threshold given") }
        guard Set(t.map(\.0) + [lowest]).count == t.count + 1 else { throw StateFileError("--tiers: a tier name repeats") }
        self.init(thresholds: t, lowest: lowest)
    }

    public func tier(_ p: Double) -> String {
        for t in thresholds where p >= t.min { return t.name }
        return lowest
    }
}
