import ChurnCore
import ChurnServe
import Foundation
import XCTest

/// `churnlab serve` over real HTTP on a random loopback port: scoring, the
/// API document, authentication, limits, strict validation, events → risk.
final class ServeHTTPTests: XCTestCase {
    var dir: URL!
    var modelPath: String { dir.appendingPathComponent("m.clm").path }

    override func setUpWithError() throws {
        dir = try ServeFixtures.tempDir()
        try ServeFixtures.model(at: modelPath)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func start(_ extra: [String] = [], token: Bool = true) throws -> (ServeProcess, String) {
        let t = try ServeFixtures.token(in: dir)
        let s = try ServeProcess(["--model", modelPath] + (token ? ["--token-file", t.path] : []) + extra)
        return (s, t.token)
    }

    static func rowJSON(_ v: [Double]) -> String {
        "{" + zip(ServeFixtures.features, v).map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
    }

    func testScoreMatchesTheModelInProcess() throws {
        let (s, token) = try start()
        let rows: [[Double]] = [[1, 3, 2, 20, 100], [0, 0, 0, 60, 300], [9, 30, 20, 0.5, 12]]
        let r = try s.request("POST", "/v1/score", json: "{\"rows\": [\(rows.map(Self.rowJSON).joined(separator: ","))]}", token: token)
        XCTAssertEqual(r.status, 200, r.body)
        let results = r.object["results"] as! [[String: Any]]
        // Reference: the same file loaded in this process (predictProba, explanation).
        let m = try ScoringModel(path: modelPath)
        let frame = try Frame(ServeFixtures.features.enumerated().map { k, n in Column.float(n, rows.map { $0[k] }) })
        let ref = try m.score(frame, reasons: true)
        XCTAssertEqual(results.count, 3)
        // Probabilities read with StrictJSON (correctly rounded; Foundation's parser on Linux is not): bit-identical.
        guard case .array(let exact)? = try StrictJSON.parse(Array(r.body.utf8))["results"] else { return XCTFail(r.body) }
        for i in 0..<3 {
            XCTAssertEqual(exact[i]["probability"], .number(ref[i].probability))
            let p = ref[i].probability
            XCTAssertEqual(results[i]["tier"] as? String, p >= 0.7 ? "high" : p >= 0.4 ? "medium" : "low")
            let reasons = results[i]["reasons"] as! [[String: Any]]
            XCTAssertEqual(reasons.map { $0["feature"] as! String }, ref[i].reasons.map(\.feature))
            XCTAssertLessThanOrEqual(reasons.count, 3)
            XCTAssertTrue(reasons.allSatisfy { ($0["contribution"] as! Double) > 0 })
        }
        XCTAssertEqual(r.object["model_version"] as? String, m.version)
        // reasons: false leaves them out.
        let r2 = try s.request("POST", "/v1/score", json: "{\"rows\": [\(Self.rowJSON(rows[0]))], \"reasons\": false}", token: token)
        XCTAssertNil((r2.object["results"] as! [[String: Any]])[0]["reasons"])
    }

    func testHealthMetricsAndOpenAPIListsEveryRoute() throws {
        let (s, token) = try start()
        let h = try s.request("GET", "/v1/health")
        XCTAssertEqual(h.status, 200)
        XCTAssertEqual(h.object["status"] as? String, "ok")
        XCTAssertEqual(h.object["model_kind"] as? String, "logistic")
        _ = try s.request("POST", "/v1/score", json: "{\"rows\": [\(Self.rowJSON([1, 2, 3, 4, 5]))]}", token: token)
        let m = try s.request("GET", "/metrics")
        XCTAssertEqual(m.status, 200)
        for needle in ["churnlab_http_requests_total{route=\"/v1/score\",status=\"200\"} 1",
                       "churnlab_http_request_duration_seconds_bucket{route=\"/v1/score\"",
                       "churnlab_model_info{version=\"\(h.object["model_version"] as! String)\",kind=\"logistic\"} 1",
                       "churnlab_state_users_count 0", "churnlab_scored_rows_total 1"] {
            XCTAssertTrue(m.body.contains(needle), "metrics lack \(needle):\n\(m.body)")
        }
        let o = try s.request("GET", "/v1/openapi.json")
        XCTAssertEqual(o.status, 200)
        let paths = o.object["paths"] as! [String: [String: Any]]
        for route in ServeRoute.all {
            XCTAssertNotNil(paths[route.path]?[route.method.lowercased()], "openapi.json lacks \(route.method) \(route.path)")
        }
        XCTAssertEqual(paths.values.reduce(0) { $0 + $1.count }, ServeRoute.all.count, "openapi.json documents a route the server lacks")
        // The served document is the one kept in the repository.
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let kept = try String(contentsOf: repo.appendingPathComponent("docs/openapi.json"), encoding: .utf8)
        XCTAssertEqual(kept.trimmingCharacters(in: .whitespacesAndNewlines), o.body.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testBearerTokenOnEveryPostAndAdminRoute() throws {
        let (s, token) = try start()
        let body = "{\"rows\": [\(Self.rowJSON([1, 2, 3, 4, 5]))]}"
        let protected: [(String, String, String?)] = [("POST", "/v1/score", body), ("POST", "/v1/events", "{\"events\": []}"),
                                                      ("POST", "/v1/admin/reload", nil), ("GET", "/v1/users/u1/risk", nil)]
        for (method, path, b) in protected {
            for bad in [nil, "wrong", String(token.dropLast()), token + "x", "Bearer"] as [String?] {
                let r = try s.request(method, path, body: b.map { Array($0.utf8) }, token: bad)
                XCTAssertEqual(r.status, 401, "\(method) \(path) with \(bad ?? "no token"): \(r.body)")
                XCTAssertEqual(r.headers["www-authenticate"], "Bearer")
            }
            // Basic instead of Bearer.
            let basic = try s.request(method, path, body: b.map { Array($0.utf8) }, token: nil, extraHeaders: ["Authorization: Basic \(token)"])
            XCTAssertEqual(basic.status, 401)
        }
        XCTAssertEqual(try s.request("POST", "/v1/score", json: body, token: token).status, 200)
        // Without --token-file the routes are disabled, not open.
        let (open, _) = try start(token: false)
        XCTAssertEqual(try open.request("POST", "/v1/score", json: body, token: token).status, 403)
        XCTAssertEqual(try open.request("GET", "/v1/health").status, 200)
    }

    /// Runs `churnlab serve ARGS` to completion (for start-up failures and --help).
    func runServe(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = ServeProcess.binary
        p.arguments = ["serve"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testCommandLineHelpAndExitCodes() throws {
        let help = try runServe(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("USAGE: churnlab serve") && help.out.contains("--token-file"), help.out)
        XCTAssertEqual(try runServe([]).status, 64, "--model is required")
        XCTAssertEqual(try runServe(["--model", modelPath, "--port", "70000"]).status, 64)
        XCTAssertEqual(try runServe(["--model", modelPath, "--max-rows", "0"]).status, 64)
        XCTAssertEqual(try runServe(["--model", modelPath, "--tiers", "high=2"]).status, 64)
        XCTAssertEqual(try runServe(["--model", modelPath, "--token-file", dir.appendingPathComponent("none").path]).status, 66)
        XCTAssertEqual(try runServe(["--model", modelPath, "--events-from", dir.appendingPathComponent("none.csv").path]).status, 66)
        // A token given on the command line is not an option at all.
        XCTAssertEqual(try runServe(["--model", modelPath, "--token", "abc"]).status, 64)
    }

    func testTokenFileMustBePrivate() throws {
        let t = try ServeFixtures.token(in: dir)
        chmod(t.path, 0o644)
        let p = Process()
        p.executableURL = ServeProcess.binary
        p.arguments = ["serve", "--model", modelPath, "--token-file", t.path, "--port", "0"]
        let err = Pipe(); p.standardError = err; p.standardOutput = Pipe()
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1)
        XCTAssertTrue(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("chmod 600"))
    }

    func testBoundToLoopbackByDefault() throws {
        let (s, _) = try start()
        XCTAssertTrue(s.stdoutText.contains("listening on http://127.0.0.1:"))
        // /proc/net/tcp lists the listening socket (state 0A) at 0100007F (127.0.0.1), not 00000000.
        let tcp = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let hexPort = String(format: "%04X", s.port)
        let mine = tcp.split(separator: "\n").filter { $0.contains(":\(hexPort) ") && $0.contains(" 0A ") }
        XCTAssertFalse(mine.isEmpty)
        XCTAssertTrue(mine.allSatisfy { $0.contains("0100007F:\(hexPort)") }, "\(mine)")
    }

    func testLimitsAndStrictValidationName400Fields() throws {
        let (s, token) = try start(["--max-body-bytes", "4096", "--max-rows", "5"])
        func post(_ json: String, _ path: String = "/v1/score") throws -> ServeProcess.Reply { try s.request("POST", path, json: json, token: token) }
        let good = Self.rowJSON([1, 2, 3, 4, 5])
        // Body size: 413 before parsing.
        let big = "{\"rows\": [" + Array(repeating: good, count: 60).joined(separator: ",") + "]}"
        XCTAssertEqual(try post(big).status, 413)
        // Row count.
        let six = try post("{\"rows\": [" + Array(repeating: good, count: 6).joined(separator: ",") + "]}")
        XCTAssertEqual(six.status, 400); XCTAssertEqual(six.errorField, "rows")
        let cases: [(String, String)] = [
            ("{\"rows\": [{\"events_7d\": 1, \"events_30d\": 2, \"active_days_30d\": 3, \"recency_days\": 4}]}", "rows[0].tenure_days"),
            ("{\"rows\": [\(good), {\"events_7d\": 1, \"events_30d\": 2, \"active_days_30d\": 3, \"recency_days\": 4, \"tenure_days\": 5, \"plan\": 1}]}", "rows[1].plan"),
            ("{\"rows\": [{\"events_7d\": \"1\", \"events_30d\": 2, \"active_days_30d\": 3, \"recency_days\": 4, \"tenure_days\": 5}]}", "rows[0].events_7d"),
            ("{\"rows\": [{\"events_7d\": true, \"events_30d\": 2, \"active_days_30d\": 3, \"recency_days\": 4, \"tenure_days\": 5}]}", "rows[0].events_7d"),
            ("{\"rows\": [{\"events_7d\": 1, \"events_7d\": 2}]}", "rows[0].events_7d"),
            ("{\"rows\": [\(good)], \"path\": \"/etc/passwd\"}", "path"),
            ("{\"rows\": [\(good)], \"reasons\": 1}", "reasons"),
            ("{\"rows\": {}}", "rows"),
            ("{\"rows\": []}", "rows"),
            ("{}", "rows"),
            ("{\"rows\": [1]}", "rows[0]"),
            ("{\"rows\": [{\"events_7d\": 1e999}]}", "rows[0].events_7d"),
        ]
        for (json, field) in cases {
            let r = try post(json)
            XCTAssertEqual(r.status, 400, json)
            XCTAssertEqual(r.errorField, field, "\(json): \(r.body)")
        }
        // Malformed JSON: 400 with a position.
        for bad in ["{", "{\"rows\": [}", "[1,]", "{\"a\": NaN}", "nul", "{\"rows\": [" + String(repeating: "[", count: 100)] {
            let r = try post(bad)
            XCTAssertEqual(r.status, 400, bad)
            XCTAssertTrue(r.body.contains("invalid JSON"), r.body)
        }
        // Content type.
        XCTAssertEqual(try s.request("POST", "/v1/score", body: Array(good.utf8), token: token, contentType: "text/plain").status, 415)
        // Events: strict too, field named.
        let ev: [(String, String)] = [
            ("{\"events\": [{\"user\": \"u\", \"type\": \"login\"}]}", "events[0].time"),
            ("{\"events\": [{\"user\": \"u\", \"type\": \"login\", \"time\": \"yesterday\"}]}", "events[0].time"),
            ("{\"events\": [{\"user\": 5, \"type\": \"login\", \"time\": \"2024-01-01\"}]}", "events[0].user"),
            ("{\"events\": [{\"user\": \"u\", \"type\": \"login\", \"time\": \"2024-01-01\", \"amount\": \"9\"}]}", "events[0].amount"),
            ("{\"events\": [{\"user\": \"u\", \"type\": \"login\", \"time\": \"2024-01-01\", \"file\": \"/tmp/x\"}]}", "events[0].file"),
            ("{\"events\": [{\"user\": \"\", \"type\": \"login\", \"time\": \"2024-01-01\"}]}", "events[0].user"),
        ]
        for (json, field) in ev {
            let r = try post(json, "/v1/events")
            XCTAssertEqual(r.status, 400, json)
            XCTAssertEqual(r.errorField, field, "\(json): \(r.body)")
        }
        // Admin reload takes no body: the model path is fixed at start, never taken from a request.
        let reload = try post("{\"path\": \"/etc/passwd\"}", "/v1/admin/reload")
        XCTAssertEqual(reload.status, 400, reload.body)
        // Still serving after all that.
        XCTAssertEqual(try post("{\"rows\": [\(good)]}").status, 200)
    }

    func testRandomJSONNeverTakesTheServerDown() throws {
        let (s, token) = try start()
        var rng = SplitMix(2024)
        let atoms = ["{", "}", "[", "]", ",", ":", "\"rows\"", "\"events\"", "\"user\"", "\"time\"", "1", "-0.5e3", "null", "true",
                     "\"2024-01-01\"", "\"\\u00e9\"", "\"\\ud800\"", " ", "\"events_7d\"", "1e400", "\u{00}", "\"x\""]
        for i in 0..<300 {
            let n = Int(rng.next() % 30)
            let text = (0..<n).map { _ in atoms[Int(rng.next() % UInt64(atoms.count))] }.joined()
            let path = ["/v1/score", "/v1/events", "/v1/admin/reload"][i % 3]
            let r = try s.request("POST", path, json: text, token: token)
            XCTAssertTrue([200, 400].contains(r.status), "\(path) \(text): \(r.status) \(r.body)")
        }
        XCTAssertEqual(try s.request("GET", "/v1/health").status, 200)
    }

    func testEventsThenRiskEqualsBatchFeatures() throws {
        let (s, token) = try start()
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        let day = TimeUnit.microsPerDay
        var events: [OnlineEvent] = []
        for (k, back) in [40.2, 20.5, 6.1, 5.9, 2.3, 0.01].enumerated() {
            events.append(OnlineEvent(user: "alice", type: k % 2 == 0 ? "login" : "purchase", time: now - Int64(back * Double(day)),
                                      amount: k % 2 == 0 ? .nan : Double(k) * 1.25))
        }
        let json = "{\"events\": [" + events.map {
            "{\"user\": \"\($0.user)\", \"type\": \"\($0.type)\", \"time\": \"\(DateText.format(micros: $0.time))\"" +
                ($0.amount.isNaN ? "" : ", \"amount\": \($0.amount)") + "}"
        }.joined(separator: ",") + "]}"
        let post = try s.request("POST", "/v1/events", json: json, token: token)
        XCTAssertEqual(post.status, 200, post.body)
        XCTAssertEqual(post.object["accepted"] as? Int, 6)
        let r = try s.request("GET", "/v1/users/alice/risk", token: token)
        XCTAssertEqual(r.status, 200, r.body)
        let asOf = TimeUnit.parse(r.object["as_of"] as! String)!
        let feats = r.object["features"] as! [String: Any]
        // The batch builder on the same events as of the server's moment.
        let frame = try OnlineStateTests.batch(events, spec: FeatureSpec(asOf: asOf, families: FeatureFamily.allCases.filter { $0 != .subscription }))
        XCTAssertEqual(Set(feats.keys), Set(frame.names.dropFirst()))
        for name in frame.names.dropFirst() {
            let b = try frame.column(name).toDoubles()![0]
            if b.isNaN { XCTAssertTrue(feats[name] is NSNull, name) } else { XCTAssertEqual(feats[name] as? Double ?? .nan, b, accuracy: 1e-9 * max(1, abs(b)), name) }
        }
        XCTAssertEqual(feats["events_7d"] as? Double, 4)
        // The probability is the model's on those features.
        let m = try ScoringModel(path: modelPath)
        let row = try Frame(ServeFixtures.features.map { Column.float($0, [try frame.column($0).toDoubles()![0]]) })
        XCTAssertEqual(r.object["probability"] as! Double, try m.score(row, reasons: false)[0].probability, accuracy: 1e-12)
        XCTAssertEqual(try s.request("GET", "/v1/users/nobody/risk", token: token).status, 404)
    }

    func testModelValidatedOnLoadAndBadReloadKeepsServing() throws {
        // A corrupted file does not start.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: modelPath))
        let bad = dir.appendingPathComponent("bad.clm").path
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: bad))
        let p = Process()
        p.executableURL = ServeProcess.binary
        p.arguments = ["serve", "--model", bad, "--port", "0"]
        let err = Pipe(); p.standardError = err; p.standardOutput = Pipe()
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1)
        XCTAssertTrue(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("corrupted"))
        // A missing one: 66.
        let q = Process()
        q.executableURL = ServeProcess.binary
        q.arguments = ["serve", "--model", dir.appendingPathComponent("none.clm").path, "--port", "0"]
        q.standardError = Pipe(); q.standardOutput = Pipe()
        try q.run(); q.waitUntilExit()
        XCTAssertEqual(q.terminationStatus, 66)

        // Reload with a corrupted file: 422, the old version keeps serving.
        let (s, token) = try start()
        let v1 = try s.request("GET", "/v1/health").object["model_version"] as! String
        let good = try Data(contentsOf: URL(fileURLWithPath: modelPath))
        try bytes.write(to: URL(fileURLWithPath: modelPath))
        let r = try s.request("POST", "/v1/admin/reload", body: nil, token: token)
        XCTAssertEqual(r.status, 422, r.body)
        XCTAssertEqual(try s.request("GET", "/v1/health").object["model_version"] as? String, v1)
        // A good new version: reloaded by POST, then by SIGHUP.
        try ServeFixtures.model(at: modelPath, shift: 0.2)
        let ok = try s.request("POST", "/v1/admin/reload", body: nil, token: token)
        XCTAssertEqual(ok.status, 200, ok.body)
        let v2 = ok.object["model_version"] as! String
        XCTAssertNotEqual(v1, v2)
        try good.write(to: URL(fileURLWithPath: modelPath))
        s.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, try s.request("GET", "/v1/health").object["model_version"] as? String != v1 { usleep(50_000) }
        XCTAssertEqual(try s.request("GET", "/v1/health").object["model_version"] as? String, v1)
    }

    func testReloadUnderLoadDropsNoRequest() throws {
        let (s, token) = try start()
        let body = Array("{\"rows\": [\(Self.rowJSON([1, 2, 3, 4, 5]))]}".utf8)
        let port = s.port
        let stop = ManagedFlag()
        let failures = ManagedCounter(), done = ManagedCounter()
        let group = DispatchGroup()
        for _ in 0..<3 {
            DispatchQueue.global().async(group: group) {
                while !stop.value {
                    let r = try? ServeProcess.request(port: port, "POST", "/v1/score", body: body, token: token, contentType: "application/json")
                    if r?.status != 200 { failures.add() }
                    done.add()
                }
            }
        }
        for k in 0..<6 {
            try ServeFixtures.model(at: modelPath, shift: Double(k % 2) * 0.2)
            if k % 2 == 0 { s.signal(SIGHUP) } else { XCTAssertEqual(try s.request("POST", "/v1/admin/reload", body: nil, token: token).status, 200) }
            usleep(150_000)
        }
        stop.value = true
        group.wait()
        XCTAssertGreaterThan(done.value, 20)
        XCTAssertEqual(failures.value, 0, "requests failed during reloads")
    }
}

final class ManagedFlag: @unchecked Sendable {
    private let l = NSLock(); private var v = false
    var value: Bool { get { l.withLock { v } } set { l.withLock { v = newValue } } }
}

final class ManagedCounter: @unchecked Sendable {
    private let l = NSLock(); private var v = 0
    func add(_ n: Int = 1) { l.withLock { v += n } }
    var value: Int { l.withLock { v } }
}
