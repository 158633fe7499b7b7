import Foundation

/// One HTTP/1.1 request head read straight from a connection's bytes, for `ScoreWireHandler`.
///
/// Accept-only, like `FastJSONScanner`: it recognises a strict subset of what NIO's
/// HTTP/1 parser (llhttp) accepts, and reports `declined` for everything else, so the
/// caller hands those bytes to that parser, which then answers (or rejects) exactly as
/// it would have. The subset:
/// - the request line is exactly the one asked for (`POST /v1/score HTTP/1.1`: no query,
///   no other method or version);
/// - every header line is `name: value` CRLF, the name RFC 9110 `token` characters, the
///   value visible ASCII, spaces and tabs (no obs-fold, no bytes ≥ 0x80, no bare LF);
/// - `Content-Length` is there, once, 1–9 digits; `Authorization`, `Content-Type` and
///   `Connection` at most once each, `Connection` only `keep-alive`;
/// - no `Transfer-Encoding`, `Expect` or `Upgrade` (framing and protocol changes are the
///   parser's business), at most `maxFields` lines, the whole head within `maxLength` bytes.
struct WireRequestHead: Equatable {
    /// Bytes of the head, through its empty line: the body starts here.
    var length: Int
    /// The declared body length.
    var contentLength: Int
    /// Where the `Authorization` and `Content-Type` values lie in the bytes read (trimmed).
    var authorization: Range<Int>?
    var contentType: Range<Int>?

    enum Reading: Equatable {
        /// The bytes so far are the start of such a head: wait for more.
        case incomplete
        /// Not a head this reader accepts (or not this request line).
        case declined
        case head(WireRequestHead)
    }

    static let maxFields = 64

    /// Reads the head at the start of `b`.
    static func read(_ b: UnsafeRawBufferPointer, requestLine: [UInt8], maxLength: Int) -> Reading {
        let n = b.count
        let line = requestLine.count
        for i in 0..<min(n, line) where b[i] != requestLine[i] { return .declined }
        guard n > line else { return .incomplete }
        let limit = min(n, maxLength)
        var head = WireRequestHead(length: 0, contentLength: -1)
        var connectionSeen = false
        var pos = line
        var fields = 0
        while true {
            guard pos < limit else { return n >= maxLength ? .declined : .incomplete }
            guard let lf = memchr(b.baseAddress! + pos, 0x0A, limit - pos) else {
                return n >= maxLength ? .declined : .incomplete
            }
            let nl = b.baseAddress!.distance(to: UnsafeRawPointer(lf))
            guard nl > pos, b[nl - 1] == 0x0D else { return .declined }   // bare LF
            let end = nl - 1
            if end == pos { head.length = nl + 1; break }                   // the empty line
            fields += 1
            guard fields <= maxFields else { return .declined }
            // name ":" OWS value OWS
            var p = pos
            while p < end, tchar[Int(b[p])] { p += 1 }
            guard p > pos, p < end, b[p] == 0x3A else { return .declined }
            let name = pos..<p
            p += 1
            while p < end, b[p] == 0x20 || b[p] == 0x09 { p += 1 }
            var q = end
            while q > p, b[q - 1] == 0x20 || b[q - 1] == 0x09 { q -= 1 }
            for i in p..<q where !fieldValueByte[Int(b[i])] { return .declined }
            let value = p..<q
            switch Field(b, name) {
            case .contentLength:
                guard head.contentLength < 0, (1...9).contains(value.count) else { return .declined }
                var v = 0
                for i in value {
                    let d = Int(b[i]) &- 0x30
                    guard d >= 0, d <= 9 else { return .declined }
                    v = v * 10 + d
                }
                head.contentLength = v
            case .authorization:
                guard head.authorization == nil else { return .declined }
                head.authorization = value
            case .contentType:
                guard head.contentType == nil else { return .declined }
                head.contentType = value
            case .connection:
                guard !connectionSeen, matches(b, value, keepAlive) else { return .declined }
                connectionSeen = true
            case .framing:
                return .declined
            case .other:
                break
            }
            pos = nl + 1
        }
        guard head.contentLength >= 0 else { return .declined }
        return .head(head)
    }

    /// The header names this reader acts on.
    private enum Field {
        case contentLength, authorization, contentType, connection, framing, other

        init(_ b: UnsafeRawBufferPointer, _ name: Range<Int>) {
            for (names, field) in Field.table where names.count == name.count && matches(b, name, names) {
                self = field
                return
            }
            self = .other
        }

        private static let table: [([UInt8], Field)] = ([
            ("content-length", .contentLength), ("authorization", .authorization), ("content-type", .contentType),
            ("connection", .connection), ("transfer-encoding", .framing), ("expect", .framing), ("upgrade", .framing),
        ] as [(String, Field)]).map { (Array($0.0.utf8), $0.1) }
    }

    private static let keepAlive = Array("keep-alive".utf8)

    /// Whether `b[range]` equals `lowercase` (lowercase ASCII), letters either case.
    private static func matches(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: [UInt8]) -> Bool {
        guard range.count == lowercase.count else { return false }
        for (i, c) in zip(range, lowercase) where b[i] | (c >= 0x61 && c <= 0x7A ? 0x20 : 0) != c { return false }
        return true
    }

    /// RFC 9110 `tchar`.
    private static let tchar: [Bool] = (0..<256).map { c in
        (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || "!#$%&'*+-.^_`|~".utf8.contains(UInt8(c))
    }

    /// Visible ASCII, space and tab (RFC 9110 `field-vchar` without obs-text).
    private static let fieldValueByte: [Bool] = (0..<256).map { c in c == 0x09 || (0x20...0x7E).contains(c) }
}
