import Foundation

/// Options for `simulatePlatform`.
public struct SimulationOptions: Codable, Sendable, Equatable {
    public var users: Int = 1_000
    public var days: Int = 365
    /// First simulated day, days since 1970-01-01 (default 2024-01-01).
    public var start: Int32 = 19_723
    public var seed: UInt64 = 42
    /// Courses in the catalogue (0: no catalogue and no interactions).
    public var courses: Int = 120
    /// Temporal churn drivers (`TemporalHabits`): a lost daily streak, a broken
    /// weekly rhythm, a return after a gap and a fading trend raise the hazard. Off by default,
    /// so seeded outputs without it are unchanged.
    public var temporal = false

    public init(users: Int = 1_000, days: Int = 365, start: Int32 = 19_723, seed: UInt64 = 42, courses: Int = 120,
                temporal: Bool = false) {
        self.users = users; self.days = days; self.start = start; self.seed = seed; self.courses = courses
        self.temporal = temporal
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        users = try c.decode(Int.self, forKey: .users); days = try c.decode(Int.self, forKey: .days)
        start = try c.decode(Int32.self, forKey: .start); seed = try c.decode(UInt64.self, forKey: .seed)
        courses = try c.decode(Int.self, forKey: .courses)
        temporal = try c.decodeIfPresent(Bool.self, forKey: .temporal) ?? false
    }

    func validate() throws {
        guard users > 0, users <= 50_000_000 else { throw EventError.invalidOption("simulate: users must be 1…50000000, got \(users)") }
        guard days > 0, days <= 20_000 else { throw EventError.invalidOption("simulate: days must be 1…20000, got \(days)") }
        guard courses >= 0, courses <= 100_000 else { throw EventError.invalidOption("simulate: courses must be 0…100000, got \(courses)") }
    }
}

/// The tables of a simulated platform.
public struct SimulatedPlatform: Sendable {
    /// user_id (int), signup (date), channel, device, first_plan (string; "free" when none).
    public let users: Frame
    /// user_id, start (date), end (date, exclusive), plan, price, auto_renew, discount — one row per paid term.
    public let subscriptions: Frame
    /// user_id, ts (timestamp), event, amount (null for events without money) — grouped by user, time-ordered.
    public let events: Frame
    /// course_id, title, topic, level, price (0: free), lessons, description (about a third in Chinese).
    public let courses: Frame
    /// user_id, ts, course_id, action (view, start, finish, purchase, rate), rating (1–5 on rate rows, else null)
    /// — grouped by user, time-ordered; see `TasteState` for how tastes drive them.
    public let interactions: Frame
}

/// The event types the simulator emits, in dictionary order.
public let simulatedEventTypes = ["login", "view_course", "finish_lesson", "purchase", "renew", "comment", "share", "coupon_redeem"]

