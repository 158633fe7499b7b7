/// Temporal churn drivers of the platform simulator (`SimulationOptions.temporal`):
/// patterns in the *order* of a user's days that per-window aggregates (counts
/// over 7/30/90 days, recency, gap statistics) capture only partly, so a
/// sequence model has something real to find.
///
/// - **Weekly rhythm.** 80 % of users have a habit weekday (their lesson
///   day): they are active on it with probability 0.92 whatever their
///   engagement (a routine: logit 2.5) and rarely on other days (−1.5 on the
///   activity logit), so their days show a spike every 7 days. Once the rhythm is established (active on the habit day 4 weeks
///   running), a missed habit day *breaks* it: the daily churn hazard rises
///   (+3.0 on its logit) for the next 28 days. Activity on the other days is
///   untouched, so 8–28 days after the break the aggregates show one event
///   fewer in 30 days — as a user without a rhythm who had a quiet week — and
///   the same 7-day count and recency as before, while the sequence shows the
///   regular spikes and the hole where one should be.
/// - **A gap.** A return after 14 or more idle days raises the hazard (+1.5)
///   for 28 days: recency is small again and the 30-day count only somewhat
///   lower, while the sequence shows where the gap was.
/// - **Less unobserved frailty.** The user's unobserved risk weighs half as
///   much on the hazard logit (0.5 × N(0, 1) instead of 1 ×): with the
///   option on, part of what the base model leaves to chance has an
///   observable cause in the days.
/// - **A fading trend.** The hazard weighs the 14-day change of the latent
///   engagement 1.5 more on the logit (on top of the base model's 1.0); daily
///   activity traces that change, three window counts only sample it.
///
/// History of the effect sizes, and why they are what they are: the first
/// version (+2.5/−0.6 activity, +1.5 for 14 days on any missed habit day, +1.2
/// for 21 days after a 7-day gap, half the users with a habit) and the second
/// (+3.0/−1.0, +2.5 for 21 days after 3 weeks of rhythm, +2.0 for 28 days
/// after a 7-day gap, 60 % with a habit) left GBDT on 54 aggregates level
/// with a GRU (0.881 vs 0.880 AUC on 12,000 users; 0.8832 vs 0.8802 on 2,000).
/// A diagnostic showed why (10,000 users, seed 7, every 28 days): flags read
/// off the daily logins — a rhythm broken within 21 days, a return from a
/// ≥ 7-day gap within 28 days — added only +0.0014 AUC to GBDT (0.8896 →
/// 0.8910). The gap flag was on for 73 % of the rows (a habit user with off
/// days at p ≈ 0.1 idles 7 days after any missed habit day): a low-activity
/// proxy the counts already carry; and a habit-day miss every ~5 weeks (p ≈
/// 0.8 on the habit day, lower for the disengaged) made breaks common among
/// users the counts already flag. Now the rhythm is firmer and does not
/// follow engagement (p = 0.92 on the habit day, ≈ 0.05 on others): a break
/// strikes engaged users as well — a life event, not a slow decline — and
/// lasts longer; only a real gap counts, and less is left to frailty.
///
/// Each user's habit is drawn from a stream of its own, so turning the option
/// on leaves the main random stream (signups, plans, engagement) as it was.
struct TemporalHabits {
    /// Weekday (0 = Monday … 6) of the user's weekly rhythm; nil for users without one.
    let habitDay: Int?
    /// Consecutive inactive days so far.
    private(set) var idle = 0
    /// Consecutive habit days with activity (the rhythm is established at `rhythmWeeks`).
    private(set) var streak = 0
    /// Days left of the raised hazard after a return from a gap.
    private(set) var afterGap = 0
    /// Days left of the raised hazard after a broken rhythm.
    private(set) var broken = 0

    static let habitShare = 0.8
    static let habitLogit = 2.5, offHabit = -1.5
    static let frailtyWeight = 0.5
    static let rhythmWeeks = 4
    static let brokenHazard = 3.0, brokenDays = 28
    static let gapDays = 14, gapHazard = 1.5, afterGapDays = 28
    static let trendWeight = 1.5

    init(seed: UInt64, user i: Int) {
        var r = SeededRandom(seed: seed ^ 0x7E3A_11C5_9B2D_4F01, stream: UInt64(i))
        habitDay = r.uniform() < Self.habitShare ? r.below(7) : nil
    }

    init(habitDay: Int?) { self.habitDay = habitDay }

    /// The activity logit on `weekday`, given the base model's: fixed on the
    /// habit day (a routine), lowered on the others.
    func activityLogit(_ base: Double, weekday: Int) -> Double {
        guard let habitDay else { return base }
        return weekday == habitDay ? Self.habitLogit : base + Self.offHabit
    }

    /// The unobserved frailty's weight on the hazard logit with the option on.
    func frailty(_ lifeRisk: Double) -> Double { Self.frailtyWeight * lifeRisk }

    /// Added to the daily churn-hazard logit, given the 14-day engagement change.
    func hazardShift(trend: Double) -> Double {
        -Self.trendWeight * trend + (broken > 0 ? Self.brokenHazard : 0) + (afterGap > 0 ? Self.gapHazard : 0)
    }

    /// Advances one day: whether the user was active on `weekday`.
    mutating func record(weekday: Int, active: Bool) {
        if broken > 0 { broken -= 1 }
        if afterGap > 0 { afterGap -= 1 }
        if weekday == habitDay {
            if active {
                streak += 1
            } else {
                if streak >= Self.rhythmWeeks { broken = Self.brokenDays }
                streak = 0
            }
        }
        if active {
            if idle >= Self.gapDays { afterGap = Self.afterGapDays }
            idle = 0
        } else {
            idle += 1
        }
    }
}
