import XCTest
import ChurnLua
import LuaRuntime

/// Database connections (network or local socket) are refused in a sandboxed run,
/// before any connection is attempted, as files outside the roots are.
final class NetworkSandboxTests: XCTestCase {
    func testPostgresRefusedWhenSandboxed() throws {
        let s = try ChurnLab.newState(LuaOptions(sandbox: SandboxPolicy(roots: [NSTemporaryDirectory()])))
        let calls = [
            "cl.read_postgres{dsn = 'host=127.0.0.1 dbname=x', query = 'SELECT 1'}",
            "cl.frame({a = {1}}):write_postgres{dsn = 'host=127.0.0.1', table = 't'}",
            "cl.features.build(cl.source.postgres{dsn = 'host=127.0.0.1', table = 'e'}, {as_of = '2024-06-01'})",
            "cl.labels.churn(cl.source.postgres{dsn = 'host=127.0.0.1', table = 'e'}, {as_of = '2024-06-01'})",
            // Spark starts a process (a JVM that can reach the network and any file): refused before it starts.
            "cl.source.spark{path = 'events.parquet', spark_home = '/opt/spark'}",
        ]
        for code in calls {
            XCTAssertThrowsError(try s.run(code), code) { e in
                XCTAssertTrue("\(e)".contains("refused in a sandboxed run"), "\(code): \(e)")
            }
        }
    }
}
