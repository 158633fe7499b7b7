import ChurnCore
import Foundation

/// One event as the server receives it.
public struct OnlineEvent: Sendable, Equatable {
    public var user: String
    public var type: String
    /// µs since the epoch, UTC.
    public var time: Int64
    /// NaN when the event has no amount.
    public var amount: Double
    public init(user: String, type: String, time: Int64, amount: Double = .nan) {
        self.user = user; self.type = type; self.time = time; self.amount = amount
    }
    public static func == (a: OnlineEvent, b: OnlineEvent) -> Bool {
        a.user == b.user && a.type == b.type && a.time == b.time && (a.amount == b.amount || (a.amount.isNaN && b.amount.isNaN))
    }
}

/// Per-user online feature state, updated event by event, from which the
/// features `buildFeatures` would compute "as of now" are read off exactly.
///
/// Each user keeps two parts:
/// - the *recent* events (time, type, amount), sorted by time with equal times
///   in arrival order, covering at least the feature horizon (the widest
///   window, twice the widest trend window, the behaviour window) plus a day;
/// - running aggregates of the events that aged out of the horizon: count,
///   first and last time, largest gap, last time per type. Those events can no
///   longer fall in any window, so the aggregates are all the features need of them.
///
/// Window counts, distinct days, per-type counts, amounts, trend, sessions and
/// weekend share are read from the recent part in one pass that mirrors the
/// batch kernel (same order of additions, so amounts sum to the same bits);
/// recency, tenure and gaps combine both parts. An event may arrive out of
/// order as long as it is not older than the user's aged-out events (then it
/// is refused: its effect on gaps could not be undone).
///
/// Not thread-safe: `OnlineStore` serialises access.
public struct OnlineState: Sendable {
    struct User: Sendable {
        var times: [Int64] = []
        var types: [Int32] = []
        var amounts: [Double] = []
        var agedCount = 0
        var agedFirst = Int64.max
        var agedLast = Int64.min
        var agedMaxGap: Int64 = 0
        /// Last aged-out time per type code (sparse).
        var agedLastOfType: [Int32: Int64] = [:]
    }

    public let spec: FeatureSpec
    /// Days kept beyond the horizon before events age out (clock skew margin).
    static let marginDays = 1
    // Internal rather than private: the snapshot codec (`StateSnapshot`) reads and restores them.
    var typeNames: [String] = []
    var typeCode: [String: Int32] = [:]
    var hasAmounts = false
    var users: [String: User] = [:]
    /// Subscription terms per user (see `OnlineSubscriptions.swift`), and the plan table.
    var terms: [String: Terms] = [:]
    var planNames: [String] = []
    var planCode: [String: Int32] = [:]
    /// Whether any term gave an auto-renew flag / a discount (the family then has those columns).
    var hasAutoRenew = false
    var hasDiscount = false
    public internal(set) var termCount = 0
    /// Events held, recent and aged out.
    public internal(set) var eventCount = 0
    var layoutCache: OnlineFeatureLayout?

    /// At most this many distinct event types (each adds feature columns).
    public static let maxTypes = 256

    public init(spec: FeatureSpec) throws {
        try spec.validate()
        self.spec = spec
    }

    public var userCount: Int { users.count }

    /// The feature columns, for the current type table.
    mutating func layout() throws -> OnlineFeatureLayout {
        if let l = layoutCache { return l }
        let l = try OnlineFeatureLayout(spec: spec, typeNames: typeNames, hasAmounts: hasAmounts,
                                        subscriptions: termCount > 0 ? (hasAutoRenew, hasDiscount) : nil)
        layoutCache = l
        return l
    }

    public mutating func featureNames() throws -> [String] { try layout().names }

    /// The index of the plan column (its values are codes into `planNames`), if the layout has one.
    mutating func planColumn() throws -> Int? {
        let l = try layout()
        return l.kinds.firstIndex { $0 == .plan }
    }

    /// Days of history the features need; events older than this (plus a margin) age out.
    public var horizonDays: Int {
        let trend = spec.families.contains(.trend) ? (spec.trendWindows ?? spec.windows).max() ?? 0 : 0
        return max(spec.windows.max() ?? 0, 2 * trend, spec.behaviourWindow)
    }

