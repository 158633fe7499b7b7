import ChurnCore
import ChurnServe
import Foundation
import XCTest

/// The online state across crashes and restarts: kill -9 during ingestion
/// loses no acknowledged event and applies none twice; SIGTERM persists a
/// snapshot; `--events-from` seeds an empty state only.
final class ServeDurabilityTests: XCTestCase {
    var dir: URL!
    var modelPath: String { dir.appendingPathComponent("m.clm").path }
    var stateDir: String { dir.appendingPathComponent("state").path }

    override func setUpWithError() throws {
        dir = try ServeFixtures.tempDir()
        try ServeFixtures.model(at: modelPath)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func start(_ extra: [String] = []) throws -> (ServeProcess, String) {
        let t = try ServeFixtures.token(in: dir)
        return (try ServeProcess(["--model", modelPath, "--token-file", t.path, "--state-dir", stateDir] + extra), t.token)
    }

    static func batch(_ k: Int) -> [UInt8] {
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        let ev = (0..<5).map { i in
            "{\"user\": \"b\(k)\", \"type\": \"t\(i % 2)\", \"time\": \"\(DateText.format(micros: now - Int64(i + 1) * 60_000_000))\", \"amount\": \(i)}"
        }
        return Array("{\"events\": [\(ev.joined(separator: ","))]}".utf8)
    }

    func testKillNineDuringIngestionLosesNoAcknowledgedEventAndDuplicatesNone() throws {
        var acked = Set<Int>()
        var next = 0
        var rng = SplitMix(5)
        let rounds = 20
        for round in 0..<rounds {
            let (s, token) = try start()
            // Everything acknowledged so far is there, exactly once.
            let h = try s.request("GET", "/v1/health").object
            let users = h["state_users"] as! Int, events = h["state_events"] as! Int
            XCTAssertGreaterThanOrEqual(users, acked.count, "round \(round): acknowledged batches lost")
            XCTAssertLessThanOrEqual(users, next, "round \(round)")
            XCTAssertEqual(events, 5 * users, "round \(round): an event was applied twice or half a batch survived")
            if let last = acked.max() {
                let r = try s.request("GET", "/v1/users/b\(last)/risk", token: token)
                XCTAssertEqual(r.status, 200, r.body)
                XCTAssertEqual((r.object["features"] as? [String: Any])?["events_7d"] as? Double, 5)
            }
            // Ingest from a client thread, then kill -9 at a random moment.
            let port = s.port
            let stop = ManagedFlag()
            let mine = ManagedList()
            let start = next
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                var k = start
                while !stop.value {
                    let r = try? ServeProcess.request(port: port, "POST", "/v1/events", body: ServeDurabilityTests.batch(k), token: token, contentType: "application/json")
                    if r?.status == 200 { mine.append(k) }
                    k += 1
                    if r == nil { break }
                }
                mine.append(-k)    // marks how far it got
            }
            usleep(UInt32(150_000 + rng.next() % 400_000))
            s.signal(SIGKILL)
            _ = s.finish()
            stop.value = true
            group.wait()
            let got = mine.values
            next = -got.last!
            acked.formUnion(got.dropLast())
            XCTAssertTrue(round == 0 || got.count > 1 || next > start, "round \(round) ingested nothing")
        }
        XCTAssertGreaterThan(acked.count, rounds, "too few acknowledged batches to mean anything")
        print("kill -9 test: \(rounds) kills, \(acked.count) acknowledged batches of 5 events")
        let (s, _) = try start()
        let h = try s.request("GET", "/v1/health").object
        XCTAssertGreaterThanOrEqual(h["state_users"] as! Int, acked.count)
        XCTAssertEqual(h["state_events"] as! Int, 5 * (h["state_users"] as! Int))
    }

    func testGracefulShutdownWritesASnapshot() throws {
        let (s, token) = try start()
        for k in 0..<3 { XCTAssertEqual(try s.request("POST", "/v1/events", body: Self.batch(k), token: token).status, 200) }
        s.signal(SIGTERM)
        let (status, out) = s.finish()
        XCTAssertEqual(status, 0, s.stderr)
        XCTAssertTrue(out.contains("state saved"), out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stateDir + "/snapshot.bin"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: stateDir).filter { $0.hasSuffix(".log") }
        XCTAssertEqual(logs.count, 1, "\(logs)")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: stateDir + "/" + logs[0])[.size] as? Int, 0)
        let (again, _) = try start()
        let h = try again.request("GET", "/v1/health").object
        XCTAssertEqual(h["state_events"] as? Int, 15)
        XCTAssertEqual(h["state_users"] as? Int, 3)
    }

    func testEventsFromSeedsAnEmptyStateOnce() throws {
        let csv = dir.appendingPathComponent("events.csv").path
        try "user_id,ts,event,amount\n1,2024-01-01T10:00:00,login,\n1,2024-01-03T10:00:00,purchase,9.5\n2,2024-02-01,login,\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let (s, token) = try start(["--events-from", csv])
        XCTAssertTrue(s.stdoutText.contains("loaded 3 events"), s.stdoutText)
        XCTAssertEqual(try s.request("GET", "/v1/health").object["state_events"] as? Int, 3)
        let r = try s.request("GET", "/v1/users/1/risk", token: token)
        XCTAssertEqual(r.status, 200, r.body)
        let f = r.object["features"] as! [String: Any]
        XCTAssertEqual(f["amount_90d"] as? Double, 0, "events long ago are outside every window")
        s.signal(SIGTERM); _ = s.finish()
        let (again, _) = try start(["--events-from", csv])
        XCTAssertEqual(try again.request("GET", "/v1/health").object["state_events"] as? Int, 3)
        XCTAssertTrue(again.stderr.contains("--events-from ignored"), again.stderr)
    }
}

final class ManagedList: @unchecked Sendable {
    private let l = NSLock(); private var v: [Int] = []
    func append(_ x: Int) { l.withLock { v.append(x) } }
    var values: [Int] { l.withLock { v } }
}
