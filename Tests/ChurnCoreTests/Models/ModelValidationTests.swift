import Foundation
import XCTest
@testable import ChurnCore

/// Crafted model files (hostile content, valid SHA-256): each class of defect
/// found by the attack on issue 11 is refused on load with an error naming the
/// file, the tree/node or field, and the defect — before any prediction.
///
/// The model is built by hand so every index is known:
///
///     tree 1:  node 0: tenure <= 12.5 ? node 1 : node 2
///              node 1: leaf -0.5
///              node 2: plan in {annual} ? node 3 : node 4    (bitset word 0)
///              node 3: leaf 0.25
///              node 4: leaf 0.75
///
/// With `CHURNLAB_WRITE_FUZZ_CORPUS=DIR` the crafted files are also written to
/// DIR (that is how `Tests/fuzz/corpus/model_file/` was generated).
final class ModelValidationTests: XCTestCase {
    static let schemaMatrix = try! FeatureMatrix(names: ["tenure", "plan"], features: [
        .numeric([10, 20]), .categorical(codes: [0, 1], levels: ["annual", "monthly"]),
    ])

    static func handTree() -> Tree {
        var t = Tree()
        for (v, c) in [(0.3, 10.0), (-0.5, 4), (0.5, 6), (0.25, 2), (0.75, 4)] { _ = t.addNode(value: v, cover: c) }
        t.setNumericSplit(0, feature: 0, threshold: 12.5, defaultLeft: true, left: 1, right: 2, gain: 3)
        t.setCategoricalSplit(2, feature: 1, leftCodes: [0], defaultLeft: false, left: 3, right: 4, gain: 1)
        return t
    }

    static func gbdt() -> GradientBoosting {
        GradientBoosting(options: GradientBoostingOptions(), schema: TreeInputSchema(schemaMatrix), initScore: 0.1,
                         trees: [handTree()], bestIteration: nil, evalLossHistory: [])
    }

    static let metadata = ModelMetadata(matrix: schemaMatrix, targetName: "churn")

    /// A file holding `payload` (edited JSON) under a valid checksum.
    static func file(kind: String = "gbdt", _ edit: (inout [String: Any]) -> Void = { _ in },
                     header editHeader: (inout [String: Any]) -> Void = { _ in }, version: UInt32 = ModelFile.formatVersion,
                     payload model: some Encodable = gbdt()) throws -> Data {
        let good = try ModelFile.encode(kind: kind, payload: model, metadata: metadata)
        let contents = try ModelFile.decode(good, source: "good")
        var obj = try JSONSerialization.jsonObject(with: contents.payload) as! [String: Any]
        edit(&obj)
        var header = try JSONSerialization.jsonObject(with: ModelFile.encoder().encode(contents.header)) as! [String: Any]
        editHeader(&header)
        return ModelFile.assemble(header: try JSONSerialization.data(withJSONObject: header),
                                  payload: try JSONSerialization.data(withJSONObject: obj), version: version)
    }

    /// Edits node `i` of tree `t` in a payload.
    static func node(_ t: Int, _ i: Int, _ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { obj in
            var trees = obj["trees"] as! [[String: Any]]
            var nodes = trees[t]["nodes"] as! [[String: Any]]
            edit(&nodes[i])
            trees[t]["nodes"] = nodes
            obj["trees"] = trees
        }
    }

    static func tree(_ t: Int, _ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { obj in
            var trees = obj["trees"] as! [[String: Any]]
            edit(&trees[t])
            obj["trees"] = trees
        }
    }

    static let leaf: [String: Any] = ["feature": -1, "left": -1, "right": -1, "defaultLeft": false, "threshold": 0,
                                      "categoryStart": -1, "categoryWords": 0]

