import Foundation
import XCTest

/// The personas example pipeline and notebook run end to end in the test suite
/// (small simulations), so they keep working as the library changes.
final class PersonasPipelineTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    func testExamplePipelineRuns() throws {
        let out = try CLI.tempDir()
        let script = Self.repo.appendingPathComponent("scripts/examples/personas_pipeline.lua").path
        let r = try CLI.run(["run", script, out.path, "1200"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Every step printed its result: personas named, a recommendation reason per kind, the win-back
        // message naming a course, and the effect table.
        for s in ["== personas", "persona 1: ", "NDCG@10", "popular-in-persona", "We picked ", "win_back", "treated"] {
            XCTAssertTrue(r.stdout.contains(s), "missing '\(s)' in:\n\(r.stdout)")
        }
        for f in ["personas.svg", "personas_pca.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), f)
        }
    }

    func testNotebookRuns() throws {
        let out = try CLI.tempDir().appendingPathComponent("personas.ipynb").path
        let nb = Self.repo.appendingPathComponent("notebooks/personas.ipynb").path
        let r = try CLI.run(["notebook", "run", nb, "--out", out, "-p", "users=1200", "--timeout", "300"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.contains("We picked "), "the win-back message names a course")
        XCTAssertTrue(text.contains("churn_rate"), "per-persona churn")
        XCTAssertTrue(text.contains("<svg"), "persona charts")
    }
}
