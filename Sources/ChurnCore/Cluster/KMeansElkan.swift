import ExecutionControl

/// Elkan's k-means (Elkan 2003): the same iterations as Lloyd — same
/// assignments, same centre updates summed over the same row chunks, so the
/// same centres, inertia and iteration count — but most distance computations
/// are skipped with the triangle inequality, using an upper bound on each
/// row's distance to its centre and a lower bound to every other centre
/// (n × k doubles). Pays when k is moderate and clusters are well separated.
/// Each iteration is one pass over the rows: the first computes every
/// distance and the first sums together, later ones move the bounds by the
/// centres' last shift as they visit a row (no separate bounds pass).
extension KMeans {
    static func elkan(_ data: ClusterData, _ start: [Double], k: Int, maxIter: Int, tol: Double) throws -> KMeansModel {
        let n = data.n, d = data.d
        try ExecutionContext.checkMemory(n * k * 8 + n * 16, for: "Elkan bounds")
        var centers = start
        var labels = [Int32](repeating: 0, count: n)
        // Written for every row by the first pass before any read.
        var upper = LargeArrays.uninitialized(n), lower = LargeArrays.uninitialized(n * k)
        let ranges = Parallel.ranges(n, chunks: ClusterData.chunks(n))
        let startKernel = NearestCentre(centers: start, k: k, d: d)
        var first = true
        var iterations = 0
        var strict = false
        var cc = [Double](repeating: 0, count: k * k)
        var half = [Double](repeating: 0, count: k)
        // How far each centre moved in the previous update: the bounds follow it
        // at the start of the next pass over the rows (fused, not a pass of its own).
        var move = [Double](repeating: 0, count: k)
        for _ in 0..<maxIter {
            iterations += 1
            try ExecutionContext.check()
            let old = labels
            for a in 0..<k {
                for b in 0..<k where b != a {
                    var s = 0.0
                    for t in 0..<d { let v = centers[a * d + t] - centers[b * d + t]; s += v * v }
                    cc[a * k + b] = 0.5 * s.squareRoot()
                }
                half[a] = (0..<k).filter { $0 != a }.map { cc[a * k + $0] }.min() ?? .infinity
            }
            let parts: [([Double], [Double])] = data.x.withUnsafeBufferPointer { x in
                centers.withUnsafeBufferPointer { cb in
                    labels.withUnsafeMutableBufferPointer { lb in
                        upper.withUnsafeMutableBufferPointer { ub in
                            lower.withUnsafeMutableBufferPointer { lob in
                                let lp = lb.baseAddress!, up = ub.baseAddress!, lo = lob.baseAddress!
                                let exactStart = first
                                return Parallel.mapChunks(n, chunks: ranges.count) { range in
                                    var sums = [Double](repeating: 0, count: k * d)
                                    var counts = [Double](repeating: 0, count: k)
                                    if exactStart {
                                        // The first pass: every distance (the bounds' start), the
                                        // nearest centre, and this iteration's sums in the same pass.
                                        for i in range {
                                            let xi = x.baseAddress! + i * d, li = lo + i * k
                                            startKernel.squaredDistances(xi, into: li)
                                            var bj = 0, bd = Double.infinity
                                            for j in 0..<k {
                                                let dist = li[j].squareRoot()
                                                li[j] = dist
                                                if dist < bd { bd = dist; bj = j }
                                            }
                                            lp[i] = Int32(bj); up[i] = bd
                                            counts[bj] += 1
                                            for t in 0..<d { sums[bj * d + t] += xi[t] }
                                        }
                                        return (sums, counts)
                                    }
                                    for i in range {
                                        let xi = x.baseAddress! + i * d
                                        var l = Int(lp[i])
                                        // Bounds follow the centres' last move.
                                        up[i] += move[l]
                                        for j in 0..<k { lo[i * k + j] = max(lo[i * k + j] - move[j], 0) }
                                        if up[i] > half[l] {
                                            var tight = false
                                            for j in 0..<k where j != l {
                                                if up[i] <= lo[i * k + j] || up[i] <= cc[l * k + j] { continue }
                                                if !tight {
                                                    up[i] = ClusterData.sqDist(xi, cb.baseAddress! + l * d, d).squareRoot()
                                                    lo[i * k + l] = up[i]
                                                    tight = true
                                                    if up[i] <= lo[i * k + j] || up[i] <= cc[l * k + j] { continue }
                                                }
                                                let dj = ClusterData.sqDist(xi, cb.baseAddress! + j * d, d).squareRoot()
                                                lo[i * k + j] = dj
                                                if dj < up[i] { l = j; up[i] = dj }
                                            }
                                            lp[i] = Int32(l)
                                        }
                                        counts[l] += 1
                                        for t in 0..<d { sums[l * d + t] += xi[t] }
                                    }
                                    return (sums, counts)
                                }
                            }
                        }
                    }
                }
            }
            first = false
            let update = KMeans.updateCenters(parts, data, &centers, labels: &labels)
            move = update.move
            if labels == old && iterations > 1 { strict = true; break }
            if update.shift <= tol { break }
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
}
