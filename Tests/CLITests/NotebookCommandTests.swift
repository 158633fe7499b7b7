import Foundation
import XCTest

final class NotebookCommandTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try CLI.tempDir() }

    /// Writes an nbformat 4 notebook with these cells ("# …" markdown, others code).
    func notebook(_ name: String, _ cells: [String]) throws -> String {
        let json: [String: Any] = [
            "nbformat": 4, "nbformat_minor": 4, "metadata": [String: Any](),
            "cells": cells.map { src -> [String: Any] in
                src.hasPrefix("#")
                    ? ["cell_type": "markdown", "metadata": [String: Any](), "source": src]
                    : ["cell_type": "code", "metadata": [String: Any](), "source": src, "outputs": [Any](), "execution_count": NSNull()]
            },
        ]
        let u = dir.appendingPathComponent(name)
        try JSONSerialization.data(withJSONObject: json).write(to: u)
        return u.path
    }

    func load(_ path: String) throws -> [[String: Any]] {
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return try XCTUnwrap(obj["cells"] as? [[String: Any]])
    }

    func joined(_ v: Any?) -> String { (v as? [String])?.joined() ?? (v as? String ?? "") }

    let cells = [
        "# Title\nSome *text* with `code`.",
        "print('hello', 1)\nlocal x = 40\nx + 2",
        "df = cl.frame{a = {1, 2}, b = {'x', 'y'}}\ncl.display(df)\ndf:nrow()",
        "cl.plot.retention({a = {times = {0, 1}, share = {1, 0.5}}})",
        "local t\nreturn t.x",
        "print('after the error')",
    ]

    func testRunStoresOutputsAndStopsAtFirstError() throws {
        let nb = try notebook("t.ipynb", cells)
        let out = dir.appendingPathComponent("out.ipynb").path
        let r = try CLI.run(["notebook", "run", nb, "--out", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("cell 5 failed"), r.stderr)
        XCTAssertTrue(r.stderr.contains("In[4]:2: attempt to index a nil value (local 't')"), r.stderr)
        let c = try load(out)
        XCTAssertEqual(c[1]["execution_count"] as? Int, 1)
        let o1 = try XCTUnwrap(c[1]["outputs"] as? [[String: Any]])
        XCTAssertEqual(o1.count, 2)
        XCTAssertEqual(o1[0]["output_type"] as? String, "stream")
        XCTAssertEqual(o1[0]["name"] as? String, "stdout")
        XCTAssertEqual(joined(o1[0]["text"]), "hello\t1\n")
        XCTAssertEqual(o1[1]["output_type"] as? String, "execute_result")
        XCTAssertEqual(o1[1]["execution_count"] as? Int, 1)
        XCTAssertEqual(joined((o1[1]["data"] as? [String: Any])?["text/plain"]), "42")

        let o2 = try XCTUnwrap(c[2]["outputs"] as? [[String: Any]])
        XCTAssertEqual(o2.map { $0["output_type"] as? String }, ["display_data", "execute_result"])
        let html = joined((o2[0]["data"] as? [String: Any])?["text/html"])
        XCTAssertTrue(html.contains("<th>a<br><small>int</small></th><th>b<br><small>string</small></th>") && html.contains("<td>y</td>"), html)

        let o3 = try XCTUnwrap(c[3]["outputs"] as? [[String: Any]])
        XCTAssertTrue(joined((o3[0]["data"] as? [String: Any])?["image/svg+xml"]).contains("<svg"))

        let o4 = try XCTUnwrap(c[4]["outputs"] as? [[String: Any]])
        XCTAssertEqual(o4[0]["output_type"] as? String, "error")
        XCTAssertEqual(o4[0]["ename"] as? String, "RuntimeError")
        XCTAssertTrue((o4[0]["traceback"] as? [String] ?? []).contains("stack traceback:"))
        // Not executed after the error.
        XCTAssertTrue(c[5]["execution_count"] is NSNull)
        XCTAssertEqual((c[5]["outputs"] as? [Any])?.count, 0)
        // Cell ids added (nbformat 4.5).
        XCTAssertEqual(c[0]["id"] as? String, "cell-1")
    }

    func testAllowErrorsKeepsGoingAndUpdatesInPlace() throws {
        let nb = try notebook("t.ipynb", cells)
        let r = try CLI.run(["notebook", "run", nb, "--allow-errors"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let c = try load(nb)
        XCTAssertEqual(c[5]["execution_count"] as? Int, 5)
        XCTAssertEqual(joined((c[5]["outputs"] as? [[String: Any]])?.first?["text"]), "after the error\n")
    }

    func testHTMLIsSelfContained() throws {
        let nb = try notebook("t.ipynb", cells)
        let html = dir.appendingPathComponent("t.html").path
        let r = try CLI.run(["notebook", "run", nb, "--allow-errors", "--html", html])
        XCTAssertEqual(r.status, 0, r.stderr)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(page.contains("<h1>Title</h1>"))
        XCTAssertTrue(page.contains("<p>Some <em>text</em> with <code>code</code>.</p>"))
        XCTAssertTrue(page.contains("In [1]:"))
        XCTAssertTrue(page.contains("print(&#39;hello&#39;, 1)"))   // quotes escaped, rendered as typed
        XCTAssertTrue(page.contains("<table class=\"churnlab-frame\""))
        XCTAssertTrue(page.contains("<svg"))
        XCTAssertFalse(page.contains("<?xml"))   // SVG inlined without its XML declaration
        XCTAssertTrue(page.contains("<pre class=\"error\">In[4]:2: attempt to index a nil value"))
        for external in ["<script src", "<link", "<img src=\"http"] { XCTAssertFalse(page.contains(external), external) }
    }

    func testCellTimeoutAndWorkingDirectory() throws {
        try "42\n".write(to: dir.appendingPathComponent("data.txt"), atomically: true, encoding: .utf8)
        let nb = try notebook("t.ipynb", ["io.open('data.txt'):read('l')", "while true do end"])
        let r = try CLI.run(["notebook", "run", nb, "--timeout", "0.5"], cwd: FileManager.default.temporaryDirectory)
        XCTAssertEqual(r.status, 1)
        XCTAssertLessThan(r.seconds, 10)
        let c = try load(nb)
        XCTAssertEqual(joined(((c[0]["outputs"] as? [[String: Any]])?.first?["data"] as? [String: Any])?["text/plain"]), "\"42\"")
        XCTAssertEqual((c[1]["outputs"] as? [[String: Any]])?.first?["ename"] as? String, "TimeoutError")
    }

    func testParametersFromTheCommandLine() throws {
        let nb = try notebook("p.ipynb", ["p = cl.params{horizon = {default = 30, type = 'int'}}\np.horizon * 2"])
        XCTAssertEqual(try CLI.run(["notebook", "run", nb, "-p", "horizon=45"]).status, 0)
        let c = try load(nb)
        XCTAssertEqual(joined(((c[0]["outputs"] as? [[String: Any]])?.first?["data"] as? [String: Any])?["text/plain"]), "90")
        let bad = try CLI.run(["notebook", "run", nb, "-p", "horizon=x"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("parameter 'horizon' (int): 'x' is not an integer"), bad.stderr)
        let plain = try notebook("plain.ipynb", ["1"])
        let undeclared = try CLI.run(["notebook", "run", plain, "-p", "a=1"])
        XCTAssertEqual(undeclared.status, 1)
        XCTAssertTrue(undeclared.stderr.contains("never called cl.params"), undeclared.stderr)
    }

    func testBadNotebooks() throws {
        let bad = dir.appendingPathComponent("bad.ipynb")
        try "{not json".write(to: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["notebook", "run", bad.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("not valid JSON"), r.stderr)
        try #"{"nbformat": 3, "cells": []}"#.write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertTrue(try CLI.run(["notebook", "run", bad.path]).stderr.contains("only nbformat 4"))
        XCTAssertEqual(try CLI.run(["notebook", "run", dir.appendingPathComponent("none.ipynb").path]).status, 66)
    }

    /// The executed notebook passes nbformat's schema validation (what Jupyter and GitHub require).
    func testOutputValidatesWithNbformat() throws {
        let (python, reason) = JupyterPython.find(modules: ["nbformat"])
        guard let python else { throw XCTSkip(reason) }
        let nb = try notebook("t.ipynb", cells)
        _ = try CLI.run(["notebook", "run", nb, "--allow-errors"])
        let r = try JupyterPython.run(python, ["-c", """
            import sys, nbformat
            nb = nbformat.read(sys.argv[1], as_version=4)
            nbformat.validate(nb)
            print("valid", nb.nbformat, nb.nbformat_minor, nb.metadata.kernelspec.name, len(nb.cells))
            """, nb])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output, "valid 4 5 churnlab 6\n")
    }
}
