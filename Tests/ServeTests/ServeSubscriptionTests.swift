import ChurnCore
import ChurnServe
import Foundation
import XCTest

/// Subscription terms over HTTP: `POST /v1/subscriptions` validation, `--subscriptions-from`,
/// kill -9 keeping acknowledged terms, and a GBDT trained on features with the
/// subscription family served from the online state: `/v1/users/{id}/risk`
/// equals the model's prediction on the batch features as of the same instant.
final class ServeSubscriptionTests: XCTestCase {
    var dir: URL!
    var modelPath: String { dir.appendingPathComponent("subs.clm").path }
    var stateDir: String { dir.appendingPathComponent("state").path }
    static let day = TimeUnit.microsPerDay

    override func setUpWithError() throws { dir = try ServeFixtures.tempDir() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func start(_ extra: [String] = []) throws -> (ServeProcess, String) {
        let t = try ServeFixtures.token(in: dir)
        return (try ServeProcess(["--model", modelPath, "--token-file", t.path] + extra), t.token)
    }

    /// Synthetic users (events and terms) as of `asOf`; terms cover open, ended, renewed and future ones over 3 plans.
    static func data(users: Int, asOf T: Int64, seed: UInt64) -> (events: [OnlineEvent], terms: [OnlineTerm]) {
        var rng = SplitMix(seed)
        let plans = ["basic", "pro", "team"]
        var ev: [OnlineEvent] = [], terms: [OnlineTerm] = []
        for u in 0..<users {
            let id = "u\(u)"
            let n = 1 + Int(rng.next() % 25)
            for k in 0..<n {
                let back = Double(rng.next() % 200_000) / 1000
                ev.append(OnlineEvent(user: id, type: k % 3 == 0 ? "purchase" : "login", time: T - Int64(back * Double(day)) - Int64(u),
                                      amount: k % 3 == 0 ? Double(rng.next() % 5000) / 100 : .nan))
            }
            var start = T - Int64(rng.next() % 300) * day
            for _ in 0..<Int(rng.next() % 4) {
                let len = Int64(30 * (1 + rng.next() % 3)) * day
                let open = rng.next() % 5 == 0
                terms.append(OnlineTerm(user: id, start: start, end: open ? Int64.max : start + len, plan: plans[Int(rng.next() % 3)],
                                        price: Double(10 + rng.next() % 90), autoRenew: rng.next() % 2 == 0,
                                        discount: rng.next() % 3 == 0 ? .nan : Double(rng.next() % 30) / 100))
                if open { break }
                start += len
            }
        }
        return (ev, terms)
    }

    static func csv(_ terms: [OnlineTerm]) -> String {
        func time(_ t: Int64) -> String { DateText.format(micros: t).replacingOccurrences(of: " ", with: "T") }
        return "user_id,start,end,plan,price,auto_renew,discount\n" + terms.map {
            "\($0.user),\(time($0.start)),\($0.end == Int64.max ? "" : time($0.end)),\($0.plan),\($0.price),\($0.autoRenew!),\($0.discount.isNaN ? "" : String($0.discount))"
        }.joined(separator: "\n") + "\n"
    }

    static func termJSON(_ t: OnlineTerm) -> String {
        "{\"user\": \"\(t.user)\", \"start\": \"\(DateText.format(micros: t.start))\", \"end\": " +
            (t.end == Int64.max ? "null" : "\"\(DateText.format(micros: t.end))\"") +
            ", \"plan\": \"\(t.plan)\", \"price\": \(t.price), \"auto_renew\": \(t.autoRenew!)" +
            (t.discount.isNaN ? "" : ", \"discount\": \(t.discount)") + "}"
    }

    /// Batch features with subscriptions = the terms (as `cl.features.build` computes them).
    static func batch(_ events: [OnlineEvent], _ terms: [OnlineTerm], asOf: Int64) throws -> Frame {
        let subs = try OnlineSubscriptionTests.table(terms, autoRenew: true, discount: true)
        return try OnlineSubscriptionTests.batch(events, subs, spec: FeatureSpec(asOf: asOf))
    }

    /// A GBDT fitted on batch features with the subscription family (plan as a categorical input).
    func trainModel() throws {
        let T = OnlineStateTests.T
        let (ev, terms) = Self.data(users: 400, asOf: T, seed: 21)
        let f = try Self.batch(ev, terms, asOf: T)
        XCTAssertTrue(f.names.contains("plan") && f.names.contains("auto_renew_off") && f.names.contains("mrr"))
        let names = Array(f.names.dropFirst())
        let sub = try f.column("subscribed").toDoubles()!, rec = try f.column("recency_days").toDoubles()!
        var rng = SplitMix(8)
        let y = (0..<f.nrow).map { r in (sub[r] == 0 ? 0.5 : 0) + (rec[r] > 20 ? 0.4 : 0) + Double(rng.next() % 100) / 250 > 0.6 ? 1.0 : 0 }
        let X = try FeatureMatrix(frame: f, columns: names)
        var o = GradientBoostingOptions(); o.nIterations = 30
        let m = try GradientBoosting.fit(X, y, options: o)
        try m.save(to: modelPath, metadata: m.metadata(target: nil, targetName: nil))
    }

    func testRiskWithSubscriptionFeaturesEqualsBatchPrediction() throws {
        try trainModel()
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        let (ev, allTerms) = Self.data(users: 30, asOf: now, seed: 5)
        // Half the terms from the file at start, half over the API.
        let csvPath = dir.appendingPathComponent("subs.csv").path
        let fileTerms = allTerms.filter { Int($0.user.dropFirst())! % 2 == 0 }, apiTerms = allTerms.filter { Int($0.user.dropFirst())! % 2 == 1 }
        try Self.csv(fileTerms).write(toFile: csvPath, atomically: true, encoding: .utf8)
        let (s, token) = try start(["--subscriptions-from", csvPath])
        XCTAssertTrue(s.stdoutText.contains("loaded \(fileTerms.count) subscription terms"), s.stdoutText)
        // Before any event, a model needing the subscription columns is refused clearly (422), never scored on zeros.
        let post = try s.request("POST", "/v1/subscriptions", json: "{\"subscriptions\": [" + apiTerms.map(Self.termJSON).joined(separator: ",") + "]}", token: token)
        XCTAssertEqual(post.status, 200, post.body)
        XCTAssertEqual(post.object["accepted"] as? Int, apiTerms.count)
        let evJSON = "{\"events\": [" + ev.map {
            "{\"user\": \"\($0.user)\", \"type\": \"\($0.type)\", \"time\": \"\(DateText.format(micros: $0.time))\"" + ($0.amount.isNaN ? "" : ", \"amount\": \($0.amount)") + "}"
        }.joined(separator: ",") + "]}"
        XCTAssertEqual(try s.request("POST", "/v1/events", json: evJSON, token: token).status, 200)
        XCTAssertEqual(try s.request("GET", "/v1/health").object["state_subscriptions"] as? Int, allTerms.count)
        let m = try ScoringModel(path: modelPath)
        var subscribedSeen = Set<Double>()
        for u in ["u0", "u1", "u2", "u3", "u7", "u12", "u19"] {
            let r = try s.request("GET", "/v1/users/\(u)/risk", token: token)
            XCTAssertEqual(r.status, 200, r.body)
            let asOf = TimeUnit.parse(r.object["as_of"] as! String)!
            let feats = r.object["features"] as! [String: Any]
            let frame = try Self.batch(ev.filter { $0.user == u }, allTerms, asOf: asOf)
            XCTAssertEqual(frame.nrow, 1)
            XCTAssertEqual(Set(feats.keys), Set(frame.names.dropFirst()), u)
            for name in frame.names.dropFirst() {
                let c = try frame.column(name)
                if name == "plan" { XCTAssertEqual(feats[name] as? String, c.string(at: 0), u); continue }
                let b = c.toDoubles()![0]
                if b.isNaN { XCTAssertTrue(feats[name] is NSNull, "\(u) \(name)") } else { XCTAssertEqual(feats[name] as? Double ?? .nan, b, accuracy: 1e-9 * max(1, abs(b)), "\(u) \(name)") }
            }
            subscribedSeen.insert(try frame.column("subscribed").toDoubles()![0])
            let row = try frame.select(Array(frame.names.dropFirst()))
            XCTAssertEqual(r.object["probability"] as! Double, try m.score(row, reasons: false)[0].probability, accuracy: 1e-12, u)
        }
        XCTAssertEqual(subscribedSeen, [0, 1], "both subscribed and unsubscribed users checked")
        // The scores CSV carries the plan by name.
        let csv = try s.request("GET", "/v1/scores", token: token)
        XCTAssertEqual(csv.status, 200, csv.body)
        XCTAssertTrue(csv.body.contains(",pro,") || csv.body.contains(",basic,") || csv.body.contains(",team,"))
    }

    func testModelNeedingTermsIsRefusedWithoutThem() throws {
        try trainModel()
        let (s, token) = try start()
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        let t = DateText.format(micros: now - Self.day)
        XCTAssertEqual(try s.request("POST", "/v1/events", json: "{\"events\": [{\"user\": \"a\", \"type\": \"login\", \"time\": \"\(t)\"}, " +
                                     "{\"user\": \"a\", \"type\": \"purchase\", \"time\": \"\(t)\", \"amount\": 5}]}", token: token).status, 200)
        let r = try s.request("GET", "/v1/users/a/risk", token: token)
        XCTAssertEqual(r.status, 422, r.body)
        XCTAssertTrue(r.body.contains("the model needs features the online state does not compute: subscribed, plan, price, mrr"), r.body)
    }

    func testBadSubscriptionBodiesAre400NamingTheField() throws {
        try ServeFixtures.model(at: modelPath)
        let (s, token) = try start()
        let ok = "\"user\": \"a\", \"start\": \"2024-01-01\", \"plan\": \"pro\", \"price\": 10"
        let cases: [(String, String)] = [
            ("{}", "subscriptions"),
            ("{\"subscriptions\": []}", "subscriptions"),
            ("{\"subscriptions\": {}}", "subscriptions"),
            ("{\"subscriptions\": [], \"x\": 1}", "x"),
            ("{\"subscriptions\": [{\"start\": \"2024-01-01\", \"plan\": \"pro\", \"price\": 10}]}", "subscriptions[0].user"),
            ("{\"subscriptions\": [{\(ok), \"color\": 1}]}", "subscriptions[0].color"),
            ("{\"subscriptions\": [{\"user\": \"a\", \"start\": \"yesterday\", \"plan\": \"pro\", \"price\": 10}]}", "subscriptions[0].start"),
            ("{\"subscriptions\": [{\(ok), \"end\": \"2023-12-01\"}]}", "subscriptions[0].end"),
            ("{\"subscriptions\": [{\(ok), \"end\": 5}]}", "subscriptions[0].end"),
            ("{\"subscriptions\": [{\"user\": \"a\", \"start\": \"2024-01-01\", \"plan\": \"pro\", \"price\": \"10\"}]}", "subscriptions[0].price"),
            ("{\"subscriptions\": [{\"user\": \"a\", \"start\": \"2024-01-01\", \"price\": 10}]}", "subscriptions[0].plan"),
            ("{\"subscriptions\": [{\(ok)}, {\(ok), \"price_period\": \"week\"}]}", "subscriptions[1].price_period"),
            ("{\"subscriptions\": [{\(ok), \"auto_renew\": \"yes\"}]}", "subscriptions[0].auto_renew"),
            ("{\"subscriptions\": [{\(ok), \"discount\": true}]}", "subscriptions[0].discount"),
        ]
        for (body, field) in cases {
            let r = try s.request("POST", "/v1/subscriptions", json: body, token: token)
            XCTAssertEqual(r.status, 400, body)
            XCTAssertEqual(r.errorField, field, "\(body): \(r.body)")
        }
        XCTAssertEqual(try s.request("POST", "/v1/subscriptions", json: "{\"subscriptions\": [{\(ok)}]}", token: nil).status, 401)
        XCTAssertEqual(try s.request("POST", "/v1/subscriptions", json: "{\"subscriptions\": [{\(ok), \"end\": null, \"auto_renew\": null, \"discount\": null, \"price_period\": \"month\"}]}", token: token).status, 200)
        XCTAssertEqual(try s.request("GET", "/v1/health").object["state_subscriptions"] as? Int, 1)
    }

    /// kill -9 after acknowledged term batches (no snapshot): the restart recovers every term once.
    func testKillNineKeepsAcknowledgedTerms() throws {
        try ServeFixtures.model(at: modelPath)
        let (_, terms) = Self.data(users: 40, asOf: OnlineStateTests.T, seed: 9)
        var acked = 0
        do {
            let (s, token) = try start(["--state-dir", stateDir])
            for chunk in stride(from: 0, to: terms.count, by: 7).map({ Array(terms[$0..<min($0 + 7, terms.count)]) }) {
                let r = try s.request("POST", "/v1/subscriptions", json: "{\"subscriptions\": [" + chunk.map(Self.termJSON).joined(separator: ",") + "]}", token: token)
                XCTAssertEqual(r.status, 200, r.body)
                acked += chunk.count
            }
            s.signal(SIGKILL)
            _ = s.finish()
        }
        XCTAssertEqual(acked, terms.count)
        let (again, _) = try start(["--state-dir", stateDir])
        XCTAssertEqual(try again.request("GET", "/v1/health").object["state_subscriptions"] as? Int, terms.count)
        again.signal(SIGTERM); _ = again.finish()
        let (third, _) = try start(["--state-dir", stateDir])
        XCTAssertEqual(try third.request("GET", "/v1/health").object["state_subscriptions"] as? Int, terms.count, "from the snapshot")
    }

    /// `--subscriptions-from` with monthly rates (an `mrr` column) and without optional columns; a bad file stops
    /// the start (exit 1, the reason named); `--threads` is validated and a 1-loop server serves.
    func testSubscriptionsFromMonthlyFileAndThreadsOption() throws {
        try ServeFixtures.model(at: modelPath)
        let csv = dir.appendingPathComponent("mrr.csv").path
        try "user_id,start,end,plan,mrr\na,2024-01-01,,pro,19.5\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let (s, token) = try start(["--subscriptions-from", csv, "--threads", "1"])
        let now = DateText.format(micros: Int64(Date().timeIntervalSince1970 * 1e6) - Self.day)
        XCTAssertEqual(try s.request("POST", "/v1/events", json: "{\"events\": [{\"user\": \"a\", \"type\": \"login\", \"time\": \"\(now)\"}]}", token: token).status, 200)
        let f = try s.request("GET", "/v1/users/a/risk", token: token).object["features"] as! [String: Any]
        XCTAssertEqual(f["mrr"] as? Double, 19.5)
        XCTAssertEqual(f["plan"] as? String, "pro")
        XCTAssertEqual(f["subscribed"] as? Double, 1)
        XCTAssertTrue(f["days_to_renewal"] is NSNull, "open-ended")
        XCTAssertNil(f["auto_renew_off"]); XCTAssertNil(f["discount"])
        let bad = dir.appendingPathComponent("bad.csv").path
        try "user_id,start,end,plan,price\na,2024-02-01,2024-01-01,pro,10\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for (args, status, text) in [(["--subscriptions-from", bad], Int32(1), "term ends before it starts"),
                                     (["--threads", "0"], Int32(64), "--threads must be 1 to 64")] {
            let p = Process()
            p.executableURL = ServeProcess.binary
            p.arguments = ["serve", "--model", modelPath, "--port", "0"] + args
            let err = Pipe(); p.standardError = err; p.standardOutput = Pipe()
            try p.run(); p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, status, "\(args)")
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(e.contains(text), e)
        }
    }
}
