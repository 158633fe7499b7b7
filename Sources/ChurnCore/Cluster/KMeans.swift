import ExecutionControl
import Foundation

/// How k-means picks its first centres.
public enum KMeansInit: Sendable {
    /// Greedy k-means++ (Arthur & Vassilvitskii, with scikit-learn's
    /// 2 + ⌊ln k⌋ local trials per centre).
    case kmeansPlusPlus
    /// k distinct rows drawn uniformly.
    case random
    /// Given centres, row-major k × d (one run; used to compare with scikit-learn).
    case centers([Double])
}

/// Lloyd's iterations, or Elkan's (the same result with fewer distance computations).
public enum KMeansAlgorithm: String, Sendable {
    case lloyd, elkan
}

/// Options of `KMeans.fit`, named and defaulted as in scikit-learn's `KMeans`.
public struct KMeansOptions: Sendable {
    public var k: Int
    public var initMethod: KMeansInit = .kmeansPlusPlus
    /// Independent runs; the lowest inertia wins. nil = scikit-learn's "auto"
    /// (1 for k-means++ and given centres, 10 for random).
    public var nInit: Int?
    public var maxIter: Int = 300
    /// Relative tolerance: stop when the squared centre shift is at most
    /// `tol` × the mean feature variance (scikit-learn's scaling).
    public var tol: Double = 1e-4
    public var seed: UInt64 = 42
    public var algorithm: KMeansAlgorithm = .lloyd
    public init(k: Int) { self.k = k }
}

/// A fitted k-means model: centres (row-major k × d), the inertia of the
/// training data and its labels (0-based).
public struct KMeansModel: Codable, Sendable {
    public let k: Int
    public let d: Int
    public let features: [String]
    public let centers: [Double]
    public let inertia: Double
    public let nIter: Int
    public let labels: [Int32]

    /// The nearest centre of each row (0-based) and the summed squared distance.
    public func predict(_ data: ClusterData) throws -> (labels: [Int32], inertia: Double) {
        guard data.d == d else { throw ClusterError.invalid("the model was fitted on \(d) features, got \(data.d)") }
        return try KMeans.assign(data, centers)
    }
}

/// Lloyd's k-means, as scikit-learn's `KMeans(algorithm="lloyd")`: the same
/// stopping rule (labels unchanged, or squared centre shift ≤ scaled tol, then
/// one final relabelling), the same empty-cluster relocation (to the points
/// farthest from their centres), so given the same initial centres the inertia
/// matches scikit-learn's. Assignment runs over fixed row chunks in parallel;
/// partial sums combine in chunk order, so results do not depend on threads.
public enum KMeans {
    public static func fit(_ data: ClusterData, _ o: KMeansOptions) throws -> KMeansModel {
        let n = data.n, d = data.d, k = o.k
        guard k >= 1 else { throw ClusterError.invalid("k must be at least 1, got \(k)") }
        guard n >= k else { throw ClusterError.invalid("k = \(k) clusters need at least \(k) rows, got \(n)") }
        guard o.maxIter >= 1 else { throw ClusterError.invalid("max_iter must be at least 1") }
        guard o.tol.isFinite, o.tol >= 0 else { throw ClusterError.invalid("tol must be a finite number >= 0") }
        if case .centers(let c) = o.initMethod, c.count != k * d {
            throw ClusterError.invalid("init centres: expected \(k) × \(d) values, got \(c.count)")
        }
        let runs: Int
        switch o.initMethod {
        case .centers: runs = 1
        case .random: runs = o.nInit ?? 10
        case .kmeansPlusPlus: runs = o.nInit ?? 1
        }
        guard runs >= 1 else { throw ClusterError.invalid("n_init must be at least 1") }
        try ExecutionContext.checkMemory((n * 3 + 2 * k * d) * 8, for: "k-means")
        let tol = o.tol * data.meanFeatureVariance()
        let starts: [[Double]]
        switch o.initMethod {
        case .centers(let c): starts = [c]
        case .random:
            starts = (0..<runs).map { run in
                var rng = SeededRandom(seed: o.seed, stream: UInt64(run))
                return randomInit(data, k, &rng)
            }
        case .kmeansPlusPlus:
            // All runs' starts seeded together (KMeansPlusPlus), each from its own stream.
            var rngs = (0..<runs).map { SeededRandom(seed: o.seed, stream: UInt64($0)) }
            starts = try KMeansPlusPlus.centres(data, k: k, rngs: &rngs)
        }
        var best: KMeansModel?
        for start in starts {
            let m = o.algorithm == .elkan && k > 1
                ? try elkan(data, start, k: k, maxIter: o.maxIter, tol: tol)
                : try lloyd(data, start, k: k, maxIter: o.maxIter, tol: tol)
            if best == nil || m.inertia < best!.inertia { best = m }
        }
        return best!
    }

