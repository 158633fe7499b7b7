import Foundation
import XCTest

/// `churnlab rules …` end to end: runs, idempotent re-runs, outbox, effect, and kill -9 at random moments.
final class RulesCLITests: XCTestCase {
    /// Deterministic users: id, risk, tenure, opt-out.
    static func usersCSV(_ n: Int, seed: UInt64 = 42) -> String {
        var s = seed
        func next() -> Double { s = s &* 6364136223846793005 &+ 1442695040888963407; return Double(s >> 11) * 0x1.0p-53 }
        var out = "user_id,name,risk,tenure_days,opt_out\n"
        for i in 0..<n {
            out += "u\(i),N\(i),\(String(format: "%.4f", next())),\(Int(next() * 600)),\(next() < 0.03 ? "true" : "false")\n"
        }
        return out
    }

    static let hmacSecretA = "4048c44911916043ff626895ff78c5262764685b6cb9a03ce07886a9effb924c"

    static let rules = """
        cl.rules.tiers{ score = "risk", high = 0.7, medium = 0.4 }
        cl.rules.suppress{ column = "opt_out" }
        cl.rules.rule{ name = "coupon", when = cl.col("risk"):ge(0.8) & cl.col("tenure_days"):gt(30),
          action = { channel = "coupon", offer = "20%", cost = 5, message = "Hi {name}" },
          cooldown = "3d", priority = 10, budget = { max_users = 400 }, holdout = 0.1 }
        cl.rules.rule{ name = "call", tier = "high", action = { channel = "phone", cost = 10 }, cooldown = "5d", priority = 5, holdout = 0.2 }
        cl.rules.rule{ name = "email", tier = "medium", action = { channel = "email" }, cooldown = "2d", priority = 1 }
        """