/// Simulates a knowledge-payment platform (online courses with subscriptions).
///
/// Users sign up over the period (more later: growth). Each has a latent
/// engagement that follows an AR(1) process around a personal level that
/// drifts (most users slowly cool off). Engagement drives daily activity
/// (login, course views, finished lessons, comments, shares), satisfaction
/// (the share of views that finish a lesson), auto-renew choices and one-off
/// purchases. A daily churn hazard rises with low engagement, a falling
/// engagement trajectory, price sensitivity × price and low satisfaction; a
/// churned user stops all activity and does not renew. Monthly (29/month)
/// and annual (199/year) plans, coupons (discount on the first term, with a
/// `coupon_redeem` event), free users who may upgrade.
///
/// A course catalogue (`Catalogue`) and user–course interactions come from
/// latent tastes (`TasteState`): each course view lands on a course, finished
/// lessons on taste-relevant ones, so personal recommenders beat popularity
/// and users who stop finding relevant courses have the low satisfaction
/// that raises their hazard. They draw from streams of their own, so the
/// other tables are the same with or without them.
///
/// `device` has no effect on anything (a noise feature). Deterministic for a
/// seed: user `i` draws from its own stream `SeededRandom(seed:, stream: i)`,
/// so results do not depend on thread count.
public func simulatePlatform(_ o: SimulationOptions) throws -> SimulatedPlatform {
    try o.validate()
    // Chunks of at most 1024 users: each chunk's output (a few MB) is charged
    // to the script's memory budget as soon as it is produced, so a run over
    // the limit stops within a few chunks of it (the final frames need the
    // same again while they are assembled). Cancellation is checked every 64
    // users (a user is ≤ `days` simulated days). Results do not depend on the
    // chunking: user i draws from its own stream.
    let chunks = Parallel.ranges(o.users, chunks: max(1, min(o.users, max(Parallel.threads * 16, o.users / 1024))))
    let catalogue = Catalogue(courses: o.courses, seed: o.seed)
    let working = WorkingMemory()
    defer { working.release() }
    let parts = try Parallel.mapChunksThrowing(o.users, chunks: chunks.count) { range -> SimChunk in
        var c = SimChunk()
        for i in range {
            if (i - range.lowerBound) & 63 == 0 { try ExecutionContext.check() }
            simulateUser(index: i, o, catalogue, into: &c)
        }
        try working.reserve(c.bytes, for: "simulated events")
        return c
    }
    try working.reserve(parts.reduce(0) { $0 + $1.bytes }, for: "simulated frames")
    return try SimChunk.assemble(parts, o, catalogue)
}

/// Output of a range of users, in user order.
struct SimChunk {
    var uSignup: [Int32] = [], uChannel: [Int32] = [], uDevice: [Int32] = [], uPlan: [Int32] = []
    var sUser: [Int64] = [], sStart: [Int32] = [], sEnd: [Int32] = [], sPlan: [Int32] = []
    var sPrice: [Double] = [], sAuto: [Bool] = [], sDiscount: [Double] = []
    var eUser: [Int64] = [], eTime: [Int64] = [], eType: [Int32] = [], eAmount: [Double] = []
    var iUser: [Int64] = [], iTime: [Int64] = [], iCourse: [Int64] = [], iAction: [Int32] = [], iRating: [Double] = []

    /// Bytes held by the arrays (allocated capacity × element size: growing
    /// arrays hold up to twice what they use).
    var bytes: Int {
        uSignup.capacity * 4 + uChannel.capacity * 4 + uDevice.capacity * 4 + uPlan.capacity * 4
            + sUser.capacity * 8 + sStart.capacity * 4 + sEnd.capacity * 4 + sPlan.capacity * 4
            + sPrice.capacity * 8 + sAuto.capacity + sDiscount.capacity * 8
            + eUser.capacity * 8 + eTime.capacity * 8 + eType.capacity * 4 + eAmount.capacity * 8
            + iUser.capacity * 8 + iTime.capacity * 8 + iCourse.capacity * 8 + iAction.capacity * 4 + iRating.capacity * 8
    }

    static let channels = ["organic", "ads", "referral"]
    static let devices = ["ios", "android", "web"]
    static let plans = ["monthly", "annual", "free"]