    /// Every crafted case: name (corpus file name), bytes, the exact error.
    static func craftedCases() throws -> [(name: String, data: Data, error: String)] {
        let p = "model file 'crafted.clm': "
        return [
            ("feature_out_of_range", try file(node(0, 0) { $0["feature"] = 5 }),
             p + "tree 1 node 0: feature 5 out of range (model has 2 features)"),
            ("feature_huge", try file(node(0, 2) { $0["feature"] = Int32.max }),
             p + "tree 1 node 2: feature 2147483647 out of range (model has 2 features)"),
            ("feature_negative", try file(node(0, 0) { $0["feature"] = -2 }),
             p + "tree 1 node 0: feature -2 is negative (a leaf has feature -1)"),
            ("right_child_out_of_range", try file(node(0, 2) { $0["right"] = 99 }),
             p + "tree 1 node 2: right child 99 out of range (tree has 5 nodes)"),
            ("left_child_negative", try file(node(0, 0) { $0["left"] = -3 }),
             p + "tree 1 node 0: left child -3 is negative"),
            ("leaf_with_children", try file(node(0, 1) { $0["left"] = 3 }),
             p + "tree 1 node 1: leaf has children 3 and -1 (a leaf has -1 and -1)"),
            ("category_bitset_out_of_range", try file(node(0, 2) { $0["categoryStart"] = 7 }),
             p + "tree 1 node 2: category bitset words 7..<8 out of range (tree has 1 words)"),
            ("category_bitset_missing", try file(node(0, 2) { $0["categoryStart"] = -1 }),
             p + "tree 1 node 2: categorical split on feature 1 ('plan') has no category bitset"),
            ("category_bitset_too_long", try file(node(0, 2) { $0["categoryWords"] = 1_000_000 }),
             p + "tree 1 node 2: category bitset words 0..<1000000 out of range (tree has 1 words)"),
            ("numeric_split_with_bitset", try file(node(0, 0) { $0["categoryStart"] = 0; $0["categoryWords"] = 1 }),
             p + "tree 1 node 0: numeric split on feature 0 ('tenure') has a category bitset"),
            ("short_value_array", try file(tree(0) { $0["value"] = [0.3, -0.5, 0.5, 0.25] }),
             p + "tree 1 value: has 4 entries, expected 5 (one per node)"),
            ("short_cover_array", try file(tree(0) { $0["cover"] = [10] }),
             p + "tree 1 cover: has 1 entry, expected 5 (one per node)"),
            ("empty_tree", try file(tree(0) { $0["nodes"] = []; $0["value"] = []; $0["cover"] = []; $0["gain"] = [] }),
             p + "tree 1: has no nodes (a tree needs at least a root leaf)"),
            ("cycle_to_root", try file(node(0, 2) { $0["right"] = 0 }),
             p + "tree 1 node 2: child 0 points back up the tree (cycle)"),
            ("self_loop", try file(node(0, 2) { $0["left"] = 2 }),
             p + "tree 1 node 2: child 2 points back up the tree (cycle)"),
            ("shared_child", try file(node(0, 2) { $0["left"] = 1 }),
             p + "tree 1 node 2: child 1 is already the child of another node (cycle or shared subtree)"),
            ("unreachable_nodes", try file(node(0, 2) { $0 = leaf }),
             p + "tree 1 node 3: unreachable from the root"),
            ("nan_threshold", try file(node(0, 0) { $0["threshold"] = "nan" }),
             p + "tree 1 node 0: threshold is NaN"),
            ("nan_leaf_value", try file(tree(0) { $0["value"] = [0.3, "nan", 0.5, 0.25, 0.75] }),
             p + "tree 1 node 1: leaf value nan must be finite"),
            ("infinite_leaf_value", try file(tree(0) { $0["value"] = [0.3, -0.5, 0.5, 0.25, "inf"] }),
             p + "tree 1 node 4: leaf value inf must be finite"),
            ("negative_cover", try file(tree(0) { $0["cover"] = [10, 4, -6, 2, 4] }),
             p + "tree 1 node 2: cover -6.0 must be finite and ≥ 0"),
            ("nan_init_score", try file { $0["initScore"] = "nan" },
             p + "initScore: is nan; must be finite"),
            ("schema_lengths_inconsistent", try file { o in
                var s = o["schema"] as! [String: Any]; s["isCategorical"] = [false]; o["schema"] = s },
             p + "schema isCategorical: has 1 entry, expected 2 (one per feature)"),
            ("schema_duplicate_level", try file { o in
                var s = o["schema"] as! [String: Any]; s["levels"] = [[], ["annual", "annual"]]; o["schema"] = s },
             p + "schema feature 'plan' levels: 'annual' appears twice"),
            ("best_iteration_out_of_range", try file { $0["bestIteration"] = 40 },
             p + "bestIteration: is 40; must be in 0..<1 (one of the model's trees)"),
            ("header_version_mismatch", try file(header: { $0["formatVersion"] = 7 }),
             p + "header says format version 7 but the file is version 1"),
            ("unknown_payload_encoding", try file(header: { $0["payloadEncoding"] = "msgpack" }),
             p + "unknown payload encoding 'msgpack' (this ChurnLab reads 'json')"),
            ("newer_format_version", try file(version: 2),
             "model file 'crafted.clm': model file format 2 is newer than this ChurnLab (supports ≤ 1); upgrade ChurnLab to load it"),
            ("metadata_duplicate_feature", try file(header: { h in
                var m = h["metadata"] as! [String: Any]
                m["features"] = [["name": "tenure", "type": "numeric"], ["name": "tenure", "type": "numeric"]]
                h["metadata"] = m }),
             p + "metadata features: 'tenure' appears twice"),
        ]
    }

