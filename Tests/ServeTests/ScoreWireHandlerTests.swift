import ChurnCore
@testable import ChurnServe
import NIOCore
import NIOEmbedded
import XCTest

/// `ScoreWireHandler` alone in an `EmbeddedChannel`, on raw bytes: the requests it answers
/// (one buffer each, in order, however the bytes arrive) and the bytes it hands to the
/// HTTP/1 decoder behind it — unchanged, from a request's first byte, and everything after.
/// (`ScoreFastPathTests` runs it in a real server against Hummingbird's own answers.)
final class ScoreWireHandlerTests: XCTestCase {
    var dir: URL!
    var server: ServeServer!
    var token = ""
    static let row = "{\"rows\":[{\"events_7d\":1,\"events_30d\":2,\"active_days_30d\":3,\"recency_days\":4,\"tenure_days\":5}],\"reasons\":false}"

    override func setUpWithError() throws { (dir, server, token) = try InProcessServer.unstarted(maxBodyBytes: 4096) }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func request(_ body: String = ScoreWireHandlerTests.row, token: String? = nil, line: String = "POST /v1/score HTTP/1.1",
                 extra: [String] = []) -> [UInt8] {
        var head = [line, "Host: 127.0.0.1"] + extra
        head.append("Authorization: Bearer " + (token ?? self.token))
        head += ["Content-Type: application/json", "Content-Length: \(body.utf8.count)"]
        return Array((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    func channel() -> EmbeddedChannel { EmbeddedChannel(handler: ScoreWireHandler(server: server)) }

    /// Writes `pieces` one read each (each followed by read-complete, as a socket's reads are).
    func feed(_ c: EmbeddedChannel, _ pieces: [ArraySlice<UInt8>]) throws {
        for p in pieces { try c.writeInbound(ByteBuffer(bytes: p)) }
    }

    /// Everything written towards the socket since the last call, and the buffers it was written in.
    func written(_ c: EmbeddedChannel) throws -> (bytes: [UInt8], buffers: Int) {
        var out: [UInt8] = [], n = 0
        while let b = try c.readOutbound(as: ByteBuffer.self) { out += b.readableBytesView; n += 1 }
        return (out, n)
    }

    /// Everything handed to the decoder since the last call.
    func passed(_ c: EmbeddedChannel) throws -> [UInt8] {
        var out: [UInt8] = []
        while let b = try c.readInbound(as: ByteBuffer.self) { out += b.readableBytesView }
        return out
    }

    /// Responses in `bytes` as (head lines, body), split by their Content-Length.
    func responses(_ bytes: [UInt8]) throws -> [(head: [String], body: String)] {
        var out: [(head: [String], body: String)] = [], rest = bytes[...]
        while !rest.isEmpty {
            let text = String(decoding: rest, as: UTF8.self)
            let parts = try XCTUnwrap(text.range(of: "\r\n\r\n"))
            let head = text[..<parts.lowerBound].components(separatedBy: "\r\n")
            let length = try XCTUnwrap(head.first { $0.hasPrefix("Content-Length: ") }.flatMap { Int($0.dropFirst(16)) })
            let start = text.utf8.distance(from: text.startIndex, to: parts.upperBound)
            out.append((head, String(decoding: rest.dropFirst(start).prefix(length), as: UTF8.self)))
            rest = rest.dropFirst(start + length)
        }
        return out
    }

    /// The response the router's handler would send for `body`: `ServeServer.fastScoreJSON`'s text.
    func expected(_ body: String) throws -> String {
        var b = Array(body.utf8)
        return try XCTUnwrap(try b.withUnsafeMutableBufferPointer { try server.fastScoreJSON(UnsafeBufferPointer($0), model: server.model.current) })
    }

    func testAnswersAScoreWithOneBufferInHummingbirdsFormat() throws {
        let c = channel()
        try feed(c, [request()[...]])
        let (bytes, buffers) = try written(c)
        XCTAssertEqual(buffers, 1)
        let r = try responses(bytes)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r[0].head.count, 5)
        XCTAssertEqual(r[0].head[0], "HTTP/1.1 200 OK")
        XCTAssertEqual(r[0].head[1], "Content-Type: application/json; charset=utf-8")
        XCTAssertEqual(r[0].head[2], "Content-Length: \(r[0].body.utf8.count)")
        XCTAssertNotNil(r[0].head[3].range(of: #"^Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$"#, options: .regularExpression), r[0].head[3])
        XCTAssertEqual(r[0].head[4], "Server: churnlab")
        XCTAssertEqual(r[0].body, try expected(Self.row))
        XCTAssertEqual(try passed(c), [])
        XCTAssertNoThrow(try c.finish())
    }

    func testAnswersAlikeWhereverTheReadsSplitTheBytes() throws {
        let two = request() + request(Self.row.replacingOccurrences(of: "\"events_7d\":1", with: "\"events_7d\":9"))
        let want = [try expected(Self.row), try expected(Self.row.replacingOccurrences(of: "\"events_7d\":1", with: "\"events_7d\":9"))]
        XCTAssertNotEqual(want[0], want[1])
        for cut in 1..<two.count {
            let c = channel()
            try feed(c, [two[..<cut], two[cut...]])
            XCTAssertEqual(try responses(try written(c).bytes).map(\.body), want, "cut at \(cut)")
            XCTAssertEqual(try passed(c), [], "cut at \(cut)")
        }
        // One byte a read.
        let c = channel()
        try feed(c, two.indices.map { two[$0...$0] })
        XCTAssertEqual(try responses(try written(c).bytes).map(\.body), want)
        XCTAssertEqual(try passed(c), [])
    }

    func testHandsOverFromTheFirstRequestItWillNotAnswer() throws {
        let health = Array("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let c = channel()
        try feed(c, [(request() + request() + health + request())[...]])
        XCTAssertEqual(try responses(try written(c).bytes).count, 2)
        XCTAssertEqual(try passed(c), health + request())
        // One-way: the connection is the decoder's from here on, good scores included.
        try feed(c, [request()[...]])
        XCTAssertEqual(try written(c).buffers, 0)
        XCTAssertEqual(try passed(c), request())
    }

    func testDeclinedRequestsReachTheDecoderWhole() throws {
        let big = "{\"rows\":[" + Array(repeating: String(Self.row.dropFirst(9).dropLast(18)), count: 60).joined(separator: ",") + "]}"
        XCTAssertGreaterThan(big.utf8.count, 4096)
        let cases: [(String, [UInt8])] = [
            ("wrong token", request(token: "wrong-token-0123456789abcdef")),
            ("body over the limit", request(big)),
            ("unknown feature", request(Self.row.replacingOccurrences(of: "events_7d", with: "bogus"))),
            ("malformed JSON", request("{\"rows\":[}")),
            ("another route", request(line: "POST /v1/events HTTP/1.1")),
            ("Expect", request(extra: ["Expect: 100-continue"])),
            ("Connection: close", request(extra: ["Connection: close"])),
            ("chunked", Array("POST /v1/score HTTP/1.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".utf8)),
        ]
        for (what, bytes) in cases {
            let c = channel()
            try feed(c, [bytes[...]])
            XCTAssertEqual(try written(c).buffers, 0, what)
            XCTAssertEqual(try passed(c), bytes, what)
        }
        // A body over the limit is handed over as soon as its head is read, not after the body.
        let c = channel()
        let bytes = request(big)
        try feed(c, [bytes[..<200]])
        XCTAssertEqual(try passed(c), Array(bytes[..<200]))
    }

    func testConnectionEventsHandOverAHeldRequest() throws {
        let bytes = request()
        // The client half-closes mid-request: the decoder gets the request as far as it came, then the event.
        var c = channel()
        try feed(c, [bytes[..<100]])
        XCTAssertEqual(try passed(c), [])
        c.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertEqual(try passed(c), Array(bytes[..<100]))
        try feed(c, [bytes[100...]])
        XCTAssertEqual(try passed(c), Array(bytes[100...]))
        XCTAssertEqual(try written(c).buffers, 0)
        // Graceful shutdown: after the quiesce event, requests go to Hummingbird (which closes after answering).
        c = channel()
        try feed(c, [bytes[...]])
        XCTAssertEqual(try written(c).buffers, 1)
        c.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try feed(c, [bytes[...]])
        XCTAssertEqual(try written(c).buffers, 0)
        XCTAssertEqual(try passed(c), bytes)
    }
}
