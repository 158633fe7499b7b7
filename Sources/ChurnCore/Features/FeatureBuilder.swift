/// Features of every user with at least one event strictly before `spec.asOf`,
/// one row per user in ascending user-id order (users first seen at or after
/// `asOf` are absent). The first column is the user id, named like the log's
/// user column. See `FeatureFamily` for the features and their nulls.
///
/// Trend (`trend_<W>d` = events in the last W days ÷ events in the W days
/// before): when the earlier window is empty, 0/0 is 1 (no change) and x/0 is x
/// (the empty window counts as one event), so the value is always finite.
///
/// One pass per user over the events before `asOf` (found by binary search in
/// the user's slice), parallel over users; values never depend on thread count.
public func buildFeatures(_ log: EventLog, _ spec: FeatureSpec, subscriptions: Subscriptions? = nil) throws -> Frame {
    try FeatureBuilder(log: log, spec: spec, subscriptions: subscriptions).build().frame
}

/// Builds features; `build()` also returns the dense user index of each row (for joins).
struct FeatureBuilder {
    let log: EventLog
    let plan: FeaturePlan
    let subs: Subscriptions?
    /// Per log user: its index in `subs` or -1.
    let subIndex: [Int32]

    init(log: EventLog, spec: FeatureSpec, subscriptions: Subscriptions?) throws {
        self.log = log
        plan = try FeaturePlan(spec, log: log, subscriptions: subscriptions)
        subs = subscriptions
        subIndex = try subscriptions.map { try log.users.indices(in: $0.users) } ?? []
    }

    func build() throws -> (frame: Frame, users: [Int32]) {
        let U = log.userCount, asOf = plan.asOf
        // Pass 1: end of each user's pre-asOf slice; rows for users with events.
        var ends = [Int](repeating: 0, count: U)
        log.times.withUnsafeBufferPointer { t in
            ends.withUnsafeMutableBufferPointer { e in
                let eb = e.baseAddress!
                let rs = Parallel.ranges(U, chunks: Parallel.threads * 4)
                Parallel.forEach(U == 0 ? 0 : rs.count) { c in
                    for u in rs[c] { eb[u] = EventLog.lowerBound(t, log.offsets[u], log.offsets[u + 1], asOf) }
                }
            }
        }
        var users: [Int32] = []
        users.reserveCapacity(U)
        for u in 0..<U where ends[u] > log.offsets[u] { users.append(Int32(u)) }
        let n = users.count, K = plan.outputs.count
        // The value matrix and the columns made from it (8 bytes a cell each), checked against the memory budget first.
        let bytes = WorkingMemory.bytes(WorkingMemory.bytes(n, K), 16)
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("features \(n)×\(K)", bytes))
        // Every cell is written by the kernel (each family fills all its columns), so no zero-fill.
        var values = [Double](unsafeUninitializedCapacity: n * K) { _, c in c = n * K }
        var planCodes = [Int32](repeating: -1, count: plan.subscription ? n : 0)
        // Plan parameters flattened so the kernel works on raw pointers only.
        let params = plan.cuts + plan.trendCuts + plan.trendPrevCuts
        let slots = plan.typeSlot + plan.recencySlot
        let amounts = (plan.monetary ? log.amounts : nil) ?? []
        log.times.withUnsafeBufferPointer { T in
        log.types.withUnsafeBufferPointer { Ty in
        amounts.withUnsafeBufferPointer { A in
        log.offsets.withUnsafeBufferPointer { O in
        params.withUnsafeBufferPointer { P in
        slots.withUnsafeBufferPointer { S in
        values.withUnsafeMutableBufferPointer { V in
        planCodes.withUnsafeMutableBufferPointer { PC in
            let k = FeatureKernel(plan: plan, times: T.baseAddress!, types: Ty.baseAddress!,
                                  amounts: plan.monetary ? A.baseAddress : nil, offsets: O.baseAddress!,
                                  params: P.baseAddress!, slots: S.baseAddress!, out: V.baseAddress!, rows: n)
            let rs = Parallel.ranges(n, chunks: Parallel.threads * 8)
            Parallel.forEach(n == 0 ? 0 : rs.count) { c in
                let scratch = FeatureKernel.Scratch(k)
                defer { scratch.free() }
                for r in rs[c] {
                    // Every 256 users: stop early when cancelled (checked again after the join).
                    if r & 255 == 0 && ExecutionContext.isCancelled { return }
                    let u = Int(users[r])
                    k.run(user: u, hi: ends[u], row: r, scratch)
                    if plan.subscription { subscriptionFeatures(user: u, row: r, rows: n, out: V.baseAddress!, planOut: PC.baseAddress!) }
                }
            }
        }}}}}}}}
        try ExecutionContext.check()
        // Columns, converted in parallel (NaN marks null).
        let outputs = plan.outputs
        var cols = [log.users.column(named: log.userColumn, rows: users)]
        cols += Parallel.mapChunks(K, chunks: K) { range -> [Column] in
            range.map { k -> Column in
                let o = outputs[k]
                switch o.kind {
                case .int:
                    var anyNull = false
                    let v = values.withUnsafeBufferPointer { src in
                        [Int64](unsafeUninitializedCapacity: n) { dst, c in
                            for i in 0..<n { let x = src[k * n + i]; if x.isNaN { anyNull = true; dst[i] = 0 } else { dst[i] = Int64(x) } }
                            c = n
                        }
                    }
                    return Column(name: o.name, data: .int64(v), validity: anyNull ? FeatureBuilder.validity(values, k * n, n) : nil)
                case .double:
                    var anyNull = false
                    let v = values.withUnsafeBufferPointer { src in
                        [Double](unsafeUninitializedCapacity: n) { dst, c in
                            for i in 0..<n { let x = src[k * n + i]; if x.isNaN { anyNull = true; dst[i] = 0 } else { dst[i] = x } }
                            c = n
                        }
                    }
                    return Column(name: o.name, data: .float64(v), validity: anyNull ? FeatureBuilder.validity(values, k * n, n) : nil)
                case .plan:
                    return Column(name: o.name, data: .string(codes: planCodes.map { max($0, 0) }, dictionary: subs!.planNames),
                                  validity: Validity(planCodes.map { $0 >= 0 }))
                }
            }
        }.flatMap { $0 }
        return (try Frame(cols), users)
    }

    private static func validity(_ v: [Double], _ from: Int, _ n: Int) -> Validity {
        var out = Validity(count: n, allValid: true)
        for i in 0..<n where v[from + i].isNaN { out.set(i, false) }
        return out
    }

    /// Subscription features as of `asOf` (see `SubscriptionFeatures`, which the server's
    /// online state uses too); also lowers `tenure_days` to the first term start when that is earlier.
    private func subscriptionFeatures(user u: Int, row r: Int, rows n: Int, out: UnsafeMutablePointer<Double>,
                                      planOut: UnsafeMutablePointer<Int32>) {
        guard let subs, let b = plan.base[.subscription] else { return }
        let su = Int(subIndex[u])
        let v = su >= 0 ? SubscriptionFeatures(subs, terms: subs.offsets[su]..<subs.offsets[su + 1], asOf: plan.asOf) : SubscriptionFeatures()
        planOut[r] = v.plan
        v.write(autoRenew: plan.autoRenew, discount: plan.discount, put: { out[(b + $0) * n + r] = $1 },
                tenure: plan.base[.tenure].map { t in (get: { out[t * n + r] }, set: { out[t * n + r] = $0 }) })
    }
}
