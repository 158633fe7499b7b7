import ChurnCore

/// `/v1/events` bodies read in one pass straight into `OnlineEvent`s (no JSON
/// tree). Accept-only like `FastScoreDecoding`: anything unusual (an escape or
/// non-ASCII byte in a string, an unknown or repeated key, a bad time, too
/// many events) gives nil and the strict path answers.
enum FastEventDecoding {
    private static let eventsKey = Array("events".utf8), userKey = Array("user".utf8), typeKey = Array("type".utf8),
                       timeKey = Array("time".utf8), amountKey = Array("amount".utf8)

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, limits: ServeLimits) -> [OnlineEvent]? {
        var s = FastJSONScanner(bytes)
        guard s.take(0x7B), let key = s.plainString(), s.equals(key, eventsKey), s.take(0x3A), s.take(0x5B) else { return nil }
        if s.peek() == 0x5D { return nil }
        var out: [OnlineEvent] = []
        out.reserveCapacity(min(limits.maxEvents, bytes.count / 40 + 1))
        repeat {
            guard out.count < limits.maxEvents, s.take(0x7B) else { return nil }
            var user: String?, type: String?, time: Int64?, amount: Double?
            repeat {
                guard let k = s.plainString(), s.take(0x3A), k.count >= 4 else { return nil }
                switch (s.b[k.lowerBound], k.count) {
                case (0x75, 4):   // user
                    guard s.equals(k, userKey), user == nil, let v = text(&s, limits) else { return nil }
                    user = String(decoding: UnsafeBufferPointer(rebasing: s.b[v]), as: UTF8.self)
                case (0x74, 4):   // type or time
                    if s.equals(k, typeKey) {
                        guard type == nil, let v = text(&s, limits) else { return nil }
                        type = String(decoding: UnsafeBufferPointer(rebasing: s.b[v]), as: UTF8.self)
                    } else if s.equals(k, timeKey) {
                        guard time == nil, let v = text(&s, limits), let t = parseTime(UnsafeBufferPointer(rebasing: s.b[v])) else { return nil }
                        time = t
                    } else { return nil }
                case (0x61, 6):   // amount
                    guard s.equals(k, amountKey), amount == nil else { return nil }
                    if s.peek() == 0x6E { guard s.literal("null") else { return nil }; amount = .nan }
                    else { guard let x = s.number() else { return nil }; amount = x }
                default: return nil
                }
            } while s.take(0x2C)
            guard s.take(0x7D), let user, let type, let time else { return nil }
            out.append(OnlineEvent(user: user, type: type, time: time, amount: amount ?? .nan))
        } while s.take(0x2C)
        guard s.take(0x5D), s.take(0x7D) else { return nil }
        s.skipSpace()
        return s.atEnd ? out : nil
    }

    /// A non-empty plain string of at most `maxIdBytes` bytes.
    @inline(__always)
    private static func text(_ s: inout FastJSONScanner, _ limits: ServeLimits) -> Range<Int>? {
        guard let r = s.plainString(), !r.isEmpty, r.count <= limits.maxIdBytes else { return nil }
        return r
    }

    /// "YYYY-MM-DDTHH:MM:SSZ" exactly, as `TimeUnit.parse` reads it; other
    /// forms go through `TimeUnit.parse` itself.
    static func parseTime(_ t: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard t.count == 20, t[4] == 0x2D, t[7] == 0x2D, t[10] == 0x54, t[13] == 0x3A, t[16] == 0x3A, t[19] == 0x5A else {
            return TimeUnit.parse(String(decoding: t, as: UTF8.self))
        }
        func num(_ a: Int, _ n: Int) -> Int? {
            var v = 0
            for k in a..<(a + n) { let c = t[k]; guard c >= 0x30, c <= 0x39 else { return nil }; v = v * 10 + Int(c - 0x30) }
            return v
        }
        guard let y = num(0, 4), let m = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let sec = num(17, 2),
              (1...12).contains(m), d >= 1, h < 24, mi < 60, sec < 60 else { return nil }
        let day = DateText.days(year: y, month: m, day: d)
        let nextMonth = m == 12 ? DateText.days(year: y + 1, month: 1, day: 1) : DateText.days(year: y, month: m + 1, day: 1)
        guard day < nextMonth else { return nil }
        return Int64(day) * TimeUnit.microsPerDay + Int64(h) * 3_600_000_000 + Int64(mi) * TimeUnit.microsPerMinute + Int64(sec) * TimeUnit.microsPerSecond
    }
}
