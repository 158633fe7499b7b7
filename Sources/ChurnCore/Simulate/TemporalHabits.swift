/// Temporal churn drivers of the platform simulator (`SimulationOptions.temporal`):
/// patterns in the *order* of a user's days that per-window aggregates (counts
/// over 7/30/90 days, recency) capture only partly, so a sequence model has
/// something real to find.
///
/// - **Weekly rhythm.** About half the users have a habit weekday: they are
///   much more likely to be active on it (+2.5 on the activity logit) and a
///   little less on other days (−0.6). A missed habit day raises the daily
///   churn hazard (+1.5 on its logit) for the next 14 days — a 7-day count
///   moves by one event, the sequence shows the hole where the habit was.
/// - **A gap.** A return after 7 or more idle days raises the hazard (+1.2) for
///   21 days: recency is small again and the 30-day count only somewhat lower,
///   while the sequence shows the gap.
/// - **A fading trend.** The hazard weighs the 14-day change of the latent
///   engagement 1.5 more on the logit (on top of the base model's 1.0); daily
///   activity traces that change, three window counts only sample it.
///
/// Each user's habit is drawn from a stream of its own, so turning the option
/// on leaves the main random stream (signups, plans, engagement) as it was.
struct TemporalHabits {
    /// Weekday (0 = Monday … 6) of the user's weekly rhythm; nil for users without one.
    let habitDay: Int?
    /// Consecutive inactive days so far.
    private(set) var idle = 0
    /// Days left of the raised hazard after a return from a gap.
    private(set) var afterGap = 0
    /// Days left of the raised hazard after a missed habit day.
    private(set) var broken = 0

    static let habitBoost = 2.5, offHabit = -0.6
    static let brokenHazard = 1.5, brokenDays = 14
    static let gapDays = 7, gapHazard = 1.2, afterGapDays = 21
    static let trendWeight = 1.5

    init(seed: UInt64, user i: Int) {
        var r = SeededRandom(seed: seed ^ 0x7E3A_11C5_9B2D_4F01, stream: UInt64(i))
        habitDay = r.uniform() < 0.5 ? r.below(7) : nil
    }

    init(habitDay: Int?) { self.habitDay = habitDay }

    /// Added to the activity logit on `weekday`.
    func activityShift(weekday: Int) -> Double {
        guard let habitDay else { return 0 }
        return weekday == habitDay ? Self.habitBoost : Self.offHabit
    }

    /// Added to the daily churn-hazard logit, given the 14-day engagement change.
    func hazardShift(trend: Double) -> Double {
        -Self.trendWeight * trend + (broken > 0 ? Self.brokenHazard : 0) + (afterGap > 0 ? Self.gapHazard : 0)
    }

    /// Advances one day: whether the user was active on `weekday`.
    mutating func record(weekday: Int, active: Bool) {
        if broken > 0 { broken -= 1 }
        if afterGap > 0 { afterGap -= 1 }
        if active {
            if idle >= Self.gapDays { afterGap = Self.afterGapDays }
            idle = 0
        } else {
            idle += 1
            if weekday == habitDay { broken = Self.brokenDays }
        }
    }
}
