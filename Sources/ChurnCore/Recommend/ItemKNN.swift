import ExecutionControl

/// Popularity baseline: items ranked by the number of distinct users who
/// interacted with them (ties by first appearance).
public struct PopularityRecommender: Sendable {
    public let matrix: InteractionMatrix
    public let counts: [Double]
    /// Item indices by count, highest first (ties by lower index): every user's
    /// list is a prefix of this order minus their seen items.
    let order: [Int]

    public init(_ m: InteractionMatrix) {
        matrix = m
        let c = m.byItem.map { Double($0.count) }
        counts = c
        order = c.indices.sorted { c[$0] != c[$1] ? c[$0] > c[$1] : $0 < $1 }
    }

    /// The k most popular items the user has not seen (when `excludeSeen`), for
    /// known and unknown users alike: the same list as a top-k over `counts`
    /// skipping seen items, in O(k + seen) rather than a pass over every item.
    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation {
        let seen = excludeSeen ? matrix.userIndex[user].map { matrix.byUser[$0] } ?? [] : []
        var top: [Int] = []
        top.reserveCapacity(min(k, order.count))
        for i in order {
            if top.count == k { break }
            if !seen.isEmpty && Self.contains(seen, i) { continue }
            top.append(i)
        }
        return Recommendation(items: top, scores: top.map { counts[$0] }, because: [Int?](repeating: nil, count: top.count))
    }

    /// Whether a row (sorted by item) holds item i (binary search).
    @inline(__always)
    static func contains(_ row: [(Int, Double)], _ i: Int) -> Bool {
        var lo = 0, hi = row.count
        while lo < hi { let mid = (lo + hi) >> 1; if row[mid].0 < i { lo = mid + 1 } else { hi = mid } }
        return lo < row.count && row[lo].0 == i
    }
}

/// Item-to-item collaborative filtering: cosine similarity between item
/// columns of the user × item matrix, Σ_u w_ui w_uj / (‖w_i‖ ‖w_j‖), keeping
/// each item's `neighbours` most similar items (as `implicit`'s
/// CosineRecommender, K = 20 by default); a user's score for item j is
/// Σ over seen items i of w_ui · sim(i, j).
public struct ItemKNNRecommender: Sendable {
    public let matrix: InteractionMatrix
    /// For each item, (neighbour, similarity) best first.
    public let neighbours: [[(Int, Double)]]

