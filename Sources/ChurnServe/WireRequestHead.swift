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
/// - `Content-Length` is there, once, 1–9 digits and nothing after them; `Authorization`, `Content-Type` and
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
            while p < end, isTchar(b[p]) { p += 1 }
            guard p > pos, p < end, b[p] == 0x3A else { return .declined }
            let name = pos..<p
            p += 1
            while p < end, b[p] == 0x20 || b[p] == 0x09 { p += 1 }
            var q = end
            while q > p, b[q - 1] == 0x20 || b[q - 1] == 0x09 { q -= 1 }
            for i in p..<q where !isFieldValueByte(b[i]) { return .declined }
            let value = p..<q
            switch Field(b, name) {
            case .contentLength:
                // No whitespace after the digits: llhttp refuses `Content-Length: 12 ` (a 400 from the router).
                guard head.contentLength < 0, (1...9).contains(value.count), q == end else { return .declined }
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
                guard !connectionSeen, matches(b, value, "keep-alive") else { return .declined }
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
            func named(_ s: StaticString) -> Bool { WireRequestHead.matches(b, name, s) }
            switch name.count {
            case 14 where named("content-length"): self = .contentLength
            case 13 where named("authorization"): self = .authorization
            case 12 where named("content-type"): self = .contentType
            case 10 where named("connection"): self = .connection
            case 17 where named("transfer-encoding"), 6 where named("expect"), 7 where named("upgrade"): self = .framing
            default: self = .other
            }
        }
    }

    /// Whether `b[range]` equals `lowercase` (lowercase ASCII), letters either case.
    private static func matches(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let l = lowercase.utf8Start
        for (k, i) in range.enumerated() {
            let c = l[k]
            guard b[i] | (c >= 0x61 && c <= 0x7A ? 0x20 : 0) == c else { return false }
        }
        return true
    }

    /// RFC 9110 `tchar` (`!#$%&'*+-.^_`|~`, digits, letters), as two 64-bit masks over ASCII:
    /// literals, so no lazily initialised table is touched per byte.
    @inline(__always) private static func isTchar(_ c: UInt8) -> Bool {
        c < 64 ? (0x03FF_6CFA_0000_0000 as UInt64) >> c & 1 != 0
            : c < 128 && (0x57FF_FFFF_C7FF_FFFE as UInt64) >> (c - 64) & 1 != 0
    }

    /// Visible ASCII, space and tab (RFC 9110 `field-vchar` without obs-text).
    @inline(__always) private static func isFieldValueByte(_ c: UInt8) -> Bool { c == 0x09 || (0x20...0x7E).contains(c) }
}
