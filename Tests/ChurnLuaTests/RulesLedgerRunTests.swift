import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime
import XCTest

/// `cl.rules.run` / `cl.rules.history` in a sandboxed state: the ledger is opened through the
/// path authority, so a script commits to a ledger inside its roots and cannot create or
/// write one anywhere else (nor through a planted link).
final class RulesLedgerRunTests: XCTestCase {
    var base: String!, root: String!, outside: String!

    override func setUpWithError() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("clrun-\(UUID().uuidString)").path
        root = base + "/root"; outside = base + "/outside"
        for d in [root!, outside!] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: base) }

    let declare = """
        cl.rules.rule{ name = "r", action = { channel = "email", cost = 1 } }
        local users = cl.frame({ user_id = { "a", "b", "c" } })
        """

    func testSandboxedRunWritesOnlyInsideItsRoots() throws {
        let s = try ChurnLab.newState(LuaOptions(sandbox: SandboxPolicy(roots: [root])))
        let r = try s.run("local R, O = '\(root!)', '\(outside!)'\n" + declare + """

            local a = cl.rules.run(users, { ledger = R .. '/ledger.db', as_of = '2024-10-01', run_id = 'x' })
            local ok, err = pcall(cl.rules.run, users, { ledger = O .. '/ledger.db', as_of = '2024-10-01' })
            local hok = pcall(cl.rules.history, O .. '/ledger.db')
            return a.inserted, ok, err, hok, cl.rules.history(R .. '/ledger.db'):nrow()
            """)
        XCTAssertEqual(r[0], .integer(3))
        XCTAssertEqual(r[1], .bool(false))
        XCTAssertTrue("\(r[2])".contains("not allowed"), "\(r[2])")
        XCTAssertEqual(r[3], .bool(false))
        XCTAssertEqual(r[4], .integer(3))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [])
        // The committed run is a normal ledger run (readable by the CLI's code path).
        let ledger = try Ledger(path: root + "/ledger.db")
        XCTAssertEqual(try ledger.run("x")?.status, "committed")
        XCTAssertEqual(try ledger.verify(), [])
    }

    func testLedgerPathThroughALinkIsRefused() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/link.db", withDestinationPath: outside + "/target.db")
        let s = try ChurnLab.newState(LuaOptions(sandbox: SandboxPolicy(roots: [root])))
        let r = try s.run("local R = '\(root!)'\n" + declare + """

            return (pcall(cl.rules.run, users, { ledger = R .. '/link.db', as_of = '2024-10-01' }))
            """)
        XCTAssertEqual(r, [.bool(false)])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [])
    }
}
