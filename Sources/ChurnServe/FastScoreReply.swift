import ChurnCore
import Foundation
import HTTPTypes

/// What both event-loop score paths (`ScoreWireHandler` on raw bytes, `ScoreFastPathHandler`
/// on HTTP parts) do once they hold a complete `POST /v1/score` body: score it with
/// `ServeServer.fastScoreJSON`, name the response headers Hummingbird would write for
/// `ServeServer.json`, and count the request in the route's metrics. One per connection
/// (the recorder and the `Date` text are cached per connection, not shared across loops).
struct FastScoreReply {
    private let server: ServeServer
    private var date = DateHeader()
    /// `metrics.request` for 200s of this route, looked up on first use.
    private var recorder: ServeMetrics.Recorder?

    init(server: ServeServer) { self.server = server }

    /// The 200 response body for a score request body, or nil when the router's handler
    /// must answer (the fast decoder declined the body, or scoring failed).
    func body(_ bytes: UnsafeRawBufferPointer) -> String? {
        let m = server.model.current
        return try? server.fastScoreJSON(bytes.assumingMemoryBound(to: UInt8.self), model: m)
    }

    /// The response's header fields, in the order Hummingbird writes them for `ServeServer.json`.
    mutating func headers(contentLength: Int) -> KeyValuePairs<HTTPField.Name, String> {
        [.contentType: ServeServer.jsonContentType, .contentLength: String(contentLength), .date: date.now(),
         .server: ServeServer.serverName]
    }

    /// Counts an answered request (status 200) that arrived at `start`.
    mutating func record(since start: ContinuousClock.Instant) {
        if recorder == nil { recorder = server.metrics.recorder(route: ServeRoute.score.path, status: 200) }
        recorder!.record(ContinuousClock.now - start)
    }
}

/// The `Date` response header (RFC 9110 IMF-fixdate), formatted once per second per connection
/// (Hummingbird keeps its own cache of the same text for the router's responses).
struct DateHeader {
    private var second = Int.min
    private var text = ""
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]   // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    mutating func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let s = Int(ts.tv_sec)
        if s != second { second = s; text = Self.format(s) }
        return text
    }

    static func format(_ t: Int) -> String {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secs = t - days * 86_400
        let (y, m, d) = DateText.civil(days: days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let weekday = ((days % 7) + 7) % 7
        return "\(Self.days[weekday]), \(two(d)) \(months[m - 1]) \(y) \(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)) GMT"
    }
}
