import ChurnCore
import Foundation
import XCTest

/// Mixed load on one server — single-row and batch scoring with and without
/// reasons, events, per-user risk, health and metrics, malformed bodies —
/// for `CHURNLAB_SERVE_SOAK_SECONDS` (default 15; scripts/test runs 600, the
/// issue's ten minutes). The server's resident memory may grow only by what
/// the online state holds (`churnlab_state_bytes`) plus a fixed allowance for
/// allocator slack: a leak per request would exceed it many times over.
final class ServeSoakTests: XCTestCase {
    static func rssBytes(_ pid: Int32) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return 0 }
        return kb * 1024
    }

    static func stateBytes(_ s: ServeProcess) throws -> Int {
        let m = try s.request("GET", "/metrics")
        guard let line = m.body.split(separator: "\n").first(where: { $0.hasPrefix("churnlab_state_bytes ") }),
              let v = Double(line.split(separator: " ")[1]) else { return 0 }
        return Int(v)
    }

    func testMixedLoadMemoryStaysWithinTheState() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["CHURNLAB_SERVE_SOAK_SECONDS"] ?? "") ?? 15
        let dir = try ServeFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let modelPath = dir.appendingPathComponent("m.clm").path
        try ServeFixtures.model(at: modelPath)
        let t = try ServeFixtures.token(in: dir)
        let s = try ServeProcess(["--model", modelPath, "--token-file", t.path, "--state-dir", dir.appendingPathComponent("state").path])
        let pid = s.process.processIdentifier
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        let row = "{\"events_7d\": 2, \"events_30d\": 5, \"active_days_30d\": 3, \"recency_days\": 1.5, \"tenure_days\": 90}"
        let batch = "{\"rows\": [" + Array(repeating: row, count: 200).joined(separator: ",") + "], \"reasons\": false}"
        func events(_ k: Int) -> String {
            "{\"events\": [" + (0..<50).map { i in
                "{\"user\": \"s\((k * 50 + i) % 2000)\", \"type\": \"\(["login", "view", "buy"][i % 3])\", \"time\": \"\(DateText.format(micros: now - Int64((k * 50 + i) % 86_400) * 1_000_000))\"}"
            }.joined(separator: ",") + "]}"
        }
        let bad = ["{\"rows\": [{\"events_7d\": \"x\"}]}", "{\"rows\": [", "[]", "{\"events\": [{\"user\": 1}]}", "{\"rows\": [{}], \"zz\": 1}"]
        // Warm-up, then the baseline.
        for k in 0..<40 { _ = try s.request("POST", "/v1/events", json: events(k), token: t.token) }
        for _ in 0..<50 { _ = try s.request("POST", "/v1/score", json: batch, token: t.token) }
        let rss0 = Self.rssBytes(pid), state0 = try Self.stateBytes(s)
        XCTAssertGreaterThan(rss0, 0)
        let deadline = Date().addingTimeInterval(seconds)
        final class Tally: @unchecked Sendable { let lock = NSLock(); var unexpected: [String] = []; var requests = 0 }
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 4) { w in
            var k = 1000 * (w + 1), n = 0
            while Date() < deadline {
                do {
                    let r: ServeProcess.Reply
                    let want: Int
                    switch n % 8 {
                    case 0: r = try s.request("POST", "/v1/score", json: "{\"rows\": [\(row)]}", token: t.token); want = 200
                    case 1: r = try s.request("POST", "/v1/score", json: batch, token: t.token); want = 200
                    case 2: r = try s.request("POST", "/v1/events", json: events(k), token: t.token); k += 1; want = 200
                    case 3: r = try s.request("GET", "/v1/users/s\(n % 2000)/risk", token: t.token); want = 200
                    case 4: r = try s.request("POST", "/v1/score", json: bad[n % bad.count], token: t.token); want = 400
                    case 5: r = try s.request("GET", "/metrics"); want = 200
                    case 6: r = try s.request("POST", "/v1/score", json: "{\"rows\": [\(row), \(row)], \"reasons\": true}", token: t.token); want = 200
                    default: r = try s.request("GET", "/v1/health"); want = 200
                    }
                    if r.status != want { tally.lock.withLock { tally.unexpected.append("\(n % 8): \(r.status) \(r.body.prefix(200))") } }
                } catch {
                    tally.lock.withLock { tally.unexpected.append("\(n % 8): \(error)") }
                }
                n += 1
            }
            tally.lock.withLock { tally.requests += n }
        }
        let unexpected = tally.unexpected, requests = tally.requests
        XCTAssertEqual(Array(unexpected.prefix(5)), [], "\(unexpected.count) unexpected replies")
        let rss1 = Self.rssBytes(pid), state1 = try Self.stateBytes(s)
        let growth = rss1 - rss0, stateGrowth = state1 - state0
        print("soak: \(requests) requests in \(Int(seconds)) s; RSS \(rss0 >> 20) → \(rss1 >> 20) MB; state \(state0 >> 10) → \(state1 >> 10) KB")
        // The allowance: allocator caches and the metrics' label sets, fixed whatever the duration.
        XCTAssertLessThan(growth, stateGrowth * 2 + (48 << 20),
                          "RSS grew \(growth >> 20) MB over \(requests) requests; the state grew \(stateGrowth >> 10) KB")
        XCTAssertEqual(try s.request("GET", "/v1/health").status, 200)
    }
}
