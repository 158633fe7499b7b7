import ChurnCore
@testable import ChurnServe
import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `POST /v1/score` answered by `ScoreFastPathHandler` on the event loop against the same
/// requests answered by Hummingbird's router alone (`ServeConfig.scoreFastPath = false`):
/// two servers in this process on random loopback ports, same model, token and limits;
/// every case must give the same status, the same body bytes and the same headers
/// (Date aside, which is the clock).
final class ScoreFastPathTests: XCTestCase {
    var dir: URL!
    var fast: InProcessServer!
    var plain: InProcessServer!
    var token = ""
    static let maxRows = 1000, maxBodyBytes = 200_000

    override func setUpWithError() throws {
        dir = try ServeFixtures.tempDir()
        var config: ServeConfig, modelPath: String
        (config, modelPath, token) = try InProcessServer.fixtures(in: dir)
        config.port = 0
        config.limits.maxRows = Self.maxRows
        config.limits.maxBodyBytes = Self.maxBodyBytes
        fast = try InProcessServer(config: config, modelPath: modelPath)
        config.scoreFastPath = false
        plain = try InProcessServer(config: config, modelPath: modelPath)
    }

    override func tearDownWithError() throws {
        fast?.stop(); plain?.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    static func row(_ k: Int) -> String {
        let v = [Double(k % 10), Double(k % 31), Double(k % 17), Double(k % 40) / 3, Double(100 + k)]
        return "{" + zip(ServeFixtures.features, v).map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}"
    }

    static func body(rows n: Int, reasons: Bool? = nil) -> String {
        "{\"rows\":[" + (0..<n).map(row).joined(separator: ",") + "]" + (reasons.map { ",\"reasons\":\($0)" } ?? "") + "}"
    }

