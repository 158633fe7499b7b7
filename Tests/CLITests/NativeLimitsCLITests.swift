import Foundation
import XCTest

/// `--timeout` and `--memory-limit` end native work too (issue 11 items 7–8):
/// before, `run --timeout 3` on a GBDT fit exited 0 after 13.8 s.
final class NativeLimitsCLITests: XCTestCase {
    static let gbdtScript = """
        local n = 100000
        math.randomseed(1)
        local x0, x1, y = {}, {}, {}
        for i = 1, n do
          local a, b = math.random(), math.random()
          x0[i] = a; x1[i] = b; y[i] = (a + b + 0.3 * math.random() > 1.1) and 1 or 0
        end
        local df = cl.frame{x0 = x0, x1 = x1, y = y}
        cl.model.gbdt{trees = 100000, leaves = 31}:fit(df, {target = 'y'})
        print('fit finished')
        """

    func testTimeoutStopsAGBDTFit() throws {
        let r = try CLI.run(["run", "--timeout", "3", "-e", Self.gbdtScript])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("time limit exceeded (3 s)"), r.stderr)
        XCTAssertFalse(r.stdout.contains("fit finished"))
        // Deadline + 0.5 s, plus process start-up and a debug build's slack on a
        // loaded machine; before the fix this took 13.8 s.
        XCTAssertLessThan(r.seconds, 3 + 3)
    }

    func testTimeoutStopsSimulate() throws {
        let r = try CLI.run(["run", "--timeout", "1", "-e", "cl.simulate.platform{users = 5000000, days = 365}"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("time limit exceeded (1 s)"), r.stderr)
        XCTAssertLessThan(r.seconds, 1 + 3)
    }

    /// Recommending for every user is a parallel native loop (3M users here, minutes
    /// in a debug build): it stops between user chunks. Before, its chunks ran
    /// through a non-throwing parallel map and ignored the deadline.
    func testTimeoutStopsRecommendAll() throws {
        let script = """
        local sim = cl.simulate.platform{users = 3000, seed = 1}
        local m = cl.recommend.item_knn{}:fit(sim.interactions, {user = "user_id", item = "course_id"})
        local ids, u = sim.users.user_id:to_table(), {}
        for i = 1, 3000000 do u[i] = ids[(i % #ids) + 1] end
        local r = m:recommend(u, {k = 10})
        print("recommended", r:nrow())
        """
        let r = try CLI.run(["run", "--timeout", "8", "-e", script])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("time limit exceeded (8 s)"), r.stderr)
        XCTAssertFalse(r.stdout.contains("recommended"))
        XCTAssertLessThan(r.seconds, 8 + 3)
    }

    /// A CSV whose columns need 80 MB (5M rows × 2 int columns) under a 64 MB
    /// limit: the read fails with the limit's message once the chunks charged
    /// so far reach it, not after building the frame.
    func testMemoryLimitStopsReadingABigCSV() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.csv").path
        var text = "id,x\n"
        text.reserveCapacity(60 << 20)
        for i in 0..<5_000_000 { text += "\(i),\(i % 1000)\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "--memory-limit", "64", "-e", "local df = cl.read_csv('\(path)') print(df:nrow())"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("memory limit exceeded (64 MB) allocating reading \(path)"), r.stderr)
        // With room for it, the same file reads.
        let ok = try CLI.run(["run", "--memory-limit", "512", "-e", "local df = cl.read_csv('\(path)') print(df:nrow())"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "5000000\n")
    }

    /// Frames made by native code (here: simulated events, ~0.5 GB) fail before allocating.
    func testMemoryLimitStopsCreatingABigFrame() throws {
        let r = try CLI.run(["run", "--memory-limit", "64", "-e", "local sim = cl.simulate.platform{users = 200000, days = 365}"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("memory limit exceeded (64 MB) allocating simulated events"), r.stderr)
    }
}
