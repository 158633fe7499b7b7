import ChurnCore
import Foundation
import FuzzSupport

/// Model file loader, as an attacker edits files: the trailing SHA-256 is
/// recomputed over whatever the input holds, so mutations reach the header
/// and payload checks instead of stopping at the checksum. A model that loads
/// is then used — predictions, explanations, importances, summaries — on a
/// few rows with extreme values, so anything validation lets through must be
/// safe to run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var data = FuzzDriver.data(bytes, count)
    if data.count >= 24 + 32 {
        let body = data.prefix(data.count - 32)
        data = body + SHA256.hash(Data(body))
    }
    FuzzDriver.expectingErrors {
        let contents = try ModelFile.decode(data, source: "fuzz.clm")
        switch contents.header.kind {
        case "logistic": try use(try contents.decode(LogisticRegression.self, kind: "logistic"), contents.metadata)
        case "tree": try use(try contents.decode(DecisionTree.self, kind: "tree"), contents.metadata)
        case "forest": try use(try contents.decode(RandomForest.self, kind: "forest"), contents.metadata)
        case "gbdt": try use(try contents.decode(GradientBoosting.self, kind: "gbdt"), contents.metadata)
        default: break
        }
    }
    return 0
}

/// Extreme numeric values and every category code (plus missing).
private let numbers: [Double] = [-.greatestFiniteMagnitude, -1, 0, 0.5, 1e300, .nan, .infinity]

private func values(categorical levels: [String]?) -> FeatureValues {
    guard let levels else { return .numeric(numbers) }
    let codes = numbers.indices.map { i -> Int32 in levels.isEmpty || i == 0 ? -1 : Int32((i - 1) % levels.count) }
    return .categorical(codes: codes, levels: levels)
}

/// A frame with the metadata's features, for the preprocessing path.
private func frame(_ meta: ModelMetadata) throws -> Frame {
    try Frame(meta.features.map { f in
        f.type == .numeric ? Column(name: f.name, data: .float64(numbers))
            : Column.string(f.name, numbers.indices.map { i in (f.levels ?? []).isEmpty || i == 0 ? nil : f.levels![(i - 1) % f.levels!.count] })
    })
}

private func use(_ m: LogisticRegression, _ meta: ModelMetadata) throws {
    let X = try FeatureMatrix(names: m.layout.features.map(\.name), features: m.layout.features.map { values(categorical: $0.levels) })
    _ = try? m.predictProba(X)
    _ = try? m.contributions(X)
    _ = m.coefficientTable()
    _ = m.summary()
    _ = try? meta.featureMatrix(from: try frame(meta), recode: false)
}

private func useTrees(_ m: some BinaryClassifier, _ schema: TreeInputSchema, _ meta: ModelMetadata,
                      explain: (FeatureMatrix) throws -> TreeExplanation, importance: () -> [Double]) throws {
    let X = try FeatureMatrix(names: schema.names, features: schema.names.indices.map {
        values(categorical: schema.isCategorical[$0] ? schema.levels[$0] : nil)
    })
    _ = try? m.predictProba(X)
    _ = try? explain(X)
    _ = importance()
    _ = "\(m)"
    if let Xm = try? meta.featureMatrix(from: try frame(meta)) { _ = try? m.predictProba(Xm) }
}

private func use(_ m: DecisionTree, _ meta: ModelMetadata) throws {
    try useTrees(m, m.schema, meta, explain: m.explain, importance: { m.importance(.gain) + m.importance(.split) })
}

private func use(_ m: RandomForest, _ meta: ModelMetadata) throws {
    try useTrees(m, m.schema, meta, explain: m.explain, importance: { m.importance(.gain) + m.importance(.split) })
}

private func use(_ m: GradientBoosting, _ meta: ModelMetadata) throws {
    try useTrees(m, m.schema, meta, explain: m.explain, importance: { m.importance(.gain) + m.importance(.split) })
}

@main enum FuzzModelFileMain { static func main() { FuzzDriver.main(fuzzModelFile) } }