    /// Sparse co-occurrence: item i's dot products with every item are summed
    /// over its users' rows only (Σ over users of i of the row, O(Σ_u deg(u)²)
    /// in all, as `implicit`'s sparse product), into a dense accumulator
    /// reset through the list of touched items; the top `k` are kept in a sorted
    /// buffer behind a running threshold rather than sorting every touched item.
    /// The rows are first copied into flat arrays (no per-row array headers in
    /// the inner loop). The pass is bound by fetching users' rows from memory, so
    /// when every weight is 1 (plain implicit feedback) the weights are not read
    /// at all and each product adds exactly 1, as 1 × 1 would.
    public init(_ m: InteractionMatrix, neighbours k: Int = 20) throws {
        guard k >= 1 else { throw ClusterError.invalid("neighbours must be at least 1") }
        let nItems = m.items.count, nUsers = m.users.count
        let norms = m.byItem.map { col in col.reduce(0.0) { $0 + $1.1 * $1.1 }.squareRoot() }
        // Flat CSR by user and CSC by item.
        var uStart = [Int](repeating: 0, count: nUsers + 1), iStart = [Int](repeating: 0, count: nItems + 1)
        for u in 0..<nUsers { uStart[u + 1] = uStart[u] + m.byUser[u].count }
        for i in 0..<nItems { iStart[i + 1] = iStart[i] + m.byItem[i].count }
        try ExecutionContext.checkMemory(uStart[nUsers] * 24, for: "item-kNN co-occurrence")
        let unit = m.byUser.allSatisfy { row in row.allSatisfy { $0.1 == 1 } }
        /// Entries of nested rows, flat (one pass, no per-row arrays).
        func flat<T>(_ rows: [[(Int, Double)]], _ total: Int, _ f: ((Int, Double)) -> T) -> [T] {
            [T](unsafeUninitializedCapacity: total) { b, n in
                var e = 0
                for row in rows { for x in row { (b.baseAddress! + e).initialize(to: f(x)); e += 1 } }
                n = e
            }
        }
        let uItem = flat(m.byUser, uStart[nUsers]) { Int32($0.0) }, iUser = flat(m.byItem, iStart[nItems]) { Int32($0.0) }
        let uW = unit ? [] : flat(m.byUser, uStart[nUsers]) { $0.1 }, iW = unit ? [] : flat(m.byItem, iStart[nItems]) { $0.1 }
        var out = [[(Int, Double)]](repeating: [], count: nItems)
        // Items in blocks of B whose accumulators (B × items counts or doubles, ≤ 1 MiB) stay in L2.
        let B = max(1, min(64, (1 << 20) / ((unit ? 4 : 8) * max(nItems, 1))))
        let nBlocks = (nItems + B - 1) / B
        let blockRanges = Parallel.ranges(nBlocks, chunks: max(1, min(64, nBlocks)))
        out.withUnsafeMutableBufferPointer { ob in
            let op = ob.baseAddress!
            Parallel.forEach(blockRanges.count) { r in
                if ExecutionContext.isCancelled { return }   // the check after the loop throws
                let span = B * nItems
                // Unit weights: Int32 counts (exact, as the sums of 1 × 1 are; half a double's
                // cache) with branch-free first-touch tracking; else double sums and flags.
                let cnt = UnsafeMutablePointer<Int32>.allocate(capacity: unit ? span : 0)
                let acc = UnsafeMutablePointer<Double>.allocate(capacity: unit ? 0 : span)
                let sp = UnsafeMutablePointer<Bool>.allocate(capacity: unit ? 0 : span)
                // One spare slot per item: the branch-free tracking writes one past the last touched.
                let touched = UnsafeMutablePointer<Int32>.allocate(capacity: B * (nItems + 1))
                let ts = UnsafeMutablePointer<Double>.allocate(capacity: k), ti = UnsafeMutablePointer<Int>.allocate(capacity: k)
                if unit { cnt.initialize(repeating: 0, count: span) } else { acc.initialize(repeating: 0, count: span); sp.initialize(repeating: false, count: span) }
                defer { cnt.deallocate(); acc.deallocate(); sp.deallocate(); touched.deallocate(); ts.deallocate(); ti.deallocate() }
                var nt = [Int](repeating: 0, count: B), cur = [Int](repeating: 0, count: B), heap = [UInt64](repeating: 0, count: B)
                uItem.withUnsafeBufferPointer { uib in uW.withUnsafeBufferPointer { uwb in
                iUser.withUnsafeBufferPointer { iub in iW.withUnsafeBufferPointer { iwb in
                uStart.withUnsafeBufferPointer { usb in iStart.withUnsafeBufferPointer { isb in norms.withUnsafeBufferPointer { nb in
                    let ui = uib.baseAddress!, uw = uwb.baseAddress!, iu = iub.baseAddress!, iw = iwb.baseAddress!
                    let us = usb.baseAddress!, istart = isb.baseAddress!, norm = nb.baseAddress!
                    for blk in blockRanges[r] {
                        let i0 = blk * B, nb = min(nItems, i0 + B) - i0
                        // The block's user lists merged by user (a min-heap of user << 32 | local item):
                        // user rows are read in ascending order, once per block for all its items,
                        // and each item still sums its users in ascending order (the same sums).
                        var hn = 0
                        func siftDown(_ start: Int) {
                            var p = start
                            while true {
                                let l = 2 * p + 1
                                if l >= hn { break }
                                let c = l + 1 < hn && heap[l + 1] < heap[l] ? l + 1 : l
                                if heap[c] >= heap[p] { break }
                                heap.swapAt(c, p); p = c
                            }
                        }
                        for li in 0..<nb where istart[i0 + li] < istart[i0 + li + 1] {
                            cur[li] = istart[i0 + li]
                            heap[hn] = UInt64(UInt32(iu[cur[li]])) << 32 | UInt64(li); hn += 1
                        }
                        var h = hn / 2
                        while h > 0 { h -= 1; siftDown(h) }
                        while hn > 0 {
                            let li = Int(heap[0] & 0xFFFF_FFFF), u = Int(heap[0] >> 32)
                            let e = cur[li], lo = us[u], hi = us[u + 1]
                            let t = touched + li * (nItems + 1)
                            var n = nt[li]
                            if unit {
                                let cn = cnt + li * nItems
                                for f in lo..<hi {
                                    let j = Int(ui[f]), c = cn[j]
                                    t[n] = Int32(j)
                                    n &+= c == 0 ? 1 : 0
                                    cn[j] = c &+ 1
                                }
                            } else {
                                let a = acc + li * nItems, s = sp + li * nItems, wu = iw[e]
                                for f in lo..<hi {
                                    let j = Int(ui[f])
                                    if !s[j] { s[j] = true; t[n] = Int32(j); n += 1 }
                                    a[j] += wu * uw[f]
                                }
                            }
                            nt[li] = n
                            cur[li] = e + 1
                            if e + 1 < istart[i0 + li + 1] { heap[0] = UInt64(UInt32(iu[e + 1])) << 32 | UInt64(li) } else { hn -= 1; heap[0] = heap[hn] }
                            siftDown(0)
                        }
                        for li in 0..<nb {
                            let i = i0 + li, t = touched + li * (nItems + 1), base = li * nItems
                            /// Item j's co-occurrence with i, reset for the next block.
                            @inline(__always) func take(_ j: Int) -> Double {
                                if unit { let d = Double(cnt[base + j]); cnt[base + j] = 0; return d }
                                let d = acc[base + j]; acc[base + j] = 0; sp[base + j] = false; return d
                            }
                            // Top k best first (ties: lower index), over the touched items:
                            // a sorted buffer for small k (O(k) per insertion), else one sort.
                            var c = 0
                            let ni = norm[i], count = nt[li]
                            nt[li] = 0
                            if k > 64 {
                                var all: [(Int, Double)] = []
                                for q in 0..<count {
                                    let j = Int(t[q]), d = take(j)
                                    let den = ni * norm[j]
                                    if j != i && d != 0 && den > 0 { all.append((j, d / den)) }
                                }
                                all.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                                op[i] = Array(all.prefix(k))
                                continue
                            }
                            for q in 0..<count {
                                let j = Int(t[q]), d = take(j)
                                let den = ni * norm[j]
                                guard j != i && d != 0 && den > 0 else { continue }
                                let sim = d / den
                                if c == k && !(sim > ts[k - 1] || (sim == ts[k - 1] && j < ti[k - 1])) { continue }
                                var pos = min(c, k - 1)
                                while pos > 0 && (ts[pos - 1] < sim || (ts[pos - 1] == sim && ti[pos - 1] > j)) {
                                    ts[pos] = ts[pos - 1]; ti[pos] = ti[pos - 1]; pos -= 1
                                }
                                ts[pos] = sim; ti[pos] = j
                                if c < k { c += 1 }
                            }
                            op[i] = (0..<c).map { (ti[$0], ts[$0]) }
                        }
                    }
                } } } } } } }
            }
        }
        try ExecutionContext.check()   // cancellation is sticky: a block that stopped early is never used
        matrix = m; neighbours = out
    }

    /// Cosine similarity of two items (0 when not among the kept neighbours).
    public func similarity(_ a: Int, _ b: Int) -> Double { neighbours[a].first { $0.0 == b }?.1 ?? 0 }

    public func recommend(user: String, k: Int, excludeSeen: Bool) -> Recommendation? {
        guard let u = matrix.userIndex[user] else { return nil }
        let row = matrix.byUser[u]
        var scores = [Double](repeating: -.infinity, count: matrix.items.count)
        var best = [Double](repeating: 0, count: matrix.items.count)
        var because = [Int?](repeating: nil, count: matrix.items.count)
        for (i, w) in row {
            for (j, s) in neighbours[i] {
                let c = w * s
                scores[j] = scores[j] == -.infinity ? c : scores[j] + c
                if c > best[j] { best[j] = c; because[j] = i }
            }
        }
        let top = TopN.select(scores, k: k, skip: excludeSeen ? Set(row.map(\.0)) : [])
        return Recommendation(items: top, scores: top.map { scores[$0] }, because: top.map { because[$0] })
    }
}