    /// One request's bytes: Content-Length framing, or chunked (the body in `chunks` pieces).
    func request(_ method: String = "POST", _ path: String = "/v1/score", body: String? = nil, token: String? = nil,
                 contentType: String? = "application/json", close: Bool = false, chunks: Int = 0) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if close { head += "Connection: close\r\n" }
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let contentType, body != nil { head += "Content-Type: \(contentType)\r\n" }
        guard let body else { return Array((head + "\r\n").utf8) }
        let b = Array(body.utf8)
        if chunks == 0 { return Array((head + "Content-Length: \(b.count)\r\n\r\n").utf8) + b }
        var out = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8)
        let size = (b.count + chunks - 1) / chunks
        for start in stride(from: 0, to: b.count, by: size) {
            let piece = b[start..<min(b.count, start + size)]
            out += Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8)
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    /// A request with one more header line after Host.
    func withHeader(_ line: String, _ request: [UInt8]) -> [UInt8] {
        Array(String(decoding: request, as: UTF8.self).replacingOccurrences(of: "Host: 127.0.0.1\r\n", with: "Host: 127.0.0.1\r\n\(line)\r\n").utf8)
    }

    /// Sends `bytes` on one connection to each server, reads `count` responses from each, and
    /// checks they agree; returns the fast server's.
    @discardableResult
    func same(_ bytes: [UInt8], count: Int = 1, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws -> [RawHTTP.Response] {
        var replies: [[RawHTTP.Response]] = []
        for s in [fast!, plain!] {
            let c = try RawHTTP(port: s.port)
            c.send(bytes)
            replies.append(try (0..<count).map { _ in try c.readResponse() })
        }
        let (a, b) = (replies[0], replies[1])
        for i in 0..<count {
            XCTAssertEqual(a[i].status, b[i].status, "\(what) #\(i): \(a[i].text) / \(b[i].text)", file: file, line: line)
            XCTAssertEqual(a[i].body, b[i].body, "\(what) #\(i): \(a[i].text) / \(b[i].text)", file: file, line: line)
            for h in ["content-type", "content-length", "server", "www-authenticate", "connection", "transfer-encoding"] {
                XCTAssertEqual(a[i].header(h), b[i].header(h), "\(what) #\(i) header \(h)", file: file, line: line)
            }
            for r in [a[i], b[i]] {
                let date = r.header("date") ?? ""
                XCTAssertNotNil(date.range(of: #"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$"#,
                                           options: .regularExpression), "\(what): Date '\(date)'", file: file, line: line)
            }
            XCTAssertEqual(a[i].headerNames, b[i].headerNames, "\(what) #\(i) header order", file: file, line: line)
        }
        return a
    }

    func testSuccessesAreByteIdenticalAndCounted() throws {
        for (n, reasons) in [(1, false), (1, true), (1, nil), (1000, false), (1000, true)] as [(Int, Bool?)] {
            let r = try same(request(body: Self.body(rows: n, reasons: reasons), token: token), "\(n) rows reasons \(String(describing: reasons))")
            XCTAssertEqual(r[0].status, 200, r[0].text)
            guard case .array(let results)? = try StrictJSON.parse(r[0].body)["results"] else { return XCTFail(r[0].text) }
            XCTAssertEqual(results.count, n)
            XCTAssertEqual(results[0]["reasons"] == nil, reasons == false)
        }
        // The same request counters and rows scored on both servers (metrics come from the same function).
        let mf = try metricLines(fast), mp = try metricLines(plain)
        XCTAssertTrue(mf.contains { $0.hasPrefix("churnlab_http_requests_total{route=\"/v1/score\",status=\"200\"} 5") }, mf.joined(separator: "\n"))
        let counted = { (lines: [String]) in
            lines.filter { ["churnlab_http_requests_total", "churnlab_scored_rows_total", "churnlab_http_request_duration_seconds_count"].contains(where: $0.hasPrefix) }.sorted()
        }
        XCTAssertEqual(counted(mf).count, 3)
        XCTAssertEqual(counted(mf), counted(mp))
    }

    func metricLines(_ s: InProcessServer) throws -> [String] {
        let c = try RawHTTP(port: s.port)
        c.send(request("GET", "/metrics"))
        return String(decoding: try c.readResponse().body, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testRefusalsAreHummingbirdsAnswers() throws {
        let one = Self.body(rows: 1, reasons: false)
        let cases: [(String, [UInt8], Int?, String?)] = [
            ("wrong token", request(body: one, token: "wrong-token-0123456789abcdef"), 401, nil),
            ("missing token", request(body: one), 401, nil),
            ("content type", request(body: one, token: token, contentType: "text/plain"), 415, nil),
            ("declared body over the limit", request(body: Self.body(rows: 2500), token: token), 413, nil),
            ("chunked body over the limit", request(body: Self.body(rows: 2500), token: token, chunks: 40), 413, nil),
            ("too many rows", request(body: Self.body(rows: Self.maxRows + 1), token: token), 400, "rows"),
            ("string value", request(body: one.replacingOccurrences(of: "\"events_7d\":0.0", with: "\"events_7d\":\"x\""), token: token), 400, "rows[0].events_7d"),
            ("unknown feature", request(body: one.replacingOccurrences(of: "\"events_7d\"", with: "\"bogus\""), token: token), 400, "rows[0].bogus"),
            ("malformed JSON", request(body: "{\"rows\": [}", token: token), 400, nil),
            ("no body", request(body: "", token: token), 400, nil),
            ("query string", request("POST", "/v1/score?x=1", body: one, token: token), 200, nil),
            ("GET", request("GET", "/v1/score", token: token), nil, nil),
            ("two Authorization headers", withHeader("Authorization: Bearer " + token, request(body: one, token: token)), nil, nil),
            ("two Content-Type headers", withHeader("Content-Type: text/plain", request(body: one, token: token)), nil, nil),
            ("Connection: keep-alive", withHeader("Connection: keep-alive", request(body: one, token: token)), 200, nil),
        ]
        XCTAssertTrue(one.contains("\"events_7d\":0.0"), one)
        for (what, bytes, status, field) in cases {
            let r = try same(bytes, what)[0]
            if let status { XCTAssertEqual(r.status, status, "\(what): \(r.text)") }
            if let field { XCTAssertEqual((try? StrictJSON.parse(r.body))?["error"]?["field"], .string(field), "\(what): \(r.text)") }
        }
    }

    func testChunkedBodyAndSplitWrites() throws {
        let body = Self.body(rows: 3, reasons: true)
        let r = try same(request(body: body, token: token, chunks: 7), "chunked")
        XCTAssertEqual(r[0].status, 200, r[0].text)
        let whole = try same(request(body: body, token: token), "whole")
        XCTAssertEqual(r[0].body, whole[0].body)
    }

    func testPipelinedRequestsKeepTheirOrder() throws {
        let events = "{\"events\":[{\"user\":\"u1\",\"type\":\"login\",\"time\":\"2024-06-01T12:00:00Z\"}]}"
        let seq: [[UInt8]] = [
            request(body: Self.body(rows: 1, reasons: false), token: token),
            request("GET", "/v1/health"),
            request(body: Self.body(rows: 2, reasons: true), token: token),
            request("POST", "/v1/events", body: events, token: token),
            request(body: Self.body(rows: 3, reasons: false), token: token),
            request(body: Self.body(rows: 1), token: "wrong-token-0123456789abcdef"),
            request(body: Self.body(rows: 4, reasons: false), token: token),
        ]
        let r = try same(seq.flatMap { $0 }, count: seq.count, "pipelined")
        XCTAssertEqual(r.map(\.status), [200, 200, 200, 200, 200, 401, 200])
        for (i, rows) in [(0, 1), (2, 2), (4, 3), (6, 4)] {
            guard case .array(let results)? = try StrictJSON.parse(r[i].body)["results"] else { return XCTFail(r[i].text) }
            XCTAssertEqual(results.count, rows, "response \(i): \(r[i].text)")
        }
        XCTAssertTrue(r[1].text.contains("\"status\":\"ok\""), r[1].text)
        XCTAssertEqual(r[3].text, "{\"accepted\":1}")
    }

    func testConnectionCloseEndsTheConnection() throws {
        let bytes = request(body: Self.body(rows: 1, reasons: false), token: token, close: true)
            + request(body: Self.body(rows: 2, reasons: false), token: token)
        for s in [fast!, plain!] {
            let c = try RawHTTP(port: s.port)
            c.send(bytes)
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertTrue(c.atEOF(), "the connection stays open after Connection: close")
        }
        try same(request(body: Self.body(rows: 1, reasons: false), token: token, close: true), "close")
    }

    func testRandomBodiesAgree() throws {
        // The API fuzz test's atoms, on the score route: status and body agree on both paths.
        var rng = SplitMix(77)
        let atoms = ["{", "}", "[", "]", ",", ":", "\"rows\"", "\"reasons\"", "true", "1", "-0.5e3", "null", " ", "1e400",
                     "\"events_7d\"", "\"events_30d\"", "\"active_days_30d\"", "\"recency_days\"", "\"tenure_days\"", "\"x\""]
        var ok = 0
        for i in 0..<150 {
            let text = i % 3 == 0 ? Self.body(rows: 1 + i % 4, reasons: i % 2 == 0)
                : (0..<Int(rng.next() % 40)).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            let r = try same(request(body: text, token: token), text)
            if r[0].status == 200 { ok += 1 }
        }
        XCTAssertGreaterThanOrEqual(ok, 50)
    }
}

/// A server of this process (`ServeServer.application`) on a random loopback port.
final class InProcessServer {
    let server: ServeServer
    let port: Int
    private let task: Task<Void, Never>

    /// The fixture model and token in `dir`, and a configuration with that token.
    static func fixtures(in dir: URL) throws -> (ServeConfig, modelPath: String, token: String) {
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        let t = try ServeFixtures.token(in: dir)
        var config = ServeConfig()
        config.token = try BearerToken(file: t.path)
        return (config, modelPath, t.token)
    }

    /// A server object (not listening) over the fixture model and token in a new temporary directory,
    /// with a body limit: for handlers tested alone in an `EmbeddedChannel`.
    static func unstarted(maxBodyBytes: Int) throws -> (dir: URL, server: ServeServer, token: String) {
        let dir = try ServeFixtures.tempDir()
        var (config, modelPath, token) = try fixtures(in: dir)
        config.limits.maxBodyBytes = maxBodyBytes
        return (dir, try server(config: config, modelPath: modelPath), token)
    }

    /// A server object (not listening) with an empty in-memory online state.
    static func server(config: ServeConfig, modelPath: String) throws -> ServeServer {
        ServeServer(config: config, model: ModelSlot(try ScoringModel(path: modelPath)),
                    store: try OnlineStore(spec: FeatureSpec(asOf: 0, families: FeatureFamily.allCases), stateDir: nil))
    }

    init(config: ServeConfig, modelPath: String) throws {
        server = try Self.server(config: config, modelPath: modelPath)
        let bound = PortBox()
        let app = server.application(onListening: { bound.set($0) })
        task = Task { try? await app.run() }
        let deadline = Date().addingTimeInterval(60)
        while bound.get() == 0 && Date() < deadline { usleep(10_000) }
        port = bound.get()
        guard port > 0 else { throw NSError(domain: "serve", code: 1, userInfo: [NSLocalizedDescriptionKey: "in-process server did not start"]) }
    }

    func stop() { task.cancel() }

    final class PortBox: @unchecked Sendable {
        private let lock = NSLock()
        private var port = 0
        func set(_ p: Int) { lock.withLock { port = p } }
        func get() -> Int { lock.withLock { port } }
    }
}

/// A blocking loopback HTTP/1.1 client that reads responses framed by Content-Length
/// (or chunked), leaving pipelined ones for the next read.
final class RawHTTP {
    struct Response {
        let status: Int
        let headers: [(String, String)]
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var headerNames: [String] { headers.map(\.0) }
        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    }

    private let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = try ServeProcess.connectLoopback(port: port)
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }     // the server may answer (413) and close before reading everything
            off += n
        }
    }

    /// More bytes into `pending`; false at end of stream.
    private func fill() -> Bool {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buf, buf.count, 0)
        guard n > 0 else { return false }
        pending += buf[0..<n]
        return true
    }

    private func take(until marker: [UInt8]) throws -> [UInt8] {
        while true {
            if pending.count >= marker.count {
                for i in 0...(pending.count - marker.count) where pending[i..<(i + marker.count)].elementsEqual(marker) {
                    let out = Array(pending[0..<i])
                    pending.removeFirst(i + marker.count)
                    return out
                }
            }
            guard fill() else { throw NSError(domain: "http", code: 0, userInfo: [NSLocalizedDescriptionKey: "connection ended mid-response"]) }
        }
    }

    private func take(count: Int) throws -> [UInt8] {
        while pending.count < count {
            guard fill() else { throw NSError(domain: "http", code: 0, userInfo: [NSLocalizedDescriptionKey: "connection ended mid-body"]) }
        }
        let out = Array(pending[0..<count])
        pending.removeFirst(count)
        return out
    }

    func readResponse() throws -> Response {
        let head = String(decoding: try take(until: Array("\r\n\r\n".utf8)), as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        let headers: [(String, String)] = head.dropFirst().compactMap { l in
            guard let c = l.firstIndex(of: ":") else { return nil }
            return (l[..<c].lowercased(), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces))
        }
        let h = { (n: String) in headers.first { $0.0 == n }?.1 }
        var body: [UInt8] = []
        if let n = h("content-length").flatMap(Int.init) {
            body = try take(count: n)
        } else if h("transfer-encoding") == "chunked" {
            while true {
                let size = Int(String(decoding: try take(until: Array("\r\n".utf8)), as: UTF8.self), radix: 16) ?? 0
                if size == 0 { _ = try take(until: Array("\r\n".utf8)); break }
                body += try take(count: size)
                _ = try take(count: 2)
            }
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server has closed (or half-closed) its side with nothing more to read.
    func atEOF() -> Bool { pending.isEmpty && !fill() }
}

/// `ScoreFastPathHandler` alone in an `EmbeddedChannel`: which requests it answers itself
/// and which it passes on, unchanged, to the handler behind it (Hummingbird's).
final class ScoreFastPathHandlerTests: XCTestCase {
    var dir: URL!
    var server: ServeServer!
    var token = ""

    override func setUpWithError() throws { (dir, server, token) = try InProcessServer.unstarted(maxBodyBytes: 4096) }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func send(_ channel: EmbeddedChannel, path: String = "/v1/score", token: String?, body: [String], connection: String? = nil) throws {
        var head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: path)
        if let token { head.headerFields[.authorization] = "Bearer " + token }
        head.headerFields[.contentType] = "application/json"
        if let connection { head.headerFields[.connection] = connection }
        try channel.writeInbound(HTTPRequestPart.head(head))
        for b in body { try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: b))) }
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.pipeline.fireChannelReadComplete()
    }

    /// The parts passed on since the last call: (heads, body bytes, ends).
    func passed(_ channel: EmbeddedChannel) throws -> (heads: [String], body: String, ends: Int) {
        var heads: [String] = [], body = "", ends = 0
        while let p = try channel.readInbound(as: HTTPRequestPart.self) {
            switch p {
            case .head(let h): heads.append(h.path ?? "")
            case .body(let b): body += String(buffer: b)
            case .end: ends += 1
            }
        }
        return (heads, body, ends)
    }

    /// The responses this handler wrote since the last call: (status, body) each.
    func answered(_ channel: EmbeddedChannel) throws -> [(Int, String)] {
        var out: [(Int, String)] = [], status = 0, body = ""
        while let p = try channel.readOutbound(as: HTTPResponsePart.self) {
            switch p {
            case .head(let h): status = h.status.code; body = ""
            case .body(let b): body += String(buffer: b)
            case .end: out.append((status, body))
            }
        }
        return out
    }

    func testAnswersGoodScoresAndPassesTheRestOnInOrder() throws {
        let channel = EmbeddedChannel(handler: ScoreFastPathHandler(server: server))
        let row = "{\"rows\":[{\"events_7d\":1,\"events_30d\":2,\"active_days_30d\":3,\"recency_days\":4,\"tenure_days\":5}],\"reasons\":false}"
        // A good request in two body parts: answered here, nothing passed on.
        try send(channel, token: token, body: [String(row.prefix(20)), String(row.dropFirst(20))])
        let a = try answered(channel)
        XCTAssertEqual(a.count, 1)
        XCTAssertEqual(a.first?.0, 200)
        XCTAssertTrue(a.first?.1.hasPrefix("{\"model_version\":") == true, "\(a)")
        XCTAssertEqual(try passed(channel).heads, [])
        // Wrong token, a body the fast decoder refuses, another route: passed on as they came.
        try send(channel, token: "wrong-token-0123456789abcdef", body: [row])
        var p = try passed(channel)
        XCTAssertEqual(p.heads, ["/v1/score"]); XCTAssertEqual(p.body, row); XCTAssertEqual(p.ends, 1)
        XCTAssertEqual(try answered(channel).count, 0)
        // Hummingbird has not answered that one yet: a good score behind it waits its turn (passed on too).
        try send(channel, token: token, body: [row])
        XCTAssertEqual(try passed(channel).heads, ["/v1/score"])
        XCTAssertEqual(try answered(channel).count, 0)
        // Both answered (their ends written through this handler): the next good one is answered here again.
        for _ in 0..<2 { try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok))); try channel.writeOutbound(HTTPResponsePart.end(nil)) }
        _ = try answered(channel)
        try send(channel, token: token, body: [row])
        XCTAssertEqual(try answered(channel).map(\.0), [200])
        XCTAssertEqual(try passed(channel).heads, [])
        // Unknown key: refused by the fast decoder, passed on with its body.
        let bad = row.replacingOccurrences(of: "events_7d", with: "bogus")
        try send(channel, token: token, body: [bad])
        p = try passed(channel)
        XCTAssertEqual(p.heads, ["/v1/score"]); XCTAssertEqual(p.body, bad)
        try channel.writeOutbound(HTTPResponsePart.end(nil)); _ = try answered(channel)
        // Over the body limit (4096 here): passed on from the part that crosses it.
        let big = "{\"rows\":[" + Array(repeating: String(row.dropFirst(9).dropLast(18)), count: 60).joined(separator: ",") + "]}"
        XCTAssertGreaterThan(big.utf8.count, 4096)
        try send(channel, token: token, body: [String(big.prefix(3000)), String(big.dropFirst(3000))])
        p = try passed(channel)
        XCTAssertEqual(p.heads, ["/v1/score"]); XCTAssertEqual(p.body, big); XCTAssertEqual(p.ends, 1)
        try channel.writeOutbound(HTTPResponsePart.end(nil)); _ = try answered(channel)
        // Connection: close: passed on, and so is everything after it on this connection.
        try send(channel, token: token, body: [row], connection: "close")
        try channel.writeOutbound(HTTPResponsePart.end(nil)); _ = try answered(channel)
        try send(channel, token: token, body: [row])
        XCTAssertEqual(try passed(channel).heads, ["/v1/score", "/v1/score"])
        XCTAssertEqual(try answered(channel).count, 0)
        XCTAssertNoThrow(try channel.finish())
    }

    func testARequestHeldWhenTheInputEndsIsPassedOn() throws {
        let channel = EmbeddedChannel(handler: ScoreFastPathHandler(server: server))
        var head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/score")
        head.headerFields[.authorization] = "Bearer " + token
        head.headerFields[.contentType] = "application/json"
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{\"rows\":[")))
        XCTAssertEqual(try passed(channel).heads, [])     // held: a score the handler may answer
        // The client half-closes mid-body: Hummingbird gets the request as far as it came.
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        let p = try passed(channel)
        XCTAssertEqual(p.heads, ["/v1/score"]); XCTAssertEqual(p.body, "{\"rows\":["); XCTAssertEqual(p.ends, 0)
        // The rest of that request follows it.
        try channel.writeInbound(HTTPRequestPart.end(nil))
        XCTAssertEqual(try passed(channel).ends, 1)
        XCTAssertEqual(try answered(channel).count, 0)
        XCTAssertNoThrow(try channel.finish())
    }

    func testHeaderChecksOnBytesAnswerAsTheStringFormsDid() {
        // Reference: the String expressions these checks replaced (lowercased().hasPrefix, prefix(7).lowercased()).
        let types = ["application/json", "Application/JSON; charset=utf-8", "application/jsonp", "application/json\u{301}",
                     "application/jso", "text/plain", "APPLICATION/JSON", "appl\u{130}cation/json", "application\u{0F}json", ""]
        for t in types {
            XCTAssertEqual(ASCIICase.hasPrefix(t, Array("application/json".utf8)), t.lowercased().hasPrefix("application/json"), t)
        }
        let secret = "s3cret-token-for-tests-0123456789"
        let token = BearerToken(token: secret)
        for (h, ok) in [("Bearer " + secret, true), ("bearer " + secret, true), ("BEARER " + secret, true), ("Bearer  " + secret, false),
                        ("Bearer " + secret + "x", false), ("Basic " + secret, false), ("Bearer", false), ("Bearer ", false),
                        ("Bearer\u{301} " + secret, false), ("Bearer \u{301}" + secret, false), (secret, false)] {
            XCTAssertEqual(token.accepts(authorization: h), ok, h)
        }
        XCTAssertFalse(token.accepts(authorization: nil))
    }

    func testDateHeaderIsIMFFixdate() {
        // Hand-computed: the epoch was a Thursday; 2000-02-29 (11,016 days later) a Tuesday.
        XCTAssertEqual(DateHeader.format(0), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(DateHeader.format(11_016 * 86_400 + 13 * 3600 + 5 * 60 + 9), "Tue, 29 Feb 2000 13:05:09 GMT")
        XCTAssertEqual(DateHeader.format(-1), "Wed, 31 Dec 1969 23:59:59 GMT")
    }
}