    func testEveryCraftedTreeFileIsRefusedWithItsExactError() throws {
        for c in try Self.craftedCases() {
            XCTAssertThrowsError(try ModelFile.decode(c.data, source: "crafted.clm").decode(GradientBoosting.self, kind: "gbdt"), c.name) {
                XCTAssertEqual("\($0)", c.error, c.name)
            }
        }
    }

    /// The untouched hand-made model loads and predicts the hand-computed values:
    /// row 1 (tenure 10) → leaf -0.5; row 2 (tenure 20, plan monthly) → right of node 2 → leaf 0.75.
    func testValidHandMadeModelLoadsAndPredicts() throws {
        let m = try ModelFile.decode(try Self.file(), source: "ok.clm").decode(GradientBoosting.self, kind: "gbdt")
        let raw = try m.predictRaw(Self.schemaMatrix)
        XCTAssertEqual(raw[0], 0.1 - 0.5, accuracy: 1e-15)
        XCTAssertEqual(raw[1], 0.1 + 0.75, accuracy: 1e-15)
    }

    func testForestAndSingleTreeUseTheSameTreeChecks() throws {
        let schema = TreeInputSchema(Self.schemaMatrix)
        let forest = RandomForest(options: RandomForestOptions(), schema: schema, trees: [Self.handTree(), Self.handTree()],
                                  oobAUC: 0.8, oobAccuracy: 0.7)
        let data = try Self.file(kind: "forest", Self.node(1, 0) { $0["right"] = 40 }, payload: forest)
        XCTAssertThrowsError(try ModelFile.decode(data, source: "f.clm").decode(RandomForest.self, kind: "forest")) {
            XCTAssertEqual("\($0)", "model file 'f.clm': tree 2 node 0: right child 40 out of range (tree has 5 nodes)")
        }
        let empty = try Self.file(kind: "forest", { $0["trees"] = [Any]() }, payload: forest)
        XCTAssertThrowsError(try ModelFile.decode(empty, source: "f.clm").decode(RandomForest.self, kind: "forest")) {
            XCTAssertEqual("\($0)", "model file 'f.clm': trees: a forest needs at least one tree")
        }
        let auc = try Self.file(kind: "forest", { $0["oobAUC"] = "nan" }, payload: forest)
        XCTAssertThrowsError(try ModelFile.decode(auc, source: "f.clm").decode(RandomForest.self, kind: "forest")) {
            XCTAssertEqual("\($0)", "model file 'f.clm': oobAUC: is nan; must be in [0, 1]")
        }
        let single = DecisionTree(options: DecisionTreeOptions(), schema: schema, tree: Self.handTree())
        let cyc = try Self.file(kind: "tree", { o in
            var t = o["tree"] as! [String: Any]; var n = t["nodes"] as! [[String: Any]]
            n[2]["left"] = 0; t["nodes"] = n; o["tree"] = t }, payload: single)
        XCTAssertThrowsError(try ModelFile.decode(cyc, source: "t.clm").decode(DecisionTree.self, kind: "tree")) {
            XCTAssertEqual("\($0)", "model file 't.clm': tree 1 node 2: child 0 points back up the tree (cycle)")
        }
    }