    static func assemble(_ parts: [SimChunk], _ o: SimulationOptions, _ catalogue: Catalogue) throws -> SimulatedPlatform {
        func cat<T>(_ k: KeyPath<SimChunk, [T]>) -> [T] { parts.flatMap { $0[keyPath: k] } }
        let n = o.users
        let users = try Frame([
            Column(name: "user_id", data: .int64((1...n).map { Int64($0) })),
            Column(name: "signup", data: .date(cat(\.uSignup))),
            Column(name: "channel", data: .string(codes: cat(\.uChannel), dictionary: channels)),
            Column(name: "device", data: .string(codes: cat(\.uDevice), dictionary: devices)),
            Column(name: "first_plan", data: .string(codes: cat(\.uPlan), dictionary: plans)),
        ])
        let subs = try Frame([
            Column(name: "user_id", data: .int64(cat(\.sUser))),
            Column(name: "start", data: .date(cat(\.sStart))),
            Column(name: "end", data: .date(cat(\.sEnd))),
            Column(name: "plan", data: .string(codes: cat(\.sPlan), dictionary: Array(plans.prefix(2)))),
            Column(name: "price", data: .float64(cat(\.sPrice))),
            Column(name: "auto_renew", data: .bool(cat(\.sAuto))),
            Column(name: "discount", data: .float64(cat(\.sDiscount))),
        ])
        let amounts = cat(\.eAmount)
        let events = try Frame([
            Column(name: "user_id", data: .int64(cat(\.eUser))),
            Column(name: "ts", data: .timestamp(cat(\.eTime))),
            Column(name: "event", data: .string(codes: cat(\.eType), dictionary: simulatedEventTypes)),
            Column(name: "amount", data: .float64(amounts.map { $0.isNaN ? 0 : $0 }),
                   validity: Validity(amounts.map { !$0.isNaN })),
        ])
        let ratings = cat(\.iRating)
        let interactions = try Frame([
            Column(name: "user_id", data: .int64(cat(\.iUser))),
            Column(name: "ts", data: .timestamp(cat(\.iTime))),
            Column(name: "course_id", data: .int64(cat(\.iCourse))),
            Column(name: "action", data: .string(codes: cat(\.iAction), dictionary: Catalogue.actions)),
            Column(name: "rating", data: .float64(ratings.map { $0.isNaN ? 0 : $0 }), validity: Validity(ratings.map { !$0.isNaN })),
        ])
        return SimulatedPlatform(users: users, subscriptions: subs, events: events,
                                 courses: try catalogue.frame(), interactions: interactions)
    }
}

@inline(__always) private func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

