/// Temporal churn drivers of the platform simulator (`SimulationOptions.temporal`):
/// patterns in the *order* of a user's days that per-window aggregates (counts
/// over 7/30/90 days, recency, gap statistics) capture only partly, so a
/// sequence model has something real to find.
///
/// - **A lost daily streak** (drivers v4). Learning apps count a streak of
///   consecutive active days, and a user who loses one often gives up — the
///   loss aversion streak counters play on. Here a run of 3 or more active
///   days followed by a day without activity raises the daily churn hazard
///   by +5 on its logit for the next 14 days. Why aggregates miss it:
///   counts, active days and recency do not say whether the last active days
///   were consecutive — 3 active days in the last week at recency 2 may be a
///   streak just lost or three scattered visits (only extreme combinations,
///   such as 3 active days in the 3 days before recency, pin it down); a
///   sequence model reads the run directly. Users who lose a streak and
///   leave also differ from users in a natural quiet spell only in how the
///   silence began.
/// - **Weekly rhythm.** 30 % of users have a habit weekday (their lesson
///   day): they are active on it with probability 0.92 whatever their
///   engagement (a routine: logit 2.5) and rarely on other days (−1.5 on the
///   activity logit), so their days show a spike every 7 days. Once the
///   rhythm is established (active on the habit day 4 weeks running), a
///   missed habit day *breaks* it: the hazard rises (+3.0 on its logit) for
///   the next 28 days. Activity on the other days is untouched, so 8–28 days
///   after the break the aggregates show one event fewer in 30 days — as a
///   user without a rhythm who had a quiet week — while the sequence shows
///   the regular spikes and the hole where one should be.
/// - **A gap.** A return after 14 or more idle days raises the hazard (+1.5)
///   for 28 days: recency is small again and the 30-day count only somewhat
///   lower, while the sequence shows where the gap was.
/// - **Less unobserved frailty.** The user's unobserved risk weighs half as
///   much on the hazard logit (0.5 × N(0, 1) instead of 1 ×): with the
///   option on, part of what the base model leaves to chance has an
///   observable cause in the days.
/// - **A fading trend.** The hazard weighs the 14-day change of the latent
///   engagement 0.5 more on the logit (on top of the base model's 1.0); daily
///   activity traces that change, three window counts only sample it.
///
/// History of the effect sizes, and why they are what they are: v1 (+2.5/−0.6
/// activity, +1.5 for 14 days on any missed habit day, +1.2 for 21 days after
/// a 7-day gap, half the users with a habit) and v2 (+3.0/−1.0, +2.5 for 21
/// days after 3 weeks of rhythm, +2.0 for 28 days after a 7-day gap, 60 %
/// with a habit) left GBDT on 54 aggregates level with a GRU (0.881 vs 0.880
/// AUC on 12,000 users). Flags read off the daily logins added only +0.0014
/// AUC to GBDT: the gap flag was a low-activity proxy the counts already
/// carry, and habit-day misses were common among users the counts already
/// flag. v3 (80 % habit users at p = 0.92 on the habit day, +3.0 for 28 days
/// after 4 weeks, a 14-day gap, trend weight 1.5) still left the GRU +
/// aggregates 0.002–0.003 below GBDT. v4 adds the lost streak (the driver of
/// a lost earlier branch: +0.024 for a PyTorch GRU + aggregates at 10,000
/// users) and keeps the others smaller: with 80 % habit users (≈ 0.05 a day
/// off the habit day) hardly anyone could keep a daily streak, and the
/// extra trend weight mostly moves churn that the window trends see as well.
/// Release build, 20,000 users, scripts/bench/sequence_auc.sh recipe (GRU
/// hidden 32 on 28 days + aggregates, 12 epochs), 2026-12-04, load 5–7:
/// ΔAUC (GRU + static − GBDT) +0.0084 with v3's weights and the streak
/// (80 → 30 % habit, trend 1.5), +0.0107 with 15 % habit users, +0.0238 with
/// the streak alone, +0.0136 without the extra trend weight, +0.0135 as now
/// (GBDT 0.8896, GRU + static 0.9031).
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
    /// Consecutive active days so far (a daily streak once it reaches `streakRun`).
    private(set) var run = 0
    /// Days left of the raised hazard after a return from a gap.
    private(set) var afterGap = 0
    /// Days left of the raised hazard after a broken rhythm.
    private(set) var broken = 0
    /// Days left of the raised hazard after a lost daily streak.
    private(set) var lostStreak = 0

    static let habitShare = 0.3
    static let habitLogit = 2.5, offHabit = -1.5
    static let frailtyWeight = 0.5
    static let rhythmWeeks = 4
    static let brokenHazard = 3.0, brokenDays = 28
    static let gapDays = 14, gapHazard = 1.5, afterGapDays = 28
    static let trendWeight = 0.5
    static let streakRun = 3, streakHazard = 5.0, streakLossDays = 14

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
            + (lostStreak > 0 ? Self.streakHazard : 0)
    }

    /// Advances one day: whether the user was active on `weekday`.
    mutating func record(weekday: Int, active: Bool) {
        if broken > 0 { broken -= 1 }
        if afterGap > 0 { afterGap -= 1 }
        if lostStreak > 0 { lostStreak -= 1 }
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
            run += 1
        } else {
            if run >= Self.streakRun { lostStreak = Self.streakLossDays }
            idle += 1
            run = 0
        }
    }
}
