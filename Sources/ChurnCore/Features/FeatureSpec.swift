/// Groups of features a `FeatureSpec` can ask for.
public enum FeatureFamily: String, Codable, CaseIterable, Sendable {
    /// `events_<W>d`, `active_days_<W>d` (distinct UTC days with an event).
    case activity
    /// `<type>_<W>d`: events of each listed type per window.
    case types
    /// `amount_<W>d` (sum, 0 when none) and `amount_mean_<W>d` (mean over events with an amount; null when none).
    case monetary
    /// `recency_days` and `recency_<type>_days` (null when the type was never seen).
    case recency
    /// `tenure_days`: since the first event (or first subscription start, if earlier).
    case tenure
    /// `trend_<W>d`: events in the last W days ÷ events in the W days before.
    case trend
    /// `gap_mean_days`, `gap_max_days` between consecutive events (null for single-event users).
    case gaps
    /// `sessions_<B>d`, `session_minutes_mean_<B>d` over the behaviour window B. A session is a run of
    /// events with gaps ≤ `sessionGapMinutes`; its length is last − first event (0 for a single event).
    case sessions
    /// `weekend_share_<B>d`: share of the behaviour window's events on Saturday/Sunday (UTC).
    case weekend
    /// `subscribed`, `plan`, `price`, `mrr`, `days_to_renewal`, `renewals`, `auto_renew_off`, `discount`.
    case subscription
}

/// A declarative description of the features to build as of one moment.
/// Codable with snake_case keys so it can come from a Lua table or JSON;
/// every key except `as_of` has a default.
///
/// All features use only events strictly before `asOf`. A window of W days is
/// `[asOf − W days, asOf)`.
public struct FeatureSpec: Codable, Sendable, Equatable {
    /// Observation moment, µs since the epoch (UTC).
    public var asOf: Int64
    /// Window lengths in days.
    public var windows: [Int] = [7, 30, 90]
    public var families: [FeatureFamily] = FeatureFamily.allCases
    /// Event types to count per window; nil = every type in the log, in name order.
    public var eventTypes: [String]? = nil
    /// Event types with their own recency; nil = the same as `eventTypes`.
    public var recencyTypes: [String]? = nil
    /// A gap longer than this (minutes) starts a new session; a gap exactly this long does not.
    public var sessionGapMinutes: Double = 30
    /// Window (days) for sessions and weekend share.
    public var behaviourWindow: Int = 30
    /// Windows with a trend feature; nil = all `windows`.
    public var trendWindows: [Int]? = nil

    public init(asOf: Int64, windows: [Int] = [7, 30, 90], families: [FeatureFamily] = FeatureFamily.allCases,
                eventTypes: [String]? = nil, recencyTypes: [String]? = nil, sessionGapMinutes: Double = 30,
                behaviourWindow: Int = 30, trendWindows: [Int]? = nil) {
        self.asOf = asOf; self.windows = windows; self.families = families; self.eventTypes = eventTypes
        self.recencyTypes = recencyTypes; self.sessionGapMinutes = sessionGapMinutes
        self.behaviourWindow = behaviourWindow; self.trendWindows = trendWindows
    }

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of", windows, families, eventTypes = "event_types", recencyTypes = "recency_types"
        case sessionGapMinutes = "session_gap_minutes", behaviourWindow = "behaviour_window", trendWindows = "trend_windows"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FeatureSpec(asOf: try c.decode(Int64.self, forKey: .asOf))
        self = d
        windows = try c.decodeIfPresent([Int].self, forKey: .windows) ?? d.windows
        families = try c.decodeIfPresent([FeatureFamily].self, forKey: .families) ?? d.families
        eventTypes = try c.decodeIfPresent([String].self, forKey: .eventTypes)
        recencyTypes = try c.decodeIfPresent([String].self, forKey: .recencyTypes)
        sessionGapMinutes = try c.decodeIfPresent(Double.self, forKey: .sessionGapMinutes) ?? d.sessionGapMinutes
        behaviourWindow = try c.decodeIfPresent(Int.self, forKey: .behaviourWindow) ?? d.behaviourWindow
        trendWindows = try c.decodeIfPresent([Int].self, forKey: .trendWindows)
    }

    /// Checks option ranges; the builder calls it.
    public func validate() throws {
        guard !windows.isEmpty else { throw EventError.invalidOption("feature spec: windows must not be empty") }
        for w in windows + (trendWindows ?? []) + [behaviourWindow] where w <= 0 || w > OptionLimits.days {
            throw EventError.invalidOption("feature spec: window \(w) days must be between 1 and \(OptionLimits.days)")
        }
        guard Set(windows).count == windows.count else {
            throw EventError.invalidOption("feature spec: windows \(windows) contain a duplicate")
        }
        // Bounded so the gap in microseconds fits Int64 (1e300 minutes used to trap).
        guard sessionGapMinutes > 0, sessionGapMinutes <= OptionLimits.minutes else {
            throw EventError.invalidOption("feature spec: session_gap_minutes must be in (0, \(Int(OptionLimits.minutes))], got \(sessionGapMinutes)")
        }
    }
}
