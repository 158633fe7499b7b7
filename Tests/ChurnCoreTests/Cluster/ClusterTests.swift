import XCTest
@testable import ChurnCore

/// k-means, silhouette and PCA against scikit-learn 1.9.1 (numpy 2.4.6); the
/// values come from scripts/reference/cluster_reference.py on the same
/// integer-formula data (`ClusterTests.data`).
final class ClusterTests: XCTestCase {
    /// x[i][j] = 2·u(i, j) + 4·[i % 3 == j % 3] + 0.5·j, u from an integer hash (exact in both languages).
    static func data(_ n: Int = 300, _ d: Int = 4) throws -> ClusterData {
        var x: [Double] = []
        for i in 0..<n {
            for j in 0..<d {
                let u = Double((i * 2654435761 + j * 40503) % 10007) / 10007
                x.append(2 * u + (i % 3 == j % 3 ? 4 : 0) + 0.5 * Double(j))
            }
        }
        return try ClusterData(n: n, d: d, x: x, names: (1...d).map { "x\($0)" })
    }

    func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    func testKMeansMatchesScikitLearnFromGivenCentres() throws {
        let X = try Self.data()
        // k = 3, init = rows 1-3: sklearn inertia 404.2843432009903, n_iter 2.
        var o = KMeansOptions(k: 3)
        o.initMethod = .centers(Array(X.x[0..<12]))
        var m = try KMeans.fit(X, o)
        XCTAssertLessThan(rel(m.inertia, 404.2843432009903), 1e-12)
        XCTAssertEqual(m.nIter, 2)
        let c3: [Double] = [5.005210352753073, 1.5001438992705105, 1.9950774457879485, 6.490010992305387,
                            0.9963565504147096, 5.491290096932147, 2.006223643449585, 2.481157189967024,
                            1.0075027480763465, 1.5024362945937846, 5.997369841111221, 2.51230338762866]
        for (a, b) in zip(m.centers, c3) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(Array(m.labels.prefix(10)), [0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
        // k = 5, init = rows 1-5: sklearn inertia 311.12075173763947, n_iter 5.
        o = KMeansOptions(k: 5)
        o.initMethod = .centers(Array(X.x[0..<20]))
        m = try KMeans.fit(X, o)
        XCTAssertLessThan(rel(m.inertia, 311.12075173763947), 1e-12)
        XCTAssertEqual(m.nIter, 5)
        XCTAssertEqual(Array(m.labels.prefix(10)), [0, 1, 2, 3, 4, 2, 0, 4, 2, 0])
        XCTAssertEqual(m.centers[12], 5.368949143007302, accuracy: 1e-12)
        // predict on the training rows reproduces labels and inertia.
        let p = try m.predict(X)
        XCTAssertEqual(p.labels, m.labels)
        XCTAssertLessThan(rel(p.inertia, m.inertia), 1e-12)
    }

    func testKMeansPlusPlusIsSeededAndFindsTheStructure() throws {
        let X = try Self.data()
        var o = KMeansOptions(k: 3)
        o.seed = 7
        let a = try KMeans.fit(X, o), b = try KMeans.fit(X, o)
        XCTAssertEqual(a.centers, b.centers)
        // The three blobs: the optimum found from the true centres (sklearn 404.2843432009903).
        XCTAssertLessThan(rel(a.inertia, 404.2843432009903), 1e-9)
        o.nInit = 5; o.initMethod = .random
        XCTAssertLessThanOrEqual(try KMeans.fit(X, o).inertia, 404.2843432009903 * (1 + 1e-12))
        XCTAssertThrowsError(try KMeans.fit(X, KMeansOptions(k: 301)))
    }

    func testElkanGivesLloydsResult() throws {
        let X = try Self.data()
        for k in [3, 5] {
            var o = KMeansOptions(k: k)
            o.initMethod = .centers(Array(X.x[0..<(4 * k)]))
            let lloyd = try KMeans.fit(X, o)
            o.algorithm = .elkan
            let elkan = try KMeans.fit(X, o)
            XCTAssertEqual(elkan.centers, lloyd.centers)   // same sums in the same order: bit-identical
            XCTAssertEqual(elkan.labels, lloyd.labels)
            XCTAssertEqual(elkan.nIter, lloyd.nIter)
            XCTAssertEqual(elkan.inertia, lloyd.inertia)
        }
        // k-means++ start, several runs: identical too.
        var o = KMeansOptions(k: 6); o.nInit = 3; o.seed = 11
        let a = try KMeans.fit(X, o)
        o.algorithm = .elkan
        XCTAssertEqual(try KMeans.fit(X, o).centers, a.centers)
    }

    func testMiniBatchIsSeededAndNearTheOptimum() throws {
        let X = try Self.data()
        var o = MiniBatchKMeansOptions(k: 3)
        o.batchSize = 64; o.seed = 2
        let a = try MiniBatchKMeans.fit(X, o), b = try MiniBatchKMeans.fit(X, o)
        XCTAssertEqual(a.centers, b.centers)
        XCTAssertLessThan(a.inertia, 404.2843432009903 * 1.02)
        XCTAssertEqual(try a.predict(X).labels, a.labels)
        o.batchSize = 0
        XCTAssertThrowsError(try MiniBatchKMeans.fit(X, o))
    }

    func testEmptyClusterIsRelocated() throws {
        // Two far-apart points duplicated as centres: one cluster starts empty.
        let X = try ClusterData(n: 4, d: 1, x: [0, 0.1, 10, 10.1], names: ["x"])
        var o = KMeansOptions(k: 3)
        o.initMethod = .centers([0, 0, 10])
        let m = try KMeans.fit(X, o)
        XCTAssertEqual(Set(m.labels).count, 3)
        // Best 3-clustering of {0, 0.1, 10, 10.1} leaves one pair together: inertia 0.005.
        XCTAssertEqual(m.inertia, 0.005, accuracy: 1e-12)
    }

    func testSilhouetteMatchesScikitLearn() throws {
        let X = try Self.data()
        var o = KMeansOptions(k: 3)
        o.initMethod = .centers(Array(X.x[0..<12]))
        let m = try KMeans.fit(X, o)
        XCTAssertLessThan(rel(try Silhouette.score(X, labels: m.labels.map(Int.init)), 0.7710805347585366), 1e-12)
        o = KMeansOptions(k: 5)
        o.initMethod = .centers(Array(X.x[0..<20]))
        let m5 = try KMeans.fit(X, o)
        XCTAssertLessThan(rel(try Silhouette.score(X, labels: m5.labels.map(Int.init)), 0.5563066601112973), 1e-12)
        // A singleton cluster scores 0 (sklearn 0.5447447572322411 for i % 3 with row 1 alone).
        var lab = (0..<300).map { $0 % 3 }
        lab[0] = 3
        XCTAssertLessThan(rel(try Silhouette.score(X, labels: lab), 0.5447447572322411), 1e-12)
        // Sampled: deterministic for the seed, close to the exact value on well-separated blobs.
        let s1 = try Silhouette.score(X, labels: m.labels.map(Int.init), sampleSize: 100, seed: 3)
        XCTAssertEqual(s1, try Silhouette.score(X, labels: m.labels.map(Int.init), sampleSize: 100, seed: 3))
        XCTAssertEqual(s1, 0.7710805347585366, accuracy: 0.05)
        XCTAssertThrowsError(try Silhouette.score(X, labels: [Int](repeating: 1, count: 300)))
    }

    func testPCAMatchesScikitLearn() throws {
        let X = try Self.data()
        let p = try PCAModel.fit(X, nComponents: 2)
        for (a, b) in zip(p.explainedVariance, [9.052012476878156, 5.415357891075924]) { XCTAssertLessThan(rel(a, b), 1e-12) }
        for (a, b) in zip(p.explainedVarianceRatio, [0.5805426828459092, 0.34730911017703625]) { XCTAssertLessThan(rel(a, b), 1e-12) }
        let comps = [0.6397848900484108, -0.30561287182154306, -0.29979830323858525, 0.6382766206105285,
                     -0.01445481917503195, -0.7037656277333537, 0.7101984264758303, 0.011099299750438956]
        for (a, b) in zip(p.components, comps) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let s = try p.transform(X)
        XCTAssertEqual(s[0], 3.6394005411582953, accuracy: 1e-11)
        XCTAssertEqual(s[1], 0.04957256154862161, accuracy: 1e-11)
        XCTAssertEqual(s[598], -1.6276057260702228, accuracy: 1e-11)
        XCTAssertEqual(s[599], 2.908566477062105, accuracy: 1e-11)
        XCTAssertThrowsError(try PCAModel.fit(X, nComponents: 5))
    }

    func testNonFiniteInputIsRefusedWithItsPlace() throws {
        XCTAssertThrowsError(try ClusterData(n: 2, d: 2, x: [1, 2, .nan, 4], names: ["a", "b"])) { e in
            XCTAssertTrue("\(e)".contains("'a' row 2"), "\(e)")
        }
    }

    /// k-means' tolerance scale, mean over features of the population variance:
    /// numpy `np.mean(np.var(X, axis=0))` = 3.888856008257398 on data(20000, 4)
    /// (scripts/reference style: same integer formula); the chunk moments taken
    /// while converting a frame give exactly the value computed from the matrix.
    func testMeanFeatureVarianceFromFrameAndMatrix() throws {
        let X = try Self.data(20000, 4)
        let v = X.meanFeatureVariance()
        XCTAssertLessThan(rel(v, 3.888856008257398), 1e-13)
        let f = try Frame((0..<4).map { j in Column.float("x\(j + 1)", (0..<X.n).map { X.x[$0 * 4 + j] }) })
        let Y = try ClusterData(frame: f, features: nil)
        XCTAssertNotNil(Y.moments)
        XCTAssertEqual(Y.meanFeatureVariance(), v)
    }
}
