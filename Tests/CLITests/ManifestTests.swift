import Foundation
import XCTest

final class ManifestTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try CLI.tempDir() }

    func write(_ name: String, _ text: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try text.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    func sha256(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sha256sum", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return String(out.prefix(64))
    }

    let paramsScript = """
        local p = cl.params{
          horizon = { default = 30, type = "int", help = "days" },
          as_of = { default = "2024-10-01", type = "date" },
          label = { default = "base" },
        }
        print(p.horizon, math.type(p.horizon), p.as_of, p.label)
        """

    func testParamsFromTheCommandLine() throws {
        let s = try write("p.lua", paramsScript)
        XCTAssertEqual(try CLI.run(["run", s]).stdout, "30\tinteger\t2024-10-01\tbase\n")
        let r = try CLI.run(["run", s, "-p", "horizon=60", "--param", "as_of=2024-11-01", "--param=label=x=y"])
        XCTAssertEqual(r.stdout, "60\tinteger\t2024-11-01\tx=y\n", r.stderr)
        let before = try CLI.run(["run", "-p", "horizon=7", s])
        XCTAssertEqual(before.stdout, "7\tinteger\t2024-10-01\tbase\n", before.stderr)

        let unknown = try CLI.run(["run", s, "-p", "horizn=60"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("unknown parameter 'horizn' given with -p; did you mean 'horizon'?"), unknown.stderr)
        let invalid = try CLI.run(["run", s, "-p", "horizon=soon"])
        XCTAssertEqual(invalid.status, 1)
        XCTAssertTrue(invalid.stderr.contains("parameter 'horizon' (int): 'soon' is not an integer"), invalid.stderr)
        let badDate = try CLI.run(["run", s, "-p", "as_of=2024-02-30"])
        XCTAssertTrue(badDate.stderr.contains("parameter 'as_of' (date): '2024-02-30' is not a valid calendar date"), badDate.stderr)
        let noEq = try CLI.run(["run", s, "-p", "horizon"])
        XCTAssertEqual(noEq.status, 64)
        XCTAssertTrue(noEq.stderr.contains("must be given as name=value"), noEq.stderr)
        let undeclared = try CLI.run(["run", "-e", "x = 1", "-p", "a=1"])
        XCTAssertEqual(undeclared.status, 1)
        XCTAssertTrue(undeclared.stderr.contains("never called cl.params"), undeclared.stderr)
        // After `--` arguments belong to the script.
        let passthrough = try CLI.run(["run", try write("a.lua", "print(...)"), "--", "-p", "x"])
        XCTAssertEqual(passthrough.stdout, "-p\tx\n")
    }

    /// A script whose output depends on its input file, a parameter and the seed
    /// (bootstrap resampling uses the process-wide seed).
    let pipeline = """
        local p = cl.params{ n = { default = 200, type = "int" } }
        local helpers = require("helpers")
        cl.seed(7)
        local y, s = {}, {}
        for line in io.lines("scores.csv") do
          local a, b = line:match("^(%d),([%d.]+)$")
          if a then y[#y + 1] = tonumber(a); s[#s + 1] = tonumber(b) end
        end
        local ci = cl.metrics.bootstrap(cl.metrics.auc, y, s, { n = p.n })
        local f = assert(io.open("out/result.txt", "w"))
        f:write(cl.inspect(ci), "\\n")
        f:close()
        print("done")
        """

    func scores(_ shift: Double) -> String {
        (0..<60).map { i in "\(i % 3 == 0 ? 1 : 0),\(Double((i * 37) % 100) / 100 + (i % 3 == 0 ? shift : 0))" }.joined(separator: "\n") + "\n"
    }

    func testManifestRecordsRunAndVerifyComparesOutputs() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        let script = try write("pipeline.lua", pipeline)
        let input = try write("scores.csv", scores(0.2))
        _ = try write("helpers.lua", "return { shift = 0 }\n")
        let r = try CLI.run(["run", "pipeline.lua", "-p", "n=150", "--manifest", "run.json"], cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let m = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("run.json"))) as? [String: Any])
        XCTAssertEqual(m["manifest_version"] as? Int, 1)
        XCTAssertTrue((m["churnlab_version"] as? String ?? "").range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
        let scriptInfo = try XCTUnwrap(m["script"] as? [String: Any])
        XCTAssertEqual(scriptInfo["path"] as? String, "pipeline.lua")
        XCTAssertEqual(scriptInfo["sha256"] as? String, try sha256(script))
        XCTAssertEqual((m["params"] as? [String: Any])?["n"] as? Int, 150)
        XCTAssertEqual(m["param_arguments"] as? [String], ["n=150"])
        XCTAssertEqual(m["seed"] as? Int, 7)
        XCTAssertEqual(m["status"] as? String, "ok")
        var inputs = try XCTUnwrap(m["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.map { $0["path"] as? String }, ["helpers.lua", "scores.csv"])
        inputs.removeFirst()
        XCTAssertEqual(inputs[0]["size"] as? Int, try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int)
        XCTAssertEqual(inputs[0]["sha256"] as? String, try sha256(input))
        let outputs = try XCTUnwrap(m["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.map { $0["path"] as? String }, ["out/result.txt"])
        let resultPath = dir.appendingPathComponent("out/result.txt").path
        XCTAssertEqual(outputs[0]["sha256"] as? String, try sha256(resultPath))

        // Same inputs and seed: bit-identical output.
        let same = try CLI.run(["verify", "run.json"], cwd: dir)
        XCTAssertEqual(same.status, 0, same.stdout + same.stderr)
        XCTAssertTrue(same.stdout.contains("identical  out/result.txt"), same.stdout)
        XCTAssertTrue(same.stdout.contains("1 identical, 0 different"), same.stdout)

        // A changed input changes the output: reported, exit code 1.
        _ = try write("scores.csv", scores(0.5))
        let changed = try CLI.run(["verify", dir.appendingPathComponent("run.json").path])
        XCTAssertEqual(changed.status, 1)
        XCTAssertTrue(changed.stdout.contains("input changed: scores.csv"), changed.stdout)
        XCTAssertTrue(changed.stdout.contains("DIFFERENT  out/result.txt"), changed.stdout)
        XCTAssertTrue(changed.stdout.contains("0 identical, 1 different"), changed.stdout)
    }

    /// Simulation, a stratified split and model training, seeded by a parameter:
    /// the same seed gives bit-identical files (also with another thread count),
    /// another seed gives different ones.
    let seededPipeline = """
        local p = cl.params{ seed = { default = 11, type = "int" } }
        cl.seed(p.seed)
        local sim = cl.simulate.platform{ users = 200, days = 120, start = "2024-01-01" }
        sim.events:write_csv("out/events.csv")
        local snaps = cl.features.snapshots(cl.events(sim.events), { from = "2024-02-01", to = "2024-04-01", every = "2w",
          spec = { windows = { 7, 30 } }, label = { horizon = 14 } })
        local train, test = snaps:split{ test = 0.3, stratify = "churn" }
        test:select{ "as_of", "user_id", "churn" }:write_csv("out/test_rows.csv")
        local model = cl.model.logistic{ C = 1, standardize = true }:fit(train, { target = "churn",
          features = { "events_7d", "events_30d", "active_days_30d", "tenure_days" } })
        model:save("out/model.json")
        cl.frame{ p = model:predict_proba(test):to_table() }:write_csv("out/scores.csv")
        """

    func testSeededSimulationSplitAndTrainingAreBitIdentical() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        _ = try write("seeded.lua", seededPipeline)
        let r = try CLI.run(["run", "seeded.lua", "--manifest", "run.json"], cwd: dir, env: ["CHURNLAB_THREADS": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        func outputs(_ manifest: String) throws -> [String: String] {
            let m = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(manifest))) as? [String: Any])
            let list = try XCTUnwrap(m["outputs"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: list.map { ($0["path"] as! String, $0["sha256"] as! String) })
        }
        let first = try outputs("run.json")
        XCTAssertEqual(first.keys.sorted(), ["out/events.csv", "out/model.json", "out/scores.csv", "out/test_rows.csv"])
        XCTAssertEqual(first["out/scores.csv"], try sha256(dir.appendingPathComponent("out/scores.csv").path))

        let again = try CLI.run(["verify", "run.json"], cwd: dir, env: ["CHURNLAB_THREADS": "4"])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("4 identical, 0 different"), again.stdout)

        let other = try CLI.run(["run", "seeded.lua", "-p", "seed=12", "--manifest", "other.json"], cwd: dir)
        XCTAssertEqual(other.status, 0, other.stderr)
        let second = try outputs("other.json")
        for (path, hash) in first { XCTAssertNotEqual(second[path], hash, "\(path) should change with the seed") }
    }

    func testFailedRunStillWritesManifest() throws {
        let s = try write("fail.lua", "local f = io.open('note.txt', 'w'); f:write('x'); f:close()\nerror('boom')")
        let r = try CLI.run(["run", s, "--manifest", dir.appendingPathComponent("m.json").path], cwd: dir)
        XCTAssertEqual(r.status, 1)
        let m = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("m.json"))) as? [String: Any])
        XCTAssertEqual(m["status"] as? String, "error")
        XCTAssertTrue((m["error"] as? String ?? "").hasSuffix("boom"))
        XCTAssertEqual((m["outputs"] as? [[String: Any]])?.first?["path"] as? String, "note.txt")
        XCTAssertEqual((m["outputs"] as? [[String: Any]])?.first?["sha256"] as? String,
                       "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881")   // sha256("x")
        let bad = try CLI.run(["verify", s])
        XCTAssertEqual(bad.status, 66)
        XCTAssertTrue(bad.stderr.contains("not a churnlab run manifest"), bad.stderr)
    }
}