    static func randomInit(_ data: ClusterData, _ k: Int, _ rng: inout SeededRandom) -> [Double] {
        var idx = Array(0..<data.n)
        // Partial Fisher–Yates: the first k are a uniform sample without replacement.
        for i in 0..<k { idx.swapAt(i, i + rng.below(data.n - i)) }
        var out: [Double] = []
        out.reserveCapacity(k * data.d)
        for i in 0..<k { out += data.x[idx[i] * data.d ..< (idx[i] + 1) * data.d] }
        return out
    }

    /// Nearest centre of every row and the total squared distance.
    static func assign(_ data: ClusterData, _ centers: [Double]) throws -> (labels: [Int32], inertia: Double) {
        let n = data.n, d = data.d, k = centers.count / max(d, 1)
        let kernel = NearestCentre(centers: centers, k: k, d: d)
        var labels = [Int32](repeating: 0, count: n)
        let parts: [Double] = data.x.withUnsafeBufferPointer { x in
            centers.withUnsafeBufferPointer { cb in
                labels.withUnsafeMutableBufferPointer { lb in
                    let lp = lb.baseAddress!
                    return Parallel.mapChunks(n, chunks: ClusterData.chunks(n)) { range in
                        kernel.nearest(x.baseAddress!, rows: range, labels: lp)
                        var s = 0.0
                        for i in range { s += ClusterData.sqDist(x.baseAddress! + i * d, cb.baseAddress! + Int(lp[i]) * d, d) }
                        return s
                    }
                }
            }
        }
        try ExecutionContext.check()
        return (labels, parts.reduce(0, +))
    }

    /// One Lloyd run from `start`.
    static func lloyd(_ data: ClusterData, _ start: [Double], k: Int, maxIter: Int, tol: Double) throws -> KMeansModel {
        let n = data.n, d = data.d
        var centers = start
        var labels = [Int32](repeating: -1, count: n)
        var iterations = 0
        var strict = false
        let chunks = ClusterData.chunks(n)
        for _ in 0..<maxIter {
            iterations += 1
            try ExecutionContext.check()
            let old = labels
            // E-step (the blocked kernel; inertia is computed exactly afterwards) and partial
            // M-step sums per chunk: (sums k×d, counts k), one allocation per chunk.
            let kernel = NearestCentre(centers: centers, k: k, d: d)
            let parts: [([Double], [Double])] = data.x.withUnsafeBufferPointer { x in
                labels.withUnsafeMutableBufferPointer { lb in
                    let lp = lb.baseAddress!
                    return Parallel.mapChunks(n, chunks: chunks) { range in
                        kernel.nearest(x.baseAddress!, rows: range, labels: lp)
                        var sums = [Double](repeating: 0, count: k * d)
                        var counts = [Double](repeating: 0, count: k)
                        sums.withUnsafeMutableBufferPointer { sb in
                            let sp = sb.baseAddress!
                            for i in range {
                                let l = Int(lp[i]), xi = x.baseAddress! + i * d, si = sp + l * d
                                counts[l] += 1
                                for t in 0..<d { si[t] += xi[t] }
                            }
                        }
                        return (sums, counts)
                    }
                }
            }
            let shift = updateCenters(parts, data, &centers, labels: &labels).shift
            if labels == old { strict = true; break }
            if shift <= tol { break }
        }
        let (finalLabels, inertia): ([Int32], Double)
        if strict {
            finalLabels = labels
            inertia = try inertiaOf(data, centers, labels)
        } else {
            (finalLabels, inertia) = try assign(data, centers)
        }
        return KMeansModel(k: k, d: d, features: data.names, centers: centers, inertia: inertia,
                           nIter: iterations, labels: finalLabels)
    }

