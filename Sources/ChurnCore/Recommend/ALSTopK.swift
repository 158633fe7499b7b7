/// Batched scoring and top-k for ALS recommendations: a group of users against
/// every item as one single-precision matrix-product kernel, then a top-k per
/// user with a running threshold, so recommending to all users costs little
/// more than the flops of users × items × factors (`implicit` batches too: its
/// recommend-all is one matrix product per block of users and a top-k).
///
/// Item factors are repacked in panels of 8 items, factor-major (panel p,
/// factor a → items 8p…8p+7 as two 4-lane vectors), and each user's factors are
/// broadcast once per group, so the micro-kernel is a 6-user × 8-item outer
/// product per factor held in 12 SSE registers. Items are visited in tiles of
/// `tilePanels` panels whose scores (6 × 512 floats) stay in L1 and feed the
/// top-k at once. A user's scores are summed over factors in order whatever
/// group it lands in, so one user alone and the same user in a batch of any
/// size get the same scores (results never depend on batching or threads).
enum ALSTopK {
    typealias V = SIMD4<Float>
    /// Users per micro-tile.
    static let group = 6
    /// Panels (of 8 items) per item tile.
    static let tilePanels = 64
    /// Above this k a per-user sort of the scores is used instead (the running
    /// top-k insertion is O(k) per hit).
    static let maxK = 256

    /// Item factors (rows of nv vectors) as panels of 8 items, padded items zero.
    static func panels(_ y: [V], items n: Int, f: Int, nv: Int) -> [V] {
        let np = (n + 7) / 8
        var out = [V](repeating: V(), count: np * f * 2)
        out.withUnsafeMutableBufferPointer { ob in
            y.withUnsafeBufferPointer { yb in
                let p = UnsafeMutableRawPointer(ob.baseAddress!).assumingMemoryBound(to: Float.self)
                let src = UnsafeRawPointer(yb.baseAddress!).assumingMemoryBound(to: Float.self)
                for i in 0..<n { for a in 0..<f { p[(i / 8) * f * 8 + a * 8 + i % 8] = src[i * nv * 4 + a] } }
            }
        }
        return out
    }

    /// Scores of six users (broadcast factors `xs`: factor a, user r at xs[a * 6 + r])
    /// for panels p0..<p1 into `tile` (row r at tile + r * stride, item 8(p − p0) + j).
    @inline(__always)
    static func scoreTile(_ panels: UnsafePointer<V>, _ xs: UnsafePointer<V>, f: Int, p0: Int, p1: Int,
                          into tile: UnsafeMutablePointer<Float>, stride: Int) {
        for p in p0..<p1 {
            var a0 = V(), a1 = V(), b0 = V(), b1 = V(), c0 = V(), c1 = V()
            var d0 = V(), d1 = V(), e0 = V(), e1 = V(), h0 = V(), h1 = V()
            var q = panels + p * f * 2, x = xs
            for _ in 0..<f {
                let y0 = q[0], y1 = q[1]
                a0 += x[0] * y0; a1 += x[0] * y1
                b0 += x[1] * y0; b1 += x[1] * y1
                c0 += x[2] * y0; c1 += x[2] * y1
                d0 += x[3] * y0; d1 += x[3] * y1
                e0 += x[4] * y0; e1 += x[4] * y1
                h0 += x[5] * y0; h1 += x[5] * y1
                q += 2; x += 6
            }
            let o = UnsafeMutableRawPointer(tile + (p - p0) * 8), st = stride * 4
            o.storeBytes(of: a0, as: V.self); o.storeBytes(of: a1, toByteOffset: 16, as: V.self)
            o.storeBytes(of: b0, toByteOffset: st, as: V.self); o.storeBytes(of: b1, toByteOffset: st + 16, as: V.self)
            o.storeBytes(of: c0, toByteOffset: 2 * st, as: V.self); o.storeBytes(of: c1, toByteOffset: 2 * st + 16, as: V.self)
            o.storeBytes(of: d0, toByteOffset: 3 * st, as: V.self); o.storeBytes(of: d1, toByteOffset: 3 * st + 16, as: V.self)
            o.storeBytes(of: e0, toByteOffset: 4 * st, as: V.self); o.storeBytes(of: e1, toByteOffset: 4 * st + 16, as: V.self)
            o.storeBytes(of: h0, toByteOffset: 5 * st, as: V.self); o.storeBytes(of: h1, toByteOffset: 5 * st + 16, as: V.self)
        }
    }