    /// Why `event` (index `index` in its batch) cannot be added, or nil. `pending`: new types earlier in the batch.
    /// The member at fault (`time` or `type`) and why.
    public func rejection(_ e: OnlineEvent, pendingTypes: Set<String>) -> (member: String, message: String)? {
        if let u = users[e.user], e.time < u.agedLast {
            return ("time", "older than the events this user's state has aged out (before \(DateText.format(micros: u.agedLast)))")
        }
        if typeCode[e.type] == nil, !pendingTypes.contains(e.type), typeNames.count + pendingTypes.count >= OnlineState.maxTypes {
            return ("type", "a new event type beyond the limit of \(OnlineState.maxTypes) distinct types")
        }
        return nil
    }

    /// Adds one event (validated with `rejection` first).
    public mutating func add(_ e: OnlineEvent) {
        let code: Int32
        if let c = typeCode[e.type] { code = c } else {
            code = Int32(typeNames.count); typeNames.append(e.type); typeCode[e.type] = code; layoutCache = nil
        }
        if !e.amount.isNaN && !hasAmounts { hasAmounts = true; layoutCache = nil }
        users[e.user, default: User()].insert(time: e.time, type: code, amount: e.amount)
        eventCount += 1
    }

    /// Moves every user's events older than `now − horizon − margin` into the aged-out aggregates.
    public mutating func age(now: Int64) {
        let cut = now &- Int64(horizonDays + OnlineState.marginDays) &* TimeUnit.microsPerDay
        for k in users.keys { users[k]!.age(before: cut) }
    }

    /// Ages one user; `floor` (when set) caps the cut, so events validated against
    /// the state but not yet applied cannot become older than its aged-out part.
    mutating func age(user: String, now: Int64, floor: Int64? = nil) {
        let cut = now &- Int64(horizonDays + OnlineState.marginDays) &* TimeUnit.microsPerDay
        users[user]?.age(before: min(cut, floor ?? Int64.max))
    }

    /// The user's features as of `asOf` (events strictly before it), in `featureNames()` order,
    /// NaN for null; nil when the user has no event before `asOf`.
    /// `asOf` must not be earlier than the last `age(now:)` (aged-out events are gone from windows).
    public mutating func features(user: String, asOf: Int64) throws -> [Double]? {
        let l = try layout()
        guard let u = users[user], var out = u.features(asOf: asOf, layout: l, typeCount: typeNames.count) else { return nil }
        writeSubscriptionFeatures(user: user, asOf: asOf, layout: l, into: &out)
        return out
    }

    /// Approximate bytes held (for the state-size metric).
    public var storageBytes: Int {
        var b = 0
        for (k, u) in users { b += k.utf8.count + 96 + u.times.count * 20 + u.agedLastOfType.count * 16 }
        for (k, t) in terms { b += k.utf8.count + 160 + t.count * 45 }
        return b
    }
}

extension OnlineState.User {
    mutating func insert(time t: Int64, type: Int32, amount: Double) {
        if times.isEmpty || t >= times[times.count - 1] {
            times.append(t); types.append(type); amounts.append(amount); return
        }
        // After every event at the same time (stable, like the batch sort).
        var lo = 0, hi = times.count
        while lo < hi { let m = (lo + hi) / 2; if times[m] <= t { lo = m + 1 } else { hi = m } }
        times.insert(t, at: lo); types.insert(type, at: lo); amounts.insert(amount, at: lo)
    }

    mutating func age(before cut: Int64) {
        var k = 0
        while k < times.count && times[k] < cut {
            let t = times[k]
            if agedCount == 0 { agedFirst = t } else { agedMaxGap = max(agedMaxGap, t - agedLast) }
            agedLast = t; agedCount += 1
            agedLastOfType[types[k]] = t
            k += 1
        }
        guard k > 0 else { return }
        times.removeFirst(k); types.removeFirst(k); amounts.removeFirst(k)
    }