    func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    func runID(_ out: String) -> String? {
        guard let r = out.range(of: #"run ([0-9a-f]{16})"#, options: .regularExpression) else { return nil }
        return String(out[r].dropFirst(4))
    }

    func testRunRerunOutboxShowEffect() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.usersCSV(300), dir.appendingPathComponent("users.csv"))
        try write(Self.rules, dir.appendingPathComponent("rules.lua"))
        let base = ["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                    "--as-of", "2024-10-01", "--ledger", dir.appendingPathComponent("l.db").path]
        let outbox = dir.appendingPathComponent("out.csv").path
        let r1 = try CLI.run(base + ["--outbox", outbox, "--include-control"])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        let id = try XCTUnwrap(runID(r1.stdout))
        let n = Int(r1.stdout.split(separator: " ")[2])!
        XCTAssertGreaterThan(n, 50)
        let lines = try String(contentsOfFile: outbox, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, n + 1)
        XCTAssertTrue(lines[1].hasPrefix("\(id),2024-10-01,"))
        // The same period again: nothing new; the outbox is regenerated identically.
        try FileManager.default.removeItem(atPath: outbox)
        let r2 = try CLI.run(base + ["--outbox", outbox, "--include-control"])
        XCTAssertTrue(r2.stdout.contains("already committed"), r2.stdout)
        XCTAssertEqual(try String(contentsOfFile: outbox, encoding: .utf8).split(separator: "\n"), lines)
        // Dry run writes nothing.
        let dry = try CLI.run(base.map { $0 == "2024-10-01" ? "2024-10-02" : $0 } + ["--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("dry run"))
        let hist = try CLI.run(["rules", "history", "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertEqual(hist.stdout.split(separator: "\n").count, 2, hist.stdout)   // header + one run
        let show = try CLI.run(["rules", "show", id, "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertTrue(show.stdout.contains("status committed") && show.stdout.contains("coupon:"), show.stdout)
        // Effect: treated users all retained, controls all churned → lift 1 for every rule with both groups.
        var outcomes = "user_id,retained\n"
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            outcomes += "\(f[2]),\(f[8] == "treatment" ? 1 : 0)\n"
        }
        try write(outcomes, dir.appendingPathComponent("outcomes.csv"))
        let eff = try CLI.run(["rules", "effect", id, "--outcomes", dir.appendingPathComponent("outcomes.csv").path,
                               "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertEqual(eff.status, 0, eff.stderr)
        XCTAssertTrue(eff.stdout.contains("coupon") && eff.stdout.contains("lift"), eff.stdout)
        // Errors: a missing file, a bad date, a rule script error.
        XCTAssertEqual(try CLI.run(base.map { $0.hasSuffix("users.csv") ? "/nonexistent.csv" : $0 }).status, 66)
        XCTAssertEqual(try CLI.run(base.map { $0 == "2024-10-01" ? "2024-13-01" : $0 }).status, 64)
        try write("cl.rules.rule{ name = 'x', action = {} }", dir.appendingPathComponent("bad.lua"))
        let bad = try CLI.run(base.map { $0.hasSuffix("rules.lua") ? dir.appendingPathComponent("bad.lua").path : $0 })
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("bad.lua:1:") && bad.stderr.contains("action.channel is required"), bad.stderr)
    }

    /// kill -9 at random instants, 50 times over 10 periods; after every kill the ledger is consistent,
    /// and each period, once completed, holds exactly the decisions of an uninterrupted reference run.
    func testKillNineAtRandomMomentsLeavesAllOrNothing() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.usersCSV(4000), dir.appendingPathComponent("users.csv"))
        try write(Self.rules, dir.appendingPathComponent("rules.lua"))
        func args(_ day: Int, _ ledger: String, _ outbox: String) -> [String] {
            ["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
             "--as-of", String(format: "2024-10-%02d", day), "--ledger", dir.appendingPathComponent(ledger).path,
             "--outbox", dir.appendingPathComponent(outbox).path]
        }
        // Kill moments are drawn below the fastest reference run, so under a
        // loaded machine (slower runs) a kill still lands mid-way rather than
        // after the run finished.
        var refSeconds = Double.infinity
        for day in 1...10 {
            let r = try CLI.run(args(day, "ref.db", "ref-\(day).csv"))
            XCTAssertEqual(r.status, 0, r.stderr)
            refSeconds = min(refSeconds, r.seconds)
        }
        var rng: UInt64 = 7
        var kills = 0
        for i in 0..<50 {
            let day = i / 5 + 1
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = args(day, "test.db", "test-\(day).csv")
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            Thread.sleep(forTimeInterval: Double(rng >> 11) * 0x1.0p-53 * refSeconds * 0.9)
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 }
            p.waitUntilExit()
            let v = try CLI.run(["rules", "verify", "--ledger", dir.appendingPathComponent("test.db").path])
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("test.db").path) {
                XCTAssertEqual(v.stdout, "ledger ok\n", "after kill \(i): \(v.stdout)\(v.stderr)")
            }
            if i % 5 == 4 {
                // Restart without a kill: the period completes and matches the reference exactly.
                let r = try CLI.run(args(day, "test.db", "test-\(day).csv"))
                XCTAssertEqual(r.status, 0, r.stderr)
                let got = try String(contentsOf: dir.appendingPathComponent("test-\(day).csv"), encoding: .utf8)
                let want = try String(contentsOf: dir.appendingPathComponent("ref-\(day).csv"), encoding: .utf8)
                XCTAssertEqual(got, want, "period \(day)")
            }
        }
        XCTAssertGreaterThanOrEqual(kills, 25, "most runs should have been killed mid-way")
    }
}

extension RulesCLITests {
    /// --script: a pipeline returns the scored frame; rule-file paths resolve next to the rule file;
    /// the outbox can be pseudonymized.
    func testPipelineScriptSuppressFileAndPseudonyms() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write("""
            return cl.frame({ user_id = { "a", "b", "c" }, risk = { 0.9, 0.8, 0.1 } }, { names = { "user_id", "risk" } })
            """, dir.appendingPathComponent("pipeline.lua"))
        try write("user_id\nb\n", dir.appendingPathComponent("optouts.csv"))
        try write("""
            cl.rules.suppress{ file = "optouts.csv" }
            cl.rules.rule{ name = "r", when = cl.col("risk"):gt(0.5), action = { channel = "email", message = "hi {user_id}" } }
            """, dir.appendingPathComponent("rules.lua"))
        try write("secret\n", dir.appendingPathComponent("key"))
        let out = dir.appendingPathComponent("out.jsonl").path
        let r = try CLI.run(["rules", "run", dir.appendingPathComponent("rules.lua").path, "--script", dir.appendingPathComponent("pipeline.lua").path,
                             "--as-of", "2024-10-01", "--ledger", dir.appendingPathComponent("l.db").path, "--outbox", out,
                             "--pseudonymize-key-file", dir.appendingPathComponent("key").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("1 decisions committed"), r.stdout)
        XCTAssertTrue(r.stdout.contains("suppressed (opt-outs): 1"), r.stdout)
        let line = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(line.count, 1)
        // HMAC-SHA256("secret", "a"), from Python: hmac.new(b"secret", b"a", hashlib.sha256).hexdigest()
        XCTAssertTrue(line[0].contains("\"user_id\":\"\(Self.hmacSecretA)\""), String(line[0]))
        // The message was rendered from {user_id}: a pseudonymised outbox must not carry it (nor the reason).
        XCTAssertFalse(line[0].contains("\"message\"") || line[0].contains("\"reason\"") || line[0].contains("hi a"), String(line[0]))
        XCTAssertTrue(r.stdout.contains("message and reason omitted"), r.stdout)
    }

    /// The outbox is what a sender contacts: the holdout stays in the ledger unless --include-control,
    /// and then every control row is marked group=control and has no message. `rules show --outbox`
    /// regenerates the same file from the ledger with the same rules.
    func testOutboxCarriesTreatmentOnlyUnlessIncludeControl() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.usersCSV(300), dir.appendingPathComponent("users.csv"))
        try write(Self.rules, dir.appendingPathComponent("rules.lua"))
        let ledger = dir.appendingPathComponent("l.db").path
        let base = ["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                    "--as-of", "2024-10-01", "--ledger", ledger]
        func table(_ path: String) throws -> (header: [String], rows: [[String: String]]) {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            return (lines[0], lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) })
        }
        let plain = dir.appendingPathComponent("out.csv").path
        let r = try CLI.run(base + ["--outbox", plain])
        XCTAssertEqual(r.status, 0, r.stderr)
        let id = try XCTUnwrap(runID(r.stdout))
        // The ledger's own counts, from `rules show`: "  coupon: T treatment, C control, ...".
        let show = try CLI.run(["rules", "show", id, "--ledger", ledger])
        var treated = 0, controls = 0
        for line in show.stdout.split(separator: "\n") {
            guard let m = line.range(of: #"(\d+) treatment, (\d+) control"#, options: .regularExpression) else { continue }
            let nums = line[m].split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
            treated += nums[0]; controls += nums[1]
        }
        XCTAssertGreaterThan(controls, 5, show.stdout)           // the rules hold out 10% and 20%
        let t = try table(plain)
        XCTAssertEqual(t.rows.count, treated)
        XCTAssertTrue(t.rows.allSatisfy { $0["group"] == "treatment" })
        XCTAssertTrue(t.rows.contains { $0["message"]?.hasPrefix("Hi N") == true })   // treated coupon users get their message
        XCTAssertTrue(r.stdout.contains("outbox: \(plain) (\(treated) rows); \(controls) control rows kept in the ledger only"), r.stdout)

        let all = dir.appendingPathComponent("all.csv").path
        let show2 = try CLI.run(["rules", "show", id, "--ledger", ledger, "--outbox", all, "--include-control"])
        XCTAssertEqual(show2.status, 0, show2.stderr)
        let a = try table(all)
        XCTAssertEqual(a.header, ["run_id", "as_of", "user_id", "rule", "tier", "channel", "offer", "cost", "group", "message", "reason", "action", "propensity"])
        XCTAssertEqual(a.rows.count, treated + controls)
        let c = a.rows.filter { $0["group"] == "control" }
        XCTAssertEqual(c.count, controls)
        XCTAssertTrue(c.allSatisfy { $0["message"] == "" }, "control rows carry no message")
        // Regenerating the treatment-only outbox from the ledger gives the same bytes.
        let again = dir.appendingPathComponent("again.csv").path
        _ = try CLI.run(["rules", "show", id, "--ledger", ledger, "--outbox", again])
        XCTAssertEqual(try String(contentsOfFile: again, encoding: .utf8), try String(contentsOfFile: plain, encoding: .utf8))
        // Pseudonymised: no message/reason column at all, in CSV too.
        try write("k", dir.appendingPathComponent("key"))
        let pseudo = dir.appendingPathComponent("p.csv").path
        _ = try CLI.run(["rules", "show", id, "--ledger", ledger, "--outbox", pseudo, "--pseudonymize-key-file", dir.appendingPathComponent("key").path])
        let p = try table(pseudo)
        XCTAssertEqual(p.header, ["run_id", "as_of", "user_id", "rule", "tier", "channel", "offer", "cost", "group", "action", "propensity"])
        XCTAssertEqual(p.rows.count, treated)
        XCTAssertFalse(try String(contentsOfFile: pseudo, encoding: .utf8).contains("Hi N"))
    }

