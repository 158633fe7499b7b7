import ExecutionControl

/// Elkan's k-means (Elkan 2003): the same iterations as Lloyd — same
/// assignments, same centre updates summed over the same row chunks, so the
/// same centres, inertia and iteration count — but most distance computations
/// are skipped with the triangle inequality, using an upper bound on each
/// row's distance to its centre and a lower bound to every other centre
/// (n × k doubles). Pays when k is moderate and clusters are well separated.
extension KMeans {
    static func elkan(_ data: ClusterData, _ start: [Double], k: Int, maxIter: Int, tol: Double) throws -> KMeansModel {
        let n = data.n, d = data.d
        try ExecutionContext.checkMemory(n * k * 8 + n * 16, for: "Elkan bounds")
        var centers = start
        var labels = [Int32](repeating: 0, count: n)
        var upper = [Double](repeating: 0, count: n)
        var lower = [Double](repeating: 0, count: n * k)
        let ranges = Parallel.ranges(n, chunks: ClusterData.chunks(n))
        // Exact start: all distances.
        data.x.withUnsafeBufferPointer { x in
            centers.withUnsafeBufferPointer { cb in
                labels.withUnsafeMutableBufferPointer { lb in
                    upper.withUnsafeMutableBufferPointer { ub in
                        lower.withUnsafeMutableBufferPointer { lob in
                            let lp = lb.baseAddress!, up = ub.baseAddress!, lo = lob.baseAddress!
                            let kernel = NearestCentre(centers: start, k: k, d: d)
                            Parallel.forEach(ranges.count) { r in
                                for i in ranges[r] {
                                    let li = lo + i * k
                                    kernel.squaredDistances(x.baseAddress! + i * d, into: li)
                                    var bj = 0, bd = Double.infinity
                                    for j in 0..<k {
                                        let dist = li[j].squareRoot()
                                        li[j] = dist
                                        if dist < bd { bd = dist; bj = j }
                                    }
                                    lp[i] = Int32(bj); up[i] = bd
                                }
                            }
                        }
                    }
                }
            }
        }
        var first = true
        var iterations = 0
        var strict = false
        var cc = [Double](repeating: 0, count: k * k)
        var half = [Double](repeating: 0, count: k)
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
                                let tightStart = first
                                return Parallel.mapChunks(n, chunks: ranges.count) { range in
                                    var sums = [Double](repeating: 0, count: k * d)
                                    var counts = [Double](repeating: 0, count: k)
                                    for i in range {
                                        let xi = x.baseAddress! + i * d
                                        var l = Int(lp[i])
                                        if !tightStart && up[i] > half[l] {
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
            let (shift, move) = KMeans.updateCenters(parts, data, &centers, labels: &labels)
            if labels == old && iterations > 1 { strict = true; break }
            if shift <= tol { break }
            // Bounds follow the centres.
            labels.withUnsafeBufferPointer { lb in
                upper.withUnsafeMutableBufferPointer { ub in
                    lower.withUnsafeMutableBufferPointer { lob in
                        let up = ub.baseAddress!, lo = lob.baseAddress!
                        Parallel.forEach(ranges.count) { r in
                            for i in ranges[r] {
                                up[i] += move[Int(lb[i])]
                                for j in 0..<k { lo[i * k + j] = max(lo[i * k + j] - move[j], 0) }
                            }
                        }
                    }
                }
            }
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
