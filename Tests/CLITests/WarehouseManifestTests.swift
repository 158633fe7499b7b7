import Foundation
import XCTest

/// `churnlab run --manifest` records which engine ran each feature build, snapshot set and
/// label set, and for a remote source the SHA-256 of the SQL text that ran — never the dsn.
final class WarehouseManifestTests: XCTestCase {
    func manifest(_ script: String) throws -> (json: [String: Any], stdout: String) {
        let dir = try CLI.tempDir()
        let s = dir.appendingPathComponent("wh.lua")
        try script.write(to: s, atomically: true, encoding: .utf8)
        let m = dir.appendingPathComponent("run.json").path
        let r = try CLI.run(["run", s.path, "--manifest", m])
        XCTAssertEqual(r.status, 0, r.stderr)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: m))
        return (try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any]), r.stdout)
    }

    func testInProcessRunsAreRecorded() throws {
        let (json, _) = try manifest("""
            local sim = cl.simulate.platform { users = 200, days = 120, start = "2024-01-01", seed = 3 }
            local log = cl.events(sim.events)
            local f = cl.features.build(log, { as_of = "2024-03-01", windows = { 7, 30 } })
            local l = cl.labels.churn(cl.subscriptions(sim.subscriptions), { as_of = "2024-03-01" })
            print(f:nrow(), l:nrow())
            """)
        let runs = try XCTUnwrap(json["engine_runs"] as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["call"] as? String }, ["cl.features.build", "cl.labels.churn"])
        XCTAssertEqual(runs.map { $0["engine"] as? String }, ["in-process", "in-process"])
        XCTAssertNil(runs[0]["sql_sha256"])
        XCTAssertGreaterThan(runs[0]["rows"] as? Int ?? 0, 0)
    }

    func testNoEngineRunsNoField() throws {
        let (json, _) = try manifest("print(1)")
        XCTAssertNil(json["engine_runs"])
    }

    /// With the throw-away PostgreSQL of scripts/test: the recorded hash is that of the SQL
    /// `cl.features.build_sql` shows for the same source and spec, and the dsn is nowhere.
    func testPostgresRunRecordsEngineAndSQLHash() throws {
        guard let dsn = ProcessInfo.processInfo.environment["CHURNLAB_TEST_PG_DSN"] else {
            let why = "CHURNLAB_TEST_PG_DSN is not set: run scripts/test (it starts a throw-away PostgreSQL)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(why) }
            throw XCTSkip(why)
        }
        let (json, stdout) = try manifest("""
            local dsn = os.getenv("CHURNLAB_TEST_PG_DSN")
            local sim = cl.simulate.platform { users = 200, days = 120, start = "2024-01-01", seed = 3 }
            sim.events:write_postgres { dsn = dsn, table = "manifest_events", mode = "replace" }
            local src = cl.source.postgres { dsn = dsn, table = "manifest_events" }
            local spec = { as_of = "2024-03-01", windows = { 7, 30 } }
            local _, hash = cl.features.build_sql(src, spec)
            cl.features.build(src, spec)
            print(hash)
            """)
        let runs = try XCTUnwrap(json["engine_runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        XCTAssertEqual(runs[0]["engine"] as? String, "postgres")
        XCTAssertEqual(runs[0]["source"] as? String, "manifest_events")
        XCTAssertEqual(runs[0]["sql_sha256"] as? String, stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        // (JSON escapes the socket path's slashes: look for the dsn's key=value text.)
        XCTAssertFalse(text.contains(dsn) || text.contains("dbname="), "the dsn must not reach the manifest")
    }
}
