@testable import ChurnServe
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import XCTest

/// `WireRequestHead`: the request heads it reads off raw bytes, the ones it declines, and —
/// the property `ScoreWireHandler` rests on — that every head it accepts is one the server's
/// own HTTP/1 pipeline (NIO's decoder, llhttp, then the HTTPTypes conversion Hummingbird's
/// router sees) reads the same way: same request line, same framing (where the head ends,
/// how long the body is) and the same Authorization and Content-Type values (HTTPTypes trims
/// a value's surrounding whitespace, as this reader does; llhttp alone keeps trailing spaces).
/// `scripts/fuzz serve_wire` checks the same property on libFuzzer's inputs.
final class WireRequestHeadTests: XCTestCase {
    static let line = ScoreWireHandler.requestLine

    static func head(_ lines: [String], requestLine: String = "POST /v1/score HTTP/1.1") -> [UInt8] {
        Array((([requestLine] + lines).joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    static let canonical = ["Host: 127.0.0.1:8080", "Authorization: Bearer abc", "Content-Type: application/json", "Content-Length: 12"]

    func read(_ bytes: [UInt8], maxLength: Int = ScoreWireHandler.maxHeadLength) -> WireRequestHead.Reading {
        bytes.withUnsafeBytes { WireRequestHead.read($0, requestLine: Self.line, maxLength: maxLength) }
    }

    func value(_ bytes: [UInt8], _ r: Range<Int>?) -> String? { r.map { String(decoding: bytes[$0], as: UTF8.self) } }

    func testReadsTheCanonicalHead() throws {
        let b = Self.head(Self.canonical)
        guard case .head(let h) = read(b + Array("{\"rows\":[]}x".utf8)) else { return XCTFail("\(read(b))") }
        XCTAssertEqual(h.length, b.count)
        XCTAssertEqual(h.contentLength, 12)
        XCTAssertEqual(value(b, h.authorization), "Bearer abc")
        XCTAssertEqual(value(b, h.contentType), "application/json")
        // Names in any case, optional whitespace around values trimmed, keep-alive, other headers ignored.
        let odd = Self.head(["host:x", "AUTHORIZATION:\t Bearer abc \t", "content-TYPE:application/json ; charset=utf-8",
                             "CONTENT-LENGTH:   007", "Connection: Keep-Alive", "X-Custom_1: a=b, c; d", "Accept: */*"])
        guard case .head(let o) = read(odd) else { return XCTFail("\(read(odd))") }
        XCTAssertEqual(o.contentLength, 7)
        XCTAssertEqual(value(odd, o.authorization), "Bearer abc")
        XCTAssertEqual(value(odd, o.contentType), "application/json ; charset=utf-8")
        let parsed = try XCTUnwrap(pipeline(odd + Array("1234567".utf8)), "the HTTP/1 pipeline reads it too")
        XCTAssertEqual(parsed.0.headerFields[.authorization], "Bearer abc")
        XCTAssertEqual(parsed.1, 7)
        // No Authorization or Content-Type: read (the server's checks then refuse it), ranges nil.
        guard case .head(let bare) = read(Self.head(["Content-Length: 0"])) else { return XCTFail() }
        XCTAssertNil(bare.authorization); XCTAssertNil(bare.contentType); XCTAssertEqual(bare.contentLength, 0)
    }

    func testEveryPrefixIsIncomplete() {
        let b = Self.head(Self.canonical)
        for n in 0..<b.count { XCTAssertEqual(read(Array(b[..<n])), .incomplete, "prefix of \(n) bytes") }
        guard case .head = read(b) else { return XCTFail() }
    }

    func testDeclines() {
        let cases: [(String, [UInt8])] = [
            ("another route", Self.head(Self.canonical, requestLine: "POST /v1/events HTTP/1.1")),
            ("a query string", Self.head(Self.canonical, requestLine: "POST /v1/score?x=1 HTTP/1.1")),
            ("GET", Self.head(Self.canonical, requestLine: "GET /v1/score HTTP/1.1")),
            ("HTTP/1.0", Self.head(Self.canonical, requestLine: "POST /v1/score HTTP/1.0")),
            ("lowercase method", Self.head(Self.canonical, requestLine: "post /v1/score HTTP/1.1")),
            ("no Content-Length", Self.head(["Host: x", "Authorization: Bearer abc"])),
            ("two Content-Lengths", Self.head(Self.canonical + ["Content-Length: 12"])),
            ("two Authorizations", Self.head(Self.canonical + ["Authorization: Bearer abc"])),
            ("two Content-Types", Self.head(Self.canonical + ["Content-Type: text/plain"])),
            ("Connection: close", Self.head(Self.canonical + ["Connection: close"])),
            ("Connection: keep-alive, Upgrade", Self.head(Self.canonical + ["Connection: keep-alive, Upgrade"])),
            ("two Connections", Self.head(Self.canonical + ["Connection: keep-alive", "Connection: keep-alive"])),
            ("Transfer-Encoding", Self.head(Self.canonical + ["Transfer-Encoding: chunked"])),
            ("Expect", Self.head(Self.canonical + ["Expect: 100-continue"])),
            ("Upgrade", Self.head(Self.canonical + ["Upgrade: h2c"])),
            ("signed length", Self.head(["Content-Length: +12"])),
            ("ten-digit length", Self.head(["Content-Length: 1234567890"])),
            ("empty length", Self.head(["Content-Length: "])),
            ("hex length", Self.head(["Content-Length: 0x1"])),
            ("space after the length", Self.head(["Content-Length: 12 "])),
            ("tab after the length", Self.head(["Content-Length: 12\t"])),
            ("length list", Self.head(["Content-Length: 12, 12"])),
            ("space before the colon", Self.head(["Content-Length : 12"])),
            ("empty name", Self.head([": x", "Content-Length: 12"])),
            ("obs-fold", Self.head(["Content-Length: 12", "X-A: a", " continued"])),
            ("non-token name", Self.head(["X(A): a", "Content-Length: 12"])),
            ("obs-text value", Array("POST /v1/score HTTP/1.1\r\nX-A: caf\u{E9}\r\nContent-Length: 12\r\n\r\n".utf8)),
            ("control byte in a value", Array("POST /v1/score HTTP/1.1\r\nX-A: a\u{1}b\r\nContent-Length: 12\r\n\r\n".utf8)),
            ("bare LF", Array("POST /v1/score HTTP/1.1\r\nContent-Length: 12\n\r\n".utf8)),
            ("bare LF ending the head", Array("POST /v1/score HTTP/1.1\r\nContent-Length: 12\r\n\n".utf8)),
            ("CR inside a value", Array("POST /v1/score HTTP/1.1\r\nX-A: a\rb\r\nContent-Length: 12\r\n\r\n".utf8)),
            ("too many fields", Self.head((0..<WireRequestHead.maxFields).map { "X-\($0): v" } + ["Content-Length: 1"])),
        ]
        for (what, bytes) in cases { XCTAssertEqual(read(bytes), .declined, what) }
        // The head must end within maxLength bytes: declined once that many have come without its end.
        let long = Self.head(Self.canonical + ["X-Pad: " + String(repeating: "a", count: 200)])
        XCTAssertEqual(read(long, maxLength: 100), .declined)
        XCTAssertEqual(read(Array(long[..<99]), maxLength: 100), .incomplete)
        if case .head = read(long, maxLength: long.count) {} else { XCTFail("a head of exactly maxLength bytes") }
        XCTAssertEqual(read(long, maxLength: long.count - 1), .declined)
    }

    /// The server's HTTP/1 pipeline on `bytes`: the head it parsed and the body bytes it framed,
    /// or nil when it refused the bytes or did not finish the request.
    func pipeline(_ bytes: [UInt8]) -> (HTTPRequest, Int)? {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        XCTAssertNoThrow(try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)), HTTP1ToHTTPServerCodec(secure: false)]))
        guard (try? channel.writeInbound(ByteBuffer(bytes: bytes))) != nil else { return nil }
        var head: HTTPRequest?, body = 0, ended = false
        while !ended, let part = try? channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let h): head = h
            case .body(let b): body += b.readableBytes
            case .end: ended = true
            }
        }
        guard let head, ended else { return nil }
        return (head, body)
    }

    func testEveryAcceptedHeadIsThePipelinesReading() throws {
        // Random edits of valid heads (bytes that tend to matter in HTTP/1 inserted, removed or
        // swapped, lines repeated or dropped, spaces before a line end); whatever the reader accepts, the pipeline must read
        // with the same framing and values. Some edits keep the head valid, so both kinds occur.
        var rng = SplitMix(2026)
        let alphabet: [UInt8] = Array(" \t\r\n:;,-_aAzZ09+/=\u{7F}".utf8) + [0x00, 0x80, 0xC3, 0xFF]
        let lines = Self.canonical + ["Connection: keep-alive", "Accept: */*", "User-Agent: curl/8.5.0", "X-Trace: 1"]
        var accepted = 0, declined = 0
        for i in 0..<3000 {
            var fields = lines.filter { _ in rng.next() % 4 != 0 }
            if rng.next() % 3 == 0 { fields.append(lines[Int(rng.next() % UInt64(lines.count))]) }
            fields.shuffle(using: &rng)
            var b = Self.head(fields)
            if rng.next() % 4 == 0, let cr = b.indices.dropFirst(Self.line.count).filter({ b[$0] == 0x0D }).randomElement(using: &rng) {
                b.insert(contentsOf: rng.next() % 2 == 0 ? [0x20] : [0x20, 0x09, 0x20], at: cr)   // trailing whitespace in a value
            }
            for _ in 0..<Int(rng.next() % 3) {
                let at = Self.line.count + Int(rng.next() % UInt64(b.count - Self.line.count))
                switch rng.next() % 3 {
                case 0: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                case 1: b.remove(at: at)
                default: b[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                }
            }
            guard case .head(let h) = read(b) else { declined += 1; continue }
            accepted += 1
            let text = String(decoding: b, as: UTF8.self).debugDescription
            let body = Array(repeating: UInt8(ascii: "x"), count: h.contentLength)
            guard let (ref, bodyBytes) = pipeline(Array(b[..<h.length]) + body) else {
                return XCTFail("case \(i): accepted, the HTTP/1 pipeline refuses it: \(text)")
            }
            XCTAssertEqual(ref.method, .post, text)
            XCTAssertEqual(ref.path, "/v1/score", text)
            XCTAssertEqual(bodyBytes, h.contentLength, text)
            let got = ref.headerFields
            XCTAssertEqual(got[values: .contentLength].count, 1, text)
            XCTAssertEqual(got[.contentLength].flatMap { Int($0) }, h.contentLength, text)
            XCTAssertLessThanOrEqual(got[values: .authorization].count, 1, text)
            XCTAssertEqual(got[.authorization], value(b, h.authorization), text)
            XCTAssertLessThanOrEqual(got[values: .contentType].count, 1, text)
            XCTAssertEqual(got[.contentType], value(b, h.contentType), text)
            XCTAssertEqual(got[.connection].map { $0.lowercased() } ?? "keep-alive", "keep-alive", text)
            // Where the head ends: one byte less and llhttp has no head yet.
            let cut = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
            XCTAssertNoThrow(try cut.writeInbound(ByteBuffer(bytes: b[..<(h.length - 1)])), text)
            XCTAssertNil(try cut.readInbound(as: HTTPServerRequestPart.self), text)
            _ = try? cut.finish()
        }
        XCTAssertGreaterThan(accepted, 500, "accepted \(accepted), declined \(declined)")
        XCTAssertGreaterThan(declined, 500, "accepted \(accepted), declined \(declined)")
    }
}