/// One user's life. All constants are the model; see `simulatePlatform`.
private func simulateUser(index i: Int, _ o: SimulationOptions, _ catalogue: Catalogue, into c: inout SimChunk) {
    var r = SeededRandom(seed: o.seed, stream: UInt64(i))
    let courses = catalogue.count > 0
    var taste = courses ? TasteState(user: i, seed: o.seed, catalogue: catalogue) : nil
    let uid = Int64(i + 1)
    // Growth: signups get denser later in the period.
    let signup = min(o.days - 1, Int(Double(o.days) * r.uniform().squareRoot()))
    let channel = r.below(3)
    let device = r.below(3)                     // noise: affects nothing below
    let priceSensitivity = r.uniform()
    let lifeRisk = 1.0 * r.normal()             // unobserved: no feature sees it
    var level = 0.5 * r.normal() + [0.0, -0.3, 0.3][channel]
    let drift = -0.002 + 0.004 * r.normal()     // per day
    var e = level + 0.3 * r.normal()
    var satisfaction = 0.5
    var history = [Double](repeating: e, count: 15) // engagement ring buffer (14-day trajectory)
    // Temporal habits draw from a stream of their own: with `temporal` off the
    // main stream (and so every table) is exactly as before.
    var habits = o.temporal ? TemporalHabits(seed: o.seed, user: i) : nil

    // Plan at signup: 70 % pay (annual 25 % of those), 30 % start free.
    var plan = r.uniform() < 0.7 ? (r.uniform() < 0.25 ? 1 : 0) : 2
    c.uSignup.append(o.start + Int32(signup)); c.uChannel.append(Int32(channel))
    c.uDevice.append(Int32(device)); c.uPlan.append(Int32(plan))

    let dayMicros = TimeUnit.microsPerDay
    func emit(_ t: Int64, _ type: Int32, _ amount: Double = .nan) {
        c.eUser.append(uid); c.eTime.append(t); c.eType.append(type); c.eAmount.append(amount)
    }
    var termEnd = -1, autoRenew = false
    func startTerm(day d: Int, at t: Int64, first: Bool) {
        let price = plan == 1 ? 199.0 : 29.0
        var discount = 0.0
        if first && r.uniform() < 0.2 { discount = r.uniform() < 0.5 ? 0.2 : 0.5 }
        // Auto-renew is chosen at the start of each term (more engaged users keep it on).
        autoRenew = r.uniform() < sigmoid(0.8 + 1.5 * e - priceSensitivity)
        let len = plan == 1 ? 365 : 30
        termEnd = d + len
        c.sUser.append(uid); c.sStart.append(o.start + Int32(d)); c.sEnd.append(o.start + Int32(termEnd))
        c.sPlan.append(Int32(plan)); c.sPrice.append(price); c.sAuto.append(autoRenew); c.sDiscount.append(discount)
        if discount > 0 { emit(t, 7) }
        emit(t + 1_000_000, first ? 3 : 4, (price * (1 - discount) * 100).rounded() / 100)
    }
    let signupTime = (Int64(o.start) + Int64(signup)) * dayMicros + Int64(8 + r.below(14)) * 3_600_000_000
    if plan != 2 { startTerm(day: signup, at: signupTime, first: true) }
    emit(signupTime + 60_000_000, 0)

    for d in (signup + 1)..<max(signup + 1, o.days) {
        // Engagement: AR(1) around a drifting level.
        level += drift
        e = level + 0.85 * (e - level) + 0.3 * r.normal()
        history[d % 15] = e
        let trend = e - history[(d + 1) % 15]   // change over 14 days
        // Churn hazard (daily).
        let price = plan == 1 ? 199.0 / 12 : (plan == 0 ? 29.0 : 0)
        let h = sigmoid(-6.0 + (habits?.frailty(lifeRisk) ?? lifeRisk) - 0.5 * e - 1.0 * trend + 1.5 * priceSensitivity * price / 29 - 3.0 * (satisfaction - 0.5)
                        + (habits?.hazardShift(trend: trend) ?? 0))
        if r.uniform() < h { break }
        // Term end: renew automatically, manually if engaged, or lapse (and leave).
        if d == termEnd {
            // Renewals are charged before 06:00, ahead of the day's activity (keeps events time-ordered).
            let t = (Int64(o.start) + Int64(d)) * dayMicros + Int64(r.below(6 * 3600)) * 1_000_000
            if autoRenew || r.uniform() < sigmoid(e + 0.5) { startTerm(day: d, at: t, first: false) } else { break }
        }
        let weekday = TimeUnit.weekday(day: Int64(o.start) + Int64(d))
        let logit = -1.7 + 1.2 * e + (weekday >= 5 ? 0.2 : 0)
        let pActive = sigmoid(habits?.activityLogit(logit, weekday: weekday) ?? logit)
        let active = r.uniform() < pActive
        habits?.record(weekday: weekday, active: active)
        guard active else { continue }
        var t = (Int64(o.start) + Int64(d)) * dayMicros + Int64(7 + r.below(16)) * 3_600_000_000 + Int64(r.below(3600)) * 1_000_000
        emit(t, 0)
        let views = 1 + r.below(1 + Int(5 * sigmoid(e)))
        var finished = 0
        for _ in 0..<views {
            t += Int64(1 + r.below(20)) * 60_000_000
            emit(t, 1)
            let viewed = t
            let fin = r.uniform() < 0.25 + 0.5 * sigmoid(e)
            if fin { t += 60_000_000; emit(t, 2); finished += 1 }
            if taste != nil { c.courseView(&taste!, catalogue, user: uid, at: viewed, finishedAt: fin ? t : nil) }
        }
        satisfaction = 0.9 * satisfaction + 0.1 * Double(finished) / Double(views)
        if r.uniform() < 0.08 * sigmoid(e) { t += 120_000_000; emit(t, 5) }
        if r.uniform() < 0.03 * sigmoid(e) { t += 60_000_000; emit(t, 6) }
        // One-off course purchases; free users may upgrade.
        if r.uniform() < 0.01 * sigmoid(e) {
            t += 60_000_000; emit(t, 3, Double(10 + r.below(40)) - 0.01)
            if taste != nil { c.coursePurchase(&taste!, catalogue, user: uid, at: t) }
        }
        if plan == 2 && r.uniform() < 0.01 * sigmoid(e) {
            plan = r.uniform() < 0.2 ? 1 : 0
            t += 60_000_000
            startTerm(day: d, at: t, first: true)
        }
    }
}