    /// Calls `body(r, scores)` for each user of `users` (row indices into `x`,
    /// rows of nv vectors) with its scores for all n items, in groups of six.
    /// `body` may overwrite the scores. For whole-row consumers (`itemScores`).
    static func forEachRow(_ users: [Int], x: UnsafePointer<V>, panels: UnsafePointer<V>, items n: Int, f: Int, nv: Int,
                           _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let np = (n + 7) / 8, stride = np * 8
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: group * stride)
        let xs = UnsafeMutablePointer<V>.allocate(capacity: group * max(f, 1))
        defer { rows.deallocate(); xs.deallocate() }
        var g0 = 0
        while g0 < users.count {
            let gn = min(group, users.count - g0)
            broadcast(users, g0, gn, x: x, nv: nv, f: f, into: xs)
            scoreTile(panels, xs, f: f, p0: 0, p1: np, into: rows, stride: stride)
            for r in 0..<gn { body(g0 + r, rows + r * stride) }
            g0 += group
        }
    }

    /// xs[a * 6 + r] = factor a of user users[g0 + r] (the last user repeated to fill the group).
    @inline(__always)
    static func broadcast(_ users: [Int], _ g0: Int, _ gn: Int, x: UnsafePointer<V>, nv: Int, f: Int, into xs: UnsafeMutablePointer<V>) {
        for r in 0..<group {
            let row = UnsafeRawPointer(x + users[g0 + min(r, gn - 1)] * nv)
            for a in 0..<f { xs[a * group + r] = V(repeating: row.load(fromByteOffset: a &* 4, as: Float.self)) }
        }
    }

    /// The top k items (best first, ties by lower item index; non-finite scores
    /// never chosen) of each user in `users`, skipping each user's `seen` items
    /// (sorted ascending) when given.
    static func topK(_ users: [Int], x: UnsafePointer<V>, panels: UnsafePointer<V>, items n: Int, f: Int, nv: Int, k: Int,
                     seen: ((Int) -> [(Int, Double)])?) -> [(items: [Int], scores: [Float])] {
        let np = (n + 7) / 8, tp = tilePanels
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: group * tp * 8)
        let xs = UnsafeMutablePointer<V>.allocate(capacity: group * max(f, 1))
        let ts = UnsafeMutablePointer<Float>.allocate(capacity: group * k), ti = UnsafeMutablePointer<Int>.allocate(capacity: group * k)
        defer { tile.deallocate(); xs.deallocate(); ts.deallocate(); ti.deallocate() }
        var out: [(items: [Int], scores: [Float])] = []
        out.reserveCapacity(users.count)
        var g0 = 0
        while g0 < users.count {
            let gn = min(group, users.count - g0)
            broadcast(users, g0, gn, x: x, nv: nv, f: f, into: xs)
            let rows = (0..<gn).map { seen?(users[g0 + $0]) ?? [] }
            var cnt = [Int](repeating: 0, count: gn), ptr = [Int](repeating: 0, count: gn)
            var p0 = 0
            while p0 < np {
                let p1 = min(np, p0 + tp)
                scoreTile(panels, xs, f: f, p0: p0, p1: p1, into: tile, stride: tp * 8)
                let lo = p0 * 8, hi = min(n, p1 * 8)
                for r in 0..<gn {
                    let row = tile + r * tp * 8 - lo, seenRow = rows[r]
                    var sp = ptr[r]
                    while sp < seenRow.count && seenRow[sp].0 < hi { row[seenRow[sp].0] = -.infinity; sp += 1 }
                    ptr[r] = sp
                    let s0 = ts + r * k, i0 = ti + r * k
                    var c = cnt[r]
                    var threshold: Float = c == k ? s0[k - 1] : -.infinity
                    for i in lo..<hi {
                        let s = row[i]
                        // Strictly better than the k-th (a tie keeps the lower index, seen first).
                        guard s > threshold || c < k, s.isFinite else { continue }
                        var pos = min(c, k - 1)
                        while pos > 0 && s0[pos - 1] < s { s0[pos] = s0[pos - 1]; i0[pos] = i0[pos - 1]; pos -= 1 }
                        s0[pos] = s; i0[pos] = i
                        if c < k { c += 1 }
                        if c == k { threshold = s0[k - 1] }
                    }
                    cnt[r] = c
                }
                p0 = p1
            }
            for r in 0..<gn { out.append((Array(UnsafeBufferPointer(start: ti + r * k, count: cnt[r])), Array(UnsafeBufferPointer(start: ts + r * k, count: cnt[r])))) }
            g0 += group
        }
        return out
    }
}
