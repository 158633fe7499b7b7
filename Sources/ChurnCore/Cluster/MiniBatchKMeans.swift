import ExecutionControl

/// Options of `MiniBatchKMeans.fit` (scikit-learn's `MiniBatchKMeans` names and defaults).
public struct MiniBatchKMeansOptions: Sendable {
    public var k: Int
    public var batchSize = 1024
    /// Passes over the data: the run takes maxIter · n / batchSize steps at most.
    public var maxIter = 100
    /// Stop after this many steps without improving the smoothed batch inertia.
    public var maxNoImprovement = 10
    /// Stop when the squared centre shift of a step is at most tol × mean feature variance (0 = off).
    public var tol = 0.0
    public var seed: UInt64 = 42
    public init(k: Int) { self.k = k }
}

/// Mini-batch k-means (Sculley 2010) as scikit-learn's `MiniBatchKMeans`:
/// k-means++ on a seeded sample of 3 × batch rows, then steps on batches drawn
/// with replacement; each centre moves to the running mean of every row ever
/// assigned to it (per-centre learning rate 1/count); stops early when the
/// exponentially weighted batch inertia has not improved for
/// `maxNoImprovement` steps. Unlike scikit-learn there is no random
/// reassignment of rarely-chosen centres. Labels and inertia are computed
/// exactly on all rows at the end. Trades a little inertia for much less work
/// on large tables.
public enum MiniBatchKMeans {
    public static func fit(_ data: ClusterData, _ o: MiniBatchKMeansOptions) throws -> KMeansModel {
        let n = data.n, d = data.d, k = o.k
        guard k >= 1, n >= k else { throw ClusterError.invalid("k = \(k) clusters need at least \(k) rows, got \(n)") }
        guard o.batchSize >= 1, o.maxIter >= 1, o.maxNoImprovement >= 1 else {
            throw ClusterError.invalid("batch_size, max_iter and max_no_improvement must be at least 1")
        }
        var rng = SeededRandom(seed: o.seed)
        // Initial centres: k-means++ on a sample (without replacement).
        let initSize = min(n, max(3 * o.batchSize, 3 * k))
        var idx = Array(0..<n)
        for i in 0..<initSize { idx.swapAt(i, i + rng.below(n - i)) }
        var sample: [Double] = []
        sample.reserveCapacity(initSize * d)
        for i in idx.prefix(initSize) { sample += data.x[i * d ..< (i + 1) * d] }
        idx = []
        var centers = try KMeansPlusPlus.centres(try ClusterData(n: initSize, d: d, x: sample, names: data.names), k: k, rng: &rng)
        sample = []
        let tol = o.tol > 0 ? o.tol * data.meanFeatureVariance() : 0
        var weight = [Double](repeating: 0, count: k)
        let steps = max(1, Int((Double(o.maxIter) * Double(n) / Double(o.batchSize)).rounded(.down)))
        let alpha = min(1, Double(o.batchSize) * 2 / Double(n + 1))
        var ewa: Double?, ewaMin = Double.infinity, stale = 0, done = 0
        var batch = [Int](repeating: 0, count: o.batchSize)
        var labels = [Int](repeating: 0, count: o.batchSize)
        for step in 0..<steps {
            if step % 16 == 0 { try ExecutionContext.check() }
            done += 1
            for b in 0..<o.batchSize { batch[b] = rng.below(n) }
            var inertia = 0.0
            data.x.withUnsafeBufferPointer { x in
                centers.withUnsafeBufferPointer { cb in
                    for b in 0..<o.batchSize {
                        let xi = x.baseAddress! + batch[b] * d
                        var bj = 0, bd = Double.infinity
                        for j in 0..<k {
                            let dist = ClusterData.sqDist(xi, cb.baseAddress! + j * d, d)
                            if dist < bd { bd = dist; bj = j }
                        }
                        labels[b] = bj; inertia += bd
                    }
                }
            }
            inertia /= Double(o.batchSize)
            // Running means: c ← (c·w + Σ x) / (w + m).
            var sums = [Double](repeating: 0, count: k * d)
            var counts = [Double](repeating: 0, count: k)
            for b in 0..<o.batchSize {
                let j = labels[b]
                counts[j] += 1
                for t in 0..<d { sums[j * d + t] += data.x[batch[b] * d + t] }
            }
            var shift = 0.0
            for j in 0..<k where counts[j] > 0 {
                let w = weight[j] + counts[j]
                for t in 0..<d {
                    let v = (centers[j * d + t] * weight[j] + sums[j * d + t]) / w
                    let delta = v - centers[j * d + t]
                    shift += delta * delta
                    centers[j * d + t] = v
                }
                weight[j] = w
            }
            if step == 0 { continue }
            if tol > 0 && shift <= tol { break }
            let e = ewa.map { $0 * (1 - alpha) + inertia * alpha } ?? inertia
            ewa = e
            if e < ewaMin { ewaMin = e; stale = 0 } else {
                stale += 1
                if stale >= o.maxNoImprovement { break }
            }
        }
        let (finalLabels, inertia) = try KMeans.assign(data, centers)
        return KMeansModel(k: k, d: d, features: data.names, centers: centers, inertia: inertia,
                           nIter: done, labels: finalLabels)
    }
}