    /// A chain deeper than `Tree.maxLoadableDepth` (TreeSHAP would need O(depth²) memory per thread).
    func testOverDeepTreeIsRefused() throws {
        var t = Tree()
        let depth = Tree.maxLoadableDepth + 1
        for _ in 0...(2 * depth) { _ = t.addNode(value: 0, cover: 1) }
        for d in 0..<depth { t.setNumericSplit(2 * d, feature: 0, threshold: Double(d), defaultLeft: true, left: 2 * d + 2, right: 2 * d + 1, gain: 0) }
        let m = GradientBoosting(options: GradientBoostingOptions(), schema: TreeInputSchema(Self.schemaMatrix), initScore: 0,
                                 trees: [t], bestIteration: nil, evalLossHistory: [])
        XCTAssertThrowsError(try m.validate()) {
            XCTAssertEqual("\($0)", "tree 1 node \(2 * Tree.maxLoadableDepth): tree deeper than \(Tree.maxLoadableDepth) levels")
        }
    }

    // MARK: logistic regression

    private func logistic() throws -> LogisticRegression {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<400)
        return try LogisticRegression.fit(X, y, options: .init(penalty: .none))
    }

    private func logisticFile(_ m: LogisticRegression, _ edit: @escaping (inout [String: Any]) -> Void) throws -> Data {
        let good = try ModelFile.encode(kind: "logistic", payload: m, metadata: m.metadata())
        let contents = try ModelFile.decode(good, source: "good")
        var obj = try JSONSerialization.jsonObject(with: contents.payload) as! [String: Any]
        edit(&obj)
        return ModelFile.assemble(header: try ModelFile.encoder().encode(contents.header), payload: try JSONSerialization.data(withJSONObject: obj))
    }

    func testCraftedLogisticFilesAreRefused() throws {
        let m = try logistic()
        let p = m.coef.count
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("short coef", { o in o["coef"] = Array((o["coef"] as! [Any]).dropLast()) },
             "coef: has \(p - 1) entries, expected \(p) (one per design column of the layout)"),
            ("infinite coef", { o in var c = o["coef"] as! [Any]; c[1] = "inf"; o["coef"] = c },
             "coef: entry 2 is inf; must be finite"),
            ("nan intercept", { $0["intercept"] = "nan" }, "intercept: is nan; must be finite"),
            ("zero scale", { o in var c = o["columnScale"] as! [Any]; c[0] = 0; o["columnScale"] = c },
             "columnScale: entry 1 is 0.0; must be finite and > 0"),
            ("short covariance", { o in o["covariance"] = [1.0, 0, 0, 1] },
             "covariance: has 4 entries, expected \((p + 1) * (p + 1)) (a \(p + 1)×\(p + 1) matrix over the coefficients and the intercept)"),
            ("extra column names", { o in o["columnNames"] = (o["columnNames"] as! [Any]) + ["x"] },
             "columnNames: has \(p + 1) entries, expected \(p) (one per design column of the layout)"),
        ]
        for (name, edit, error) in cases {
            let data = try logisticFile(m, edit)
            XCTAssertThrowsError(try ModelFile.decode(data, source: "lr.clm").decode(LogisticRegression.self, kind: "logistic"), name) {
                XCTAssertEqual("\($0)", "model file 'lr.clm': " + error, name)
            }
        }
        // Untouched, it loads and predicts exactly as before.
        let back = try ModelFile.decode(try logisticFile(m) { _ in }, source: "lr.clm").decode(LogisticRegression.self, kind: "logistic")
        XCTAssertEqual(back.coef, m.coef)
    }

    // MARK: preprocessing pipeline

    func testCraftedPreprocessingIsRefusedOnRead() throws {
        let frame = try Frame([Column(name: "tenure", data: .float64([1, 2, 3, 4])), Column(name: "plan", data: .float64([0, 1, 0, 1]))])
        var pipeline = PrepPipeline([.standardScaler(StandardScaler(columns: ["tenure"]))])
        try pipeline.fit(frame)
        var meta = Self.metadata
        try meta.attach(pipeline)
        var json = try JSONSerialization.jsonObject(with: meta.preprocessing!.data) as! [String: Any]
        var steps = json["steps"] as! [[String: Any]]
        var scaler = (steps[0]["standardScaler"] as! [String: Any])["_0"] as! [String: Any]
        scaler["scales"] = [String: Double]()   // fitted column without a scale: transform would force-unwrap nil
        steps[0]["standardScaler"] = ["_0": scaler]
        json["steps"] = steps
        meta.preprocessing!.data = try JSONSerialization.data(withJSONObject: json)
        let bad = try ModelFile.encode(kind: "gbdt", payload: Self.gbdt(), metadata: meta)
        XCTAssertThrowsError(try ModelFile.decode(bad, source: "p.clm")) {
            XCTAssertEqual("\($0)", "model file 'p.clm': preprocessing step 1 (standard_scaler): no scale for fitted column 'tenure'")
        }
    }

    /// Writes the crafted files as the model-file fuzz corpus when asked.
    func testWriteFuzzCorpusWhenAsked() throws {
        guard let dir = ProcessInfo.processInfo.environment["CHURNLAB_WRITE_FUZZ_CORPUS"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.file().write(to: URL(fileURLWithPath: dir + "/valid_gbdt.clm"))
        for c in try Self.craftedCases() { try c.data.write(to: URL(fileURLWithPath: "\(dir)/\(c.name).clm")) }
        let m = try logistic()
        try ModelFile.encode(kind: "logistic", payload: m, metadata: m.metadata()).write(to: URL(fileURLWithPath: dir + "/valid_logistic.clm"))
        let forest = RandomForest(options: RandomForestOptions(), schema: TreeInputSchema(Self.schemaMatrix),
                                  trees: [Self.handTree()], oobAUC: nil, oobAccuracy: nil)
        try Self.file(kind: "forest", payload: forest).write(to: URL(fileURLWithPath: dir + "/valid_forest.clm"))
        // With a fitted preprocessing pipeline, so the fuzzer reaches its checks and `transform`.
        let frame = try Frame([Column(name: "tenure", data: .float64([1, 2, .nan, 40])), Column.string("plan", ["annual", nil, "monthly", "annual"])])
        var pipeline = PrepPipeline([.imputer(Imputer(columns: ["tenure"])), .clip(Clipper.winsorize(columns: ["tenure"])),
                                     .standardScaler(StandardScaler(columns: ["tenure"])), .minMaxScaler(MinMaxScaler(columns: ["tenure"]))])
        try pipeline.fit(frame)
        var meta = Self.metadata
        try meta.attach(pipeline)
        let withPrep = try ModelFile.encode(kind: "gbdt", payload: Self.gbdt(), metadata: meta)
        _ = try ModelFile.decode(withPrep, source: "prep").decode(GradientBoosting.self, kind: "gbdt")
        try withPrep.write(to: URL(fileURLWithPath: dir + "/valid_gbdt_with_pipeline.clm"))
    }
}
