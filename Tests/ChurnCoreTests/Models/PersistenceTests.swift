import XCTest
@testable import ChurnCore

final class PersistenceTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("clm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private func fitted() throws -> (LogisticRegression, FeatureMatrix) {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<800)
        return (try LogisticRegression.fit(X, y, options: .init(penalty: .none)), X)
    }

    func testJSONRoundTripsDoublesBitExactly() throws {
        var rng = SeededRandom(seed: 99)
        var values: [Double] = [-0.0, 0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                                .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                .infinity, -.infinity, 0.1, 1.0 / 3, .pi, 1e-310, 4.9406564584124654e-324]
        while values.count < 20_000 {
            let v = Double(bitPattern: rng.next())
            if !v.isNaN { values.append(v) }
        }
        values += (0..<2000).map { _ in Double(bitPattern: rng.next() & 0x000F_FFFF_FFFF_FFFF) }   // subnormals
        let data = try ModelFile.encoder().encode(values)
        let back = try ModelFile.decoder().decode([Double].self, from: data)
        XCTAssertEqual(back.count, values.count)
        for (a, b) in zip(values, back) where a.bitPattern != b.bitPattern { XCTFail("\(a) came back as \(b)"); break }
        XCTAssertTrue(try ModelFile.decoder().decode([Double].self, from: ModelFile.encoder().encode([Double.nan]))[0].isNaN)
    }

    func testSaveLoadPredictionsBitIdentical() throws {
        let (m, X) = try fitted()
        let p = path("churn.clm")
        try m.save(to: p, metadata: m.metadata(target: "churn", positiveLabel: "yes", negativeLabel: "no"))
        let loaded = try LogisticRegression.load(p)
        let a = try m.predictProba(X), b = try loaded.predictProba(X)
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
        XCTAssertEqual(loaded.coefficientTable(), m.coefficientTable())
        XCTAssertEqual(loaded.info, m.info)
        // Generic loading through the registry, and the metadata.
        let (any, contents) = try ModelFile.loadClassifier(p)
        XCTAssertEqual(try any.predictProba(X).map(\.bitPattern), a.map(\.bitPattern))
        XCTAssertEqual(contents.header.kind, "logistic")
        XCTAssertEqual(contents.header.formatVersion, 1)
        XCTAssertEqual(contents.header.churnlabVersion, ChurnCore.version)
        XCTAssertEqual(contents.metadata.positiveLabel, "yes")
        XCTAssertEqual(contents.metadata.features.last, .init(name: "voice_mail_plan", type: .categorical, levels: ["no", "yes"]))
        // An optional preprocessing payload and extras travel with the model.
        var meta = m.metadata(target: "churn")
        meta.preprocessing = .init(kind: "prep.pipeline/1", data: Data([0, 1, 2, 255]))
        meta.extra["trained_by"] = "analyst"
        try m.save(to: path("prep.clm"), metadata: meta)
        XCTAssertEqual(try ModelFile.read(path("prep.clm")).metadata, meta)
        try FileManager.default.removeItem(atPath: path("prep.clm"))
        // No temporary files left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["churn.clm"])
        // Writing is deterministic.
        try m.save(to: path("again.clm"), metadata: m.metadata(target: "churn", positiveLabel: "yes", negativeLabel: "no"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: p)), try Data(contentsOf: URL(fileURLWithPath: path("again.clm"))))
    }

    func testLayoutOnDisk() throws {
        let (m, _) = try fitted()
        let bytes = [UInt8](try ModelFile.encode(kind: "logistic", payload: m, metadata: m.metadata()))
        XCTAssertEqual(Array(bytes[0..<8]), [0x89, 0x43, 0x4C, 0x4D, 0x4F, 0x44, 0x0D, 0x0A])
        XCTAssertEqual(Array(bytes[8..<12]), [1, 0, 0, 0])
        let h = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        let header = try JSONSerialization.jsonObject(with: Data(bytes[16..<(16 + h)])) as! [String: Any]
        XCTAssertEqual(header["kind"] as? String, "logistic")
        var p = 0
        for k in 0..<8 { p |= Int(bytes[16 + h + k]) << (8 * k) }
        XCTAssertEqual(bytes.count, 24 + h + p + 32)
        XCTAssertEqual(Array(bytes[(24 + h + p)...]), SHA256.hash(Array(bytes[0..<(24 + h + p)])))
    }

    func testClearErrors() throws {
        let (m, X) = try fitted()
        let good = [UInt8](try ModelFile.encode(kind: "logistic", payload: m, metadata: m.metadata()))
        func write(_ b: [UInt8], _ name: String) throws -> String {
            let p = path(name); try Data(b).write(to: URL(fileURLWithPath: p)); return p
        }
        func message(_ p: String) -> String {
            do { _ = try LogisticRegression.load(p); return "no error" } catch { return "\(error)" }
        }
        // Newer format version.
        var newer = good; newer[8] = 3
        XCTAssertTrue(message(try write(newer, "newer.clm")).hasSuffix(
            "model file format 3 is newer than this ChurnLab (supports ≤ 1); upgrade ChurnLab to load it"))
        // Truncated.
        let t = try write(Array(good[0..<(good.count - 100)]), "trunc.clm")
        XCTAssertTrue(message(t).contains("is truncated: \(good.count - 100) bytes, expected \(good.count)"), message(t))
        XCTAssertTrue(message(try write(Array(good[0..<10]), "tiny.clm")).contains("truncated"))
        // One flipped payload bit.
        var flipped = good; flipped[good.count - 200] ^= 0x04
        XCTAssertEqual(message(try write(flipped, "flip.clm")), "model file '\(path("flip.clm"))' is corrupted: SHA-256 checksum mismatch")
        // Not a model file.
        XCTAssertEqual(message(try write(Array("a,b\n1,2\n".utf8), "data.csv")), "'\(path("data.csv"))' is not a ChurnLab model file (wrong magic bytes)")
        XCTAssertEqual(message(path("nope.clm")), "model file '\(path("nope.clm"))' does not exist")
        // Wrong kind and unknown kind.
        let other = try write([UInt8](try ModelFile.encode(kind: "gbdt-from-the-future", payload: [1, 2], metadata: m.metadata())), "other.clm")
        XCTAssertEqual(message(other), "model file '\(other)' holds a 'gbdt-from-the-future' model, not 'logistic'")
        XCTAssertThrowsError(try ModelFile.loadClassifier(other)) { e in
            // Every built-in kind is listed; kinds registered by the Lua binding (mlp, cox, …)
            // join the list once it has loaded, which depends on the order tests run in.
            let text = "\(e)"
            XCTAssertTrue(text.contains("which this ChurnLab cannot load (known: "), text)
            let known = text.split(separator: "(known: ").last.map { $0.dropLast().components(separatedBy: ", ") } ?? []
            XCTAssertTrue(Set(["forest", "gbdt", "logistic", "tree"]).isSubset(of: Set(known)), text)
            XCTAssertEqual(known, known.sorted(), text)
        }
        // Writing into a missing directory.
        XCTAssertThrowsError(try m.save(to: path("no/such/dir/m.clm"))) { e in XCTAssertTrue("\(e)".contains("does not exist")) }
        _ = X
    }

    func testApplyingToFrameWithoutFeaturesListsThem() throws {
        let (m, _) = try fitted()
        let meta = m.metadata()
        let frame = try Frame([.float("account_length", [1, 2]), .float("total_day_minutes", [3, 4])])
        XCTAssertThrowsError(try meta.featureMatrix(from: frame)) { e in
            let s = "\(e)"
            XCTAssertTrue(s.hasPrefix("the frame lacks 11 features the model was fitted on: 'number_vmail_messages', 'total_day_calls'"), s)
            XCTAssertTrue(s.hasSuffix("'international_plan', 'voice_mail_plan'"), s)
        }
        // With all features, categoricals are re-coded to the stored levels and predictions work.
        let full = try LinearTestData.churnFrame()
        let X = try meta.featureMatrix(from: full)
        XCTAssertEqual(try m.predictProba(X).count, 5000)
    }
}
