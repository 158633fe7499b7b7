import Foundation
import XCTest
@testable import ChurnCore

/// Helpers shared by the Trees* tests.
enum TreesTestSupport {
    /// Fixtures/mlc_churn.csv as a FeatureMatrix (categoricals: state, area_code,
    /// international_plan, voice_mail_plan with levels sorted like pandas) and churn == "yes".
    static func mlcChurn() throws -> (X: FeatureMatrix, y: [Double]) {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mlc_churn.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"\r")) } }
        let header = lines.removeFirst()
        let cats: Set<String> = ["state", "area_code", "international_plan", "voice_mail_plan"]
        var names: [String] = [], feats: [FeatureValues] = [], y: [Double] = []
        for (j, name) in header.enumerated() {
            let col = lines.map { $0[j] }
            if name == "churn" { y = col.map { $0 == "yes" ? 1 : 0 }; continue }
            names.append(name)
            if cats.contains(name) {
                let levels = Array(Set(col)).sorted()
                var index: [String: Int32] = [:]
                for (k, l) in levels.enumerated() { index[l] = Int32(k) }
                feats.append(.categorical(codes: col.map { index[$0]! }, levels: levels))
            } else {
                feats.append(.numeric(col.map { Double($0)! }))
            }
        }
        return (try FeatureMatrix(names: names, features: feats), y)
    }

    /// The fixed split of the reference scripts: test rows are i % 5 == 4.
    static func split(_ X: FeatureMatrix, _ y: [Double]) -> (FeatureMatrix, [Double], FeatureMatrix, [Double]) {
        let tr = (0..<X.nrow).filter { $0 % 5 != 4 }, te = (0..<X.nrow).filter { $0 % 5 == 4 }
        return (X.take(tr), tr.map { y[$0] }, X.take(te), te.map { y[$0] })
    }

    /// AUC by pairwise comparison (ties count 1/2) — a slow, obviously correct check.
    static func auc(_ s: [Double], _ y: [Double]) -> Double {
        let pos = s.indices.filter { y[$0] == 1 }, neg = s.indices.filter { y[$0] == 0 }
        var wins = 0.0
        for i in pos { for j in neg { wins += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0) } }
        return wins / Double(pos.count * neg.count)
    }

    /// A seeded random matrix: `numeric` numeric features (10% NaN in the first)
    /// and `categorical` features with 5 levels (10% missing), plus a noisy target.
    static func randomData(rows n: Int, numeric: Int, categorical: Int, seed: UInt64) throws -> (FeatureMatrix, [Double]) {
        var rng = SeededRandom(seed: seed)
        var feats: [FeatureValues] = [], names: [String] = []
        var logit = [Double](repeating: 0, count: n)
        for f in 0..<numeric {
            var v = (0..<n).map { _ in rng.normal() }
            for i in 0..<n { logit[i] += (f % 2 == 0 ? 1.0 : -0.7) * v[i] }
            if f == 0 { for i in 0..<n where rng.uniform() < 0.1 { v[i] = .nan; logit[i] += 1.5 } }
            feats.append(.numeric(v)); names.append("x\(f)")
        }
        for f in 0..<categorical {
            let effect = [-1.0, 0.5, 1.2, -0.3, 0.0]
            let c: [Int32] = (0..<n).map { i in
                if rng.uniform() < 0.1 { return -1 }
                let k = Int32(rng.below(5)); logit[i] += effect[Int(k)]; return k
            }
            feats.append(.categorical(codes: c, levels: ["a", "b", "c", "d", "e"])); names.append("c\(f)")
        }
        let y = logit.map { rng.uniform() < 1 / (1 + exp(-$0)) ? 1.0 : 0.0 }
        return (try FeatureMatrix(names: names, features: feats), y)
    }

    /// Runs `body` with `Parallel.threads` set to `k`.
    static func withThreads<T>(_ k: Int, _ body: () throws -> T) rethrows -> T {
        let old = Parallel.threads
        Parallel.threads = k
        defer { Parallel.threads = old }
        return try body()
    }

    /// JSON round trip.
    static func roundTrip<T: Codable>(_ m: T) throws -> T {
        try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(m))
    }
}
