import CLuaBridge
import Foundation
import XCTest

/// Escape classes that need the real binary: code without a script file
/// (`-e`, stdin, the REPL), unattended rule files under `rules run`, and the
/// operating-system layer (Landlock) on its own. See README.md.
final class SandboxCLITests: XCTestCase {
    var dir: URL!
    var root: URL!
    var outside: URL!

    override func setUpWithError() throws {
        dir = try CLI.tempDir()
        root = dir.appendingPathComponent("root")
        outside = dir.appendingPathComponent("outside")
        for d in [root!, outside!] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try "top secret".write(to: outside.appendingPathComponent("secret.txt"), atomically: false, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    var secret: String { outside.appendingPathComponent("secret.txt").path }
    func outsideFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: outside.path).sorted() }

    /// The kernel's Landlock ABI version, or nil (then OS-layer assertions are skipped).
    static var landlockABI: Int? { let v = clb_landlock_abi(); return v >= 1 ? Int(v) : nil }

    // MARK: 4. no script file, no root

    func testDashEInTheRootDirectoryHasNoRoot() throws {
        // The report's attack: `cd / && churnlab run --sandbox -e ...` used to take / as the root.
        let r = try CLI.run(["run", "--sandbox", "-e", "local f, e = io.open('/etc/passwd'); print(f == nil, e)"],
                            cwd: URL(fileURLWithPath: "/"))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("true\tsandbox: '/etc/passwd': file access is not allowed (no allowed directory"), r.stdout)
        let rel = try CLI.run(["run", "--sandbox", "-e", "print(io.open('etc/passwd') == nil, pcall(cl.read_csv, 'etc/passwd'))"],
                              cwd: URL(fileURLWithPath: "/"))
        XCTAssertTrue(rel.stdout.hasPrefix("true\tfalse"), rel.stdout)
    }

    func testStandardInputHasNoRoot() throws {
        let r = try CLI.run(["run", "--sandbox", "-"], stdin: "print(io.open('\(secret)') == nil, io.open('x.txt', 'w') == nil)", cwd: outside)
        XCTAssertEqual(r.stdout, "true\ttrue\n", r.stderr)
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
        let slash = try CLI.run(["run", "--sandbox", "-"], stdin: "print(io.open('/etc/passwd') == nil, io.open('etc/passwd') == nil)",
                                cwd: URL(fileURLWithPath: "/"))
        XCTAssertEqual(slash.stdout, "true\ttrue\n", slash.stderr)
    }

    func testReplHasNoRoot() throws {
        let r = try CLI.run(["repl", "--sandbox"], stdin: "print(io.open('\(secret)') == nil)\n", cwd: outside)
        XCTAssertTrue(r.stdout.contains("true"), r.stdout + r.stderr)
        XCTAssertFalse(r.stdout.contains("top secret"))
    }

    func testAllowPathGivesCodeWithoutScriptItsRoot() throws {
        try "inside".write(to: root.appendingPathComponent("data.txt"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "--sandbox", "--allow-path", root.path, "-e",
                             "print(io.open('\(root.path)/data.txt'):read('a'), io.open('\(secret)') == nil)"])
        XCTAssertEqual(r.stdout, "inside\ttrue\n", r.stderr)
    }

    // MARK: 1–3 under `rules run` (unattended, untrusted rule files)

    static let users = "user_id,risk\nu1,0.9\nu2,0.2\nu3,0.7\n"

    func maliciousRules(_ outside: String) -> String {
        """
        local dir = arg[0]:match('(.*)/')
        local real_pcall = pcall
        pcall = function() return true, '\(outside)/pwned.txt' end
        print('open-write', io.open('\(outside)/pwned.txt', 'w') == nil)
        print('open-read', io.open('\(outside)/secret.txt') == nil)
        print('loadfile', loadfile('\(outside)/secret.txt') == nil)
        cl.frame{a = {1, 2}}:write_sqlite(dir .. '/db.sqlite', 't')
        print('vacuum', (real_pcall(cl.read_sqlite, dir .. '/db.sqlite', "VACUUM INTO '\(outside)/v.db'")))
        print('attach', (real_pcall(cl.read_sqlite, dir .. '/db.sqlite', "ATTACH '\(outside)/a.db' AS x")))
        print('tmpfile', io.tmpfile == nil)
        cl.rules.rule{ name = "email", when = cl.col("risk"):ge(0.5), action = { channel = "email" } }
        """
    }

    func testMaliciousRuleFileUnderRulesRun() throws {
        try Self.users.write(to: root.appendingPathComponent("users.csv"), atomically: false, encoding: .utf8)
        try maliciousRules(outside.path).write(to: root.appendingPathComponent("rules.lua"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["rules", "run", root.appendingPathComponent("rules.lua").path, "--users", root.appendingPathComponent("users.csv").path,
                             "--as-of", "2024-10-01", "--ledger", root.appendingPathComponent("l.db").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        for line in ["open-write\ttrue", "open-read\ttrue", "loadfile\ttrue", "vacuum\tfalse", "attach\tfalse", "tmpfile\ttrue"] {
            XCTAssertTrue(r.stdout.contains(line), "\(line) in \(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("2 decisions committed"), r.stdout)
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
    }

    /// `schedule` starts jobs as child processes: a `run` job gets --sandbox by
    /// default and a `rules` job is always sandboxed, each with both layers.
    func testScheduledJobsAreSandboxed() throws {
        try Self.users.write(to: root.appendingPathComponent("users.csv"), atomically: false, encoding: .utf8)
        try "assert(io.open('\(outside.path)/from-run.txt', 'w'))".write(to: root.appendingPathComponent("esc.lua"), atomically: false, encoding: .utf8)
        try "pcall = function() return true end; assert(io.open('\(outside.path)/from-rules.txt', 'w'))".write(
            to: root.appendingPathComponent("rules.lua"), atomically: false, encoding: .utf8)
        try """
            job{ name = "run", cron = "0 * * * *", run = "esc.lua" }
            job{ name = "rules", cron = "0 * * * *", rules = "rules.lua", users = "users.csv" }
            """.write(to: root.appendingPathComponent("s.lua"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["schedule", root.appendingPathComponent("s.lua").path, "--once", "--now", "2024-10-01T09:00:05Z",
                             "--ledger", dir.appendingPathComponent("l.db").path])
        let events = r.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        for job in ["run", "rules"] {
            let err = events.first { $0["event"] as? String == "job_failed" && $0["job"] as? String == job }?["error"] as? String
            XCTAssertTrue(err?.contains("access is not allowed") ?? false, "\(job): \(r.stderr)")
        }
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
    }

    // MARK: the operating-system layer alone (Deliver 2)

    /// With the in-process root check switched off (debug builds only), the
    /// kernel must still refuse: this is what makes a bug in the checks not an escape.
    func testLandlockAloneStopsAnEscape() throws {
        guard let abi = Self.landlockABI else {
            throw XCTSkip("Landlock is not supported by this kernel: the OS-layer assertion is skipped (the in-process tests still ran)")
        }
        try "print(io.open('\(secret)') == nil, io.open('\(outside.path)/new.txt', 'w') == nil)".write(
            to: root.appendingPathComponent("esc.lua"), atomically: false, encoding: .utf8)
        let script = root.appendingPathComponent("esc.lua").path
        let confined = try CLI.run(["run", "--sandbox", script], env: ["CHURNLAB_TEST_DISABLE_PATH_CHECK": "1"])
        XCTAssertEqual(confined.stdout, "true\ttrue\n", "Landlock ABI \(abi): " + confined.stderr)
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
        // Control: with the OS layer off as well, the same script escapes — so the
        // assertion above really measures Landlock.
        let open = try CLI.run(["run", "--sandbox", script],
                               env: ["CHURNLAB_TEST_DISABLE_PATH_CHECK": "1", "CHURNLAB_TEST_DISABLE_LANDLOCK": "1"])
        XCTAssertEqual(open.stdout, "false\tfalse\n", open.stderr)
    }

    /// The OS layer alone keeps other processes' /proc entries (their
    /// environment holds secrets) out of reach: only /proc/self is allowed.
    func testLandlockAloneRefusesOtherProcessesProcEntries() throws {
        guard Self.landlockABI != nil else { throw XCTSkip("Landlock is not supported by this kernel: OS-layer assertion skipped") }
        let me = getpid()   // the test runner: another process, outside the domain
        try "print(io.open('/proc/\(me)/environ') == nil, io.open('/proc/\(me)/cmdline') == nil, io.open('/proc/self/stat') ~= nil)".write(
            to: root.appendingPathComponent("proc.lua"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "--sandbox", root.appendingPathComponent("proc.lua").path],
                            env: ["CHURNLAB_TEST_DISABLE_PATH_CHECK": "1"])
        XCTAssertEqual(r.stdout, "true\ttrue\ttrue\n", r.stderr)
    }

    /// Parallel native work under the OS layer: the core's thread pool needs
    /// nothing from /proc (libdispatch's pool monitor opened /proc/<tid>/stat of
    /// its workers and crashed the confined process with SIGILL).
    func testParallelWorkRunsConfined() throws {
        guard Self.landlockABI != nil else { throw XCTSkip("Landlock is not supported by this kernel: OS-layer assertion skipped") }
        try """
            local sim = cl.simulate.platform { users = 3000, days = 365, start = "2024-01-01", seed = 3 }
            local d = cl.features.snapshots(cl.events(sim.events), { from = "2024-03-01", to = "2024-09-01", every = "28d",
              spec = { windows = { 7, 30 } }, label = { horizon = 30, active_within = 30 } })
            for _ = 1, 3 do cl.model.gbdt { trees = 60, seed = 1 }:fit(d, { target = "churn", exclude = { "user_id", "as_of", "churn", "censored" } }) end
            print("done")
            """.write(to: root.appendingPathComponent("par.lua"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "--sandbox", root.appendingPathComponent("par.lua").path], env: ["CHURNLAB_THREADS": "4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "done\n", r.stderr)
    }

    func testLandlockAloneUnderRulesRunStillCommits() throws {
        guard Self.landlockABI != nil else { throw XCTSkip("Landlock is not supported by this kernel: OS-layer assertion skipped") }
        let ledgerDir = dir.appendingPathComponent("ledger")
        try FileManager.default.createDirectory(at: ledgerDir, withIntermediateDirectories: true)
        try Self.users.write(to: root.appendingPathComponent("users.csv"), atomically: false, encoding: .utf8)
        try maliciousRules(outside.path).write(to: root.appendingPathComponent("rules.lua"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["rules", "run", root.appendingPathComponent("rules.lua").path, "--users", root.appendingPathComponent("users.csv").path,
                             "--as-of", "2024-10-01", "--ledger", ledgerDir.appendingPathComponent("l.db").path,
                             "--outbox", ledgerDir.appendingPathComponent("out.csv").path],
                            env: ["CHURNLAB_TEST_DISABLE_PATH_CHECK": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("open-write\ttrue") && r.stdout.contains("open-read\ttrue"), r.stdout)
        XCTAssertTrue(r.stdout.contains("2 decisions committed"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ledgerDir.appendingPathComponent("out.csv").path))
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
    }

    /// The OS layer must not break real work: the example pipeline (simulate,
    /// features, parallel model fits, charts, report, model file) runs to the
    /// end under Landlock and writes its outputs below the root.
    func testExamplePipelineRunsConfined() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/examples/churn_pipeline.lua").standardizedFileURL
        let text = try String(contentsOf: example, encoding: .utf8)
            .replacingOccurrences(of: #"os.execute(("mkdir -p %q"):format(out))"#, with: "-- output directory made by the test")
        try text.write(to: root.appendingPathComponent("pipeline.lua"), atomically: false, encoding: .utf8)
        let out = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let r = try CLI.run(["run", "--sandbox", root.appendingPathComponent("pipeline.lua").path, out.path, "800"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.contains("without the OS layer"), Self.landlockABI == nil, r.stderr)
        for f in ["report.html", "gbdt.clm", "roc.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
    }

    func testMissingOSLayerIsReportedOnce() throws {
        try "print(1)".write(to: root.appendingPathComponent("one.lua"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "--sandbox", root.appendingPathComponent("one.lua").path], env: ["CHURNLAB_TEST_DISABLE_LANDLOCK": "1"])
        XCTAssertEqual(r.stdout, "1\n")
        XCTAssertEqual(r.stderr.components(separatedBy: "--sandbox without the OS layer").count - 1, 1, r.stderr)
        if Self.landlockABI != nil {
            let quiet = try CLI.run(["run", "--sandbox", root.appendingPathComponent("one.lua").path])
            XCTAssertEqual(quiet.stderr, "", "with Landlock available nothing is reported")
        }
    }
}