    /// One pass over the recent events before `asOf`, mirroring `FeatureKernel.run`.
    func features(asOf: Int64, layout L: OnlineFeatureLayout, typeCount: Int) -> [Double]? {
        var hi = 0, top = times.count
        while hi < top { let m = (hi + top) / 2; if times[m] < asOf { hi = m + 1 } else { top = m } }
        let count = agedCount + hi
        guard count > 0 else { return nil }
        let nw = L.windows.count, ntr = L.trendWindows.count
        let day = TimeUnit.microsPerDay
        let cuts = L.windows.map { asOf &- Int64($0) &* day }
        let trendCuts = L.trendWindows.map { asOf &- Int64($0) &* day }
        let trendPrevCuts = L.trendWindows.map { asOf &- 2 &* Int64($0) &* day }
        let behaviourCut = asOf &- Int64(L.behaviourWindow) &* day
        var typeSlot = [Int](repeating: -1, count: typeCount)
        for (i, c) in L.countedTypes.enumerated() where c >= 0 { typeSlot[Int(c)] = i }
        var recencySlot = [Int](repeating: -1, count: typeCount)
        for (i, c) in L.recencyTypes.enumerated() where c >= 0 { recencySlot[Int(c)] = i }

        var cnt = [Int](repeating: 0, count: nw), ad = cnt, amtN = cnt
        var amountSum = [Double](repeating: 0, count: nw)
        var tcnt = [Int](repeating: 0, count: L.countedTypes.count * nw)
        var tCur = [Int](repeating: 0, count: ntr), tPrev = tCur
        var lastOfType = L.recencyTypes.map { $0 >= 0 ? (agedLastOfType[$0] ?? Int64.min) : Int64.min }
        var prevT = Int64.min, prevDay = Int64.min
        var maxGap = agedMaxGap
        var nB = 0, weekendN = 0, nSessions = 0, sessStart: Int64 = 0, sessTotal: Int64 = 0
        let widest = cuts[nw - 1]
        if agedCount > 0 && hi > 0 { maxGap = max(maxGap, times[0] - agedLast) }
        for i in 0..<hi {
            let t = times[i], typ = Int(types[i])
            if t >= widest {
                let d = TimeUnit.day(t)
                let newDay = d != prevDay
                let slot = typeSlot[typ]
                var w = nw - 1
                while w >= 0 && t >= cuts[w] {
                    if cnt[w] == 0 || newDay { ad[w] += 1 }
                    cnt[w] += 1
                    if slot >= 0 { tcnt[slot * nw + w] += 1 }
                    w -= 1
                }
                if L.monetary {
                    let a = amounts[i]
                    if !a.isNaN {
                        var w = nw - 1
                        while w >= 0 && t >= cuts[w] { amountSum[w] += a; amtN[w] += 1; w -= 1 }
                    }
                }
                prevDay = d
            }
            let rs = recencySlot[typ]
            if rs >= 0 { lastOfType[rs] = t }
            for j in 0..<ntr where t >= trendPrevCuts[j] {
                if t >= trendCuts[j] { tCur[j] += 1 } else { tPrev[j] += 1 }
            }
            if i > 0 { maxGap = max(maxGap, t - prevT) }
            if t >= behaviourCut {
                nB += 1
                if TimeUnit.weekday(day: TimeUnit.day(t)) >= 5 { weekendN += 1 }
                if nB == 1 || t - prevT > L.sessionGap {
                    if nB > 1 { sessTotal += prevT - sessStart }
                    nSessions += 1; sessStart = t
                }
            }
            prevT = t
        }
        if nSessions > 0 { sessTotal += prevT - sessStart }
        let first = agedCount > 0 ? agedFirst : times[0]
        let last = hi > 0 ? times[hi - 1] : agedLast
        let dayD = Double(day)
        var out = [Double](repeating: .nan, count: L.names.count)
        if let b = L.base[.activity] { for w in 0..<nw { out[b + w] = Double(cnt[w]); out[b + nw + w] = Double(ad[w]) } }
        if let b = L.base[.types] { for k in 0..<tcnt.count { out[b + k] = Double(tcnt[k]) } }
        if L.monetary, let b = L.base[.monetary] {
            for w in 0..<nw { out[b + w] = amountSum[w]; out[b + nw + w] = amtN[w] > 0 ? amountSum[w] / Double(amtN[w]) : .nan }
        }
        if let b = L.base[.recency] {
            out[b] = Double(asOf - last) / dayD
            for k in 0..<lastOfType.count { let lt = lastOfType[k]; out[b + 1 + k] = lt == Int64.min ? .nan : Double(asOf - lt) / dayD }
        }
        if let b = L.base[.tenure] { out[b] = Double(asOf - first) / dayD }
        if let b = L.base[.trend] {
            for j in 0..<ntr { let c = Double(tCur[j]), q = Double(tPrev[j]); out[b + j] = q > 0 ? c / q : (c == 0 ? 1 : c) }
        }
        if let b = L.base[.gaps] {
            out[b] = count > 1 ? Double(last - first) / Double(count - 1) / dayD : .nan
            out[b + 1] = count > 1 ? Double(maxGap) / dayD : .nan
        }
        if let b = L.base[.sessions] {
            out[b] = Double(nSessions)
            out[b + 1] = nSessions > 0 ? Double(sessTotal) / Double(nSessions) / Double(TimeUnit.microsPerMinute) : .nan
        }
        if let b = L.base[.weekend] { out[b] = nB > 0 ? Double(weekendN) / Double(nB) : .nan }
        return out
    }
}