    /// One centre update shared by Lloyd and Elkan: adds the per-chunk sums and
    /// counts in chunk order (deterministic), relocates empty clusters, moves
    /// each centre to its mean. Returns the total squared shift (the stopping
    /// test) and each centre's distance moved (Elkan's bound update).
    static func updateCenters(_ parts: [([Double], [Double])], _ data: ClusterData, _ centers: inout [Double],
                              labels: inout [Int32]) -> (shift: Double, move: [Double]) {
        let k = centers.count / max(1, data.d), d = data.d
        var sums = [Double](repeating: 0, count: k * d)
        var counts = [Double](repeating: 0, count: k)
        for (s, c) in parts {
            for t in 0..<(k * d) { sums[t] += s[t] }
            for j in 0..<k { counts[j] += c[j] }
        }
        relocateEmpty(data, centers, labels: &labels, sums: &sums, counts: &counts)
        var shift = 0.0
        var next = centers
        var move = [Double](repeating: 0, count: k)
        for j in 0..<k where counts[j] > 0 {
            var m = 0.0
            for t in 0..<d {
                let v = sums[j * d + t] / counts[j]
                let delta = v - centers[j * d + t]
                m += delta * delta
                next[j * d + t] = v
            }
            shift += m
            move[j] = m.squareRoot()
        }
        centers = next
        return (shift, move)
    }

    /// Empty clusters take the points farthest from their current centres
    /// (scikit-learn's `_relocate_empty_clusters_dense`; like it, the labels
    /// are left as they are and fixed by the next assignment).
    static func relocateEmpty(_ data: ClusterData, _ centers: [Double], labels: inout [Int32],
                              sums: inout [Double], counts: inout [Double]) {
        let empty = counts.indices.filter { counts[$0] == 0 }
        if empty.isEmpty { return }
        let d = data.d
        var dist = [(Double, Int)]()
        dist.reserveCapacity(data.n)
        for i in 0..<data.n {
            let l = Int(labels[i])
            var s = 0.0
            for t in 0..<d { let v = data.x[i * d + t] - centers[l * d + t]; s += v * v }
            dist.append((s, i))
        }
        let far = dist.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }.prefix(empty.count)
        for (j, (_, i)) in zip(empty, far) {
            let old = Int(labels[i])
            counts[old] -= 1
            for t in 0..<d { sums[old * d + t] -= data.x[i * d + t] }
            counts[j] = 1
            for t in 0..<d { sums[j * d + t] = data.x[i * d + t] }
        }
    }

    static func inertiaOf(_ data: ClusterData, _ centers: [Double], _ labels: [Int32]) throws -> Double {
        let n = data.n, d = data.d
        let parts: [Double] = data.x.withUnsafeBufferPointer { x in
            centers.withUnsafeBufferPointer { cb in
                Parallel.mapChunks(n, chunks: ClusterData.chunks(n)) { range in
                    var s = 0.0
                    for i in range { s += ClusterData.sqDist(x.baseAddress! + i * d, cb.baseAddress! + Int(labels[i]) * d, d) }
                    return s
                }
            }
        }
        try ExecutionContext.check()
        return parts.reduce(0, +)
    }
}
