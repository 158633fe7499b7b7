import ChurnCore
import ChurnLua
import Foundation
import LuaRuntime
import XCTest

/// An interrupt (what Ctrl-C and a Jupyter interrupt do: `LuaState.interrupt()`
/// from another thread) stops native work called from Lua within 0.5 s, with
/// "interrupted" (issue 11 item 7). One case per long `cl` operation family.
final class NativeInterruptTests: XCTestCase {
    /// A frame `df` of n rows: x0, x1, x2 uniform, y = 1 when x0 + x1 + noise > 1.1.
    static let dataset = """
        local n = ...
        math.randomseed(1)
        local x0, x1, x2, y = {}, {}, {}, {}
        for i = 1, n do
          local a, b = math.random(), math.random()
          x0[i] = a; x1[i] = b; x2[i] = math.random()
          y[i] = (a + b + 0.3 * math.random() > 1.1) and 1 or 0
        end
        df = cl.frame{x0 = x0, x1 = x1, x2 = x2, y = y}
        """

    /// Runs `setup`, then `code` with an interrupt sent `delay` s after it
    /// starts; asserts "interrupted" and returns the seconds from the interrupt to the error.
    @discardableResult
    func assertInterrupted(_ code: String, setup: String = "", rows: Int = 0, delay: Double = 0.3,
                           file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        let L = try ChurnLab.newState()
        if rows > 0 {
            try L.load(string: Self.dataset, name: "=dataset")
            L.push(.integer(Int64(rows)))
            try L.pcall(nargs: 1, nresults: 0)
        }
        if !setup.isEmpty { try L.run(setup) }
        var sentAt = 0.0
        let t = Thread { Thread.sleep(forTimeInterval: delay); sentAt = CancellationToken.monotonicNow(); L.interrupt() }
        t.start()
        var caught: Error?
        do { try L.run(code, name: "=work") } catch { caught = error }
        let end = CancellationToken.monotonicNow()
        while sentAt == 0 { Thread.sleep(forTimeInterval: 0.01) }
        guard let e = caught as? LuaError else { XCTFail("no Lua error: \(String(describing: caught))", file: file, line: line); return .nan }
        XCTAssertEqual(e.kind, .interrupted, e.message, file: file, line: line)
        XCTAssertTrue(e.message.hasSuffix("interrupted"), e.message, file: file, line: line)
        // The 0.5 s goal is measured on release builds (scripts/bench/cancel_latency.sh:
        // at most 106 ms for a 1M-row GBDT fit). This debug build on a shared
        // 2-core machine gets twice that, and with other builds running on the
        // machine a descheduled worker adds up to a second more (1.006 s seen at
        // load average 9). A missing check costs minutes here (every case asks
        // for far more work than finishes), so 2 s still catches it without
        // failing on load.
        XCTAssertLessThan(end - sentAt, 2.0, "stop latency", file: file, line: line)
        return end - sentAt
    }

    func testReadCSV() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.csv").path
        var text = "user_id,amount,plan\n"
        for i in 0..<3_000_000 { text += "\(i),\(Double(i % 997) / 10),\(["free", "monthly", "annual"][i % 3])\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        // Read it repeatedly, so the interrupt lands inside a read whatever the machine's speed.
        try assertInterrupted("for i = 1, 1000 do local df = cl.read_csv('\(path)') end", delay: 0.2)
    }

    func testSimulate() throws {
        try assertInterrupted("local sim = cl.simulate.platform{users = 2000000, days = 365}")
    }

    func testGBDTFit() throws {
        try assertInterrupted("cl.model.gbdt{trees = 100000, leaves = 31}:fit(df, {target = 'y'})", rows: 100_000, delay: 1.0)
    }

    func testForestFit() throws {
        try assertInterrupted("cl.model.forest{n_trees = 100000}:fit(df, {target = 'y'})", rows: 50_000)
    }

    func testPermutationImportance() throws {
        try assertInterrupted("cl.model.permutation_importance(m, df, {target = 'y', metric = 'auc', repeats = 100000})",
                              setup: "m = cl.model.logistic():fit(df, {target = 'y'})", rows: 50_000)
    }

    func testGridSearch() throws {
        try assertInterrupted("""
            cl.model.grid_search(cl.model.gbdt{}, df, {target = 'y', k = 5, metrics = {'auc'},
                                 grid = {trees = {1000, 2000, 4000}, leaves = {15, 31}}})
            """, rows: 50_000)
    }
}