    /// A policy chooses the action inside a rule; the ledger logs propensities and context; `rules history --logs`
    /// exports them with outcomes joined by user and horizon; `rules effect --policy` evaluates a candidate off-policy.
    /// Logging: uniform over {none, mail} (explore = 1, no holdout) → every propensity 0.5. Candidate: always mail.
    /// Every user retained → by hand IPS = (1/n)·Σ_{a=mail} 1/0.5 = 2·#mail/n and SNIPS = Σw·1/Σw = 1.
    func testPolicyRuleLogsPropensitiesAndEffectEvaluatesCandidate() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.usersCSV(200), dir.appendingPathComponent("users.csv"))
        try write("""
            local pol = cl.policy.uniform{ actions = { "none", "mail" } }
            cl.rules.settings{ context = { "tenure_days" } }
            cl.rules.rule{ name = "learned", action = cl.policy.use(pol, { explore = 1, actions = { mail = { channel = "email", cost = 1 } } }),
              horizon = "7d" }
            """, dir.appendingPathComponent("rules.lua"))
        try write("return cl.policy.tiers{ actions = { \"none\", \"mail\" }, default = \"mail\" }", dir.appendingPathComponent("cand.lua"))
        var outcomes = "user_id,retained,date\n"
        for i in 0..<200 { outcomes += "u\(i),1,2024-10-05\nu\(i),1,2024-10-09\n" }
        try write(outcomes, dir.appendingPathComponent("outcomes.csv"))
        let ledger = dir.appendingPathComponent("l.db").path
        let r = try CLI.run(["rules", "run", dir.appendingPathComponent("rules.lua").path, "--users", dir.appendingPathComponent("users.csv").path,
                             "--as-of", "2024-10-01", "--ledger", ledger])
        XCTAssertEqual(r.status, 0, r.stderr)
        let id = try XCTUnwrap(runID(r.stdout))
        let logs = dir.appendingPathComponent("logs.csv").path
        let h = try CLI.run(["rules", "history", "--ledger", ledger, "--logs", logs, "--outcomes", dir.appendingPathComponent("outcomes.csv").path])
        XCTAssertEqual(h.status, 0, h.stderr)
        XCTAssertTrue(h.stdout.contains("logs: \(logs) (200 decisions, 200 with a propensity)"), h.stdout)
        let lines = try String(contentsOfFile: logs, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines[0], ["run_id", "as_of", "user_id", "rule", "group", "action", "propensity", "cost", "horizon_days",
                                  "p_mail", "p_none", "tenure_days", "retained", "reward"])
        let rows = lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
        XCTAssertTrue(rows.allSatisfy { $0["propensity"] == "0.5" && $0["horizon_days"] == "7" && $0["retained"] == "1.0" }, "\(rows.prefix(2))")
        XCTAssertTrue(rows.allSatisfy { $0["p_mail"] == "0.5" && $0["p_none"] == "0.5" }, "\(rows.prefix(2))")
        let mail = rows.filter { $0["action"] == "mail" }.count
        XCTAssertTrue(rows.allSatisfy { ($0["action"] == "mail") == ($0["group"] == "treatment") })
        XCTAssertGreaterThan(mail, 70); XCTAssertLessThan(mail, 130)
        let e = try CLI.run(["rules", "effect", id, "--ledger", ledger, "--outcomes", dir.appendingPathComponent("outcomes.csv").path,
                             "--policy", dir.appendingPathComponent("cand.lua").path])
        XCTAssertEqual(e.status, 0, e.stderr)
        func estimate(_ m: String) -> Double? {
            e.stdout.split(separator: "\n").first { $0.hasPrefix("  \(m) ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }
        XCTAssertEqual(try XCTUnwrap(estimate("ips")), 2 * Double(mail) / 200, accuracy: 1e-4, e.stdout)
        XCTAssertEqual(try XCTUnwrap(estimate("snips")), 1, accuracy: 1e-4, e.stdout)
        // The reward model (ridge on tenure_days, intercept shrunk a little) predicts ≈ 1 for everyone.
        XCTAssertEqual(try XCTUnwrap(estimate("dm")), 1, accuracy: 0.05, e.stdout)
        XCTAssertEqual(try XCTUnwrap(estimate("dr")), 1, accuracy: 0.05, e.stdout)   // DM + mean w(r − q̂) with r = 1 ≈ q̂
        XCTAssertNotNil(estimate("switch_dr"), e.stdout)
        XCTAssertTrue(e.stdout.contains("200 logged decisions used"), e.stdout)
        XCTAssertTrue(e.stdout.contains("support: the candidate stays within"), e.stdout)
        // A candidate that sends an action the logging rule never could (sms): the support warning, IPS = 0.
        try write("return cl.policy.tiers{ actions = { \"none\", \"mail\", \"sms\" }, default = \"sms\" }", dir.appendingPathComponent("sms.lua"))
        let out = try CLI.run(["rules", "effect", id, "--ledger", ledger, "--outcomes", dir.appendingPathComponent("outcomes.csv").path,
                               "--policy", dir.appendingPathComponent("sms.lua").path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("warning: the target policy leaves the logged support: 1 of its probability"), out.stdout)
        XCTAssertTrue(out.stdout.contains("  ips        0.0000"), out.stdout)
        // A candidate whose actions do not cover the logged ones is a clear error.
        try write("return cl.policy.uniform{ actions = { \"none\", \"sms\" } }", dir.appendingPathComponent("bad.lua"))
        let bad = try CLI.run(["rules", "effect", id, "--ledger", ledger, "--outcomes", dir.appendingPathComponent("outcomes.csv").path,
                               "--policy", dir.appendingPathComponent("bad.lua").path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("action 'mail'"), bad.stderr)
    }

    /// A scheduled rules job follows the same outbox rules; include_control = true adds the marked controls.
    func testScheduledRulesJobIncludeControl() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Self.usersCSV(300), dir.appendingPathComponent("users.csv"))
        try write(Self.rules, dir.appendingPathComponent("rules.lua"))
        try write("""
            job{ name = "plain", cron = "0 9 * * *", rules = "rules.lua", users = "users.csv", outbox = "plain-{date}.csv" }
            job{ name = "all", cron = "0 9 * * *", rules = "rules.lua", users = "users.csv", outbox = "all-{date}.csv",
                 include_control = true, as_of = "{date}" }
            """, dir.appendingPathComponent("s.lua"))
        let r = try CLI.run(["schedule", dir.appendingPathComponent("s.lua").path, "--once", "--now", "2024-10-01T09:00:05Z",
                             "--ledger", dir.appendingPathComponent("l.db").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        func groups(_ name: String) throws -> [String] {
            try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").dropFirst().map {
                String($0.split(separator: ",", omittingEmptySubsequences: false)[8])
            }
        }
        // The second job re-derives the same committed run's outbox, with the controls.
        XCTAssertEqual(Set(try groups("plain-2024-10-01.csv")), ["treatment"])
        XCTAssertEqual(Set(try groups("all-2024-10-01.csv")), ["treatment", "control"])
        try write("job{ name = 'x', cron = '@daily', rules = 'rules.lua', users = 'users.csv', include_control = 'yes' }", dir.appendingPathComponent("bad.lua"))
        let bad = try CLI.run(["schedule", dir.appendingPathComponent("bad.lua").path, "--check"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("'include_control' must be true or false"), bad.stderr)
    }
}
