import Foundation
import XCTest
@testable import ChurnFiles

/// Notebook JSON: the structure the runner and renderer rely on is checked on
/// load, with the cell and field named.
final class NotebookFileTests: XCTestCase {
    private func error(_ json: String) -> String? {
        do { _ = try NotebookFile.parse(Data(json.utf8), source: "n.ipynb"); return nil } catch { return "\(error)" }
    }

    private func notebook(_ cells: String, extra: String = "") -> String {
        #"{"nbformat": 4, "nbformat_minor": 5, "metadata": {}\#(extra), "cells": [\#(cells)]}"#
    }

    func testValidNotebookLoads() throws {
        let ok = notebook(#"""
            {"cell_type": "markdown", "source": ["# Title\n", "text"], "metadata": {}},
            {"cell_type": "code", "id": "c1", "source": "print(1)", "execution_count": null, "outputs": [
              {"output_type": "stream", "name": "stdout", "text": ["1\n"]},
              {"output_type": "execute_result", "data": {"text/plain": "1", "application/json": {"a": 1}}, "metadata": {}}]}
            """#)
        XCTAssertNil(error(ok))
        let d = try NotebookFile.parse(Data(ok.utf8), source: "n.ipynb")
        XCTAssertEqual((d["cells"] as? [Any])?.count, 2)
    }

    func testMalformedNotebooksNameCellAndField() {
        let cases: [(String, String)] = [
            ("not json", "n.ipynb: not valid JSON"),
            ("[1, 2]", "n.ipynb: not a Jupyter notebook (no 'cells' list)"),
            (#"{"nbformat": 3, "cells": []}"#, "n.ipynb: only nbformat 4 notebooks are supported (found the number 3)"),
            (#"{"nbformat": "4", "cells": []}"#, "n.ipynb: only nbformat 4 notebooks are supported (found the string \"4\")"),
            (notebook("", extra: #", "nbformat_minor": -1"#), "n.ipynb: nbformat_minor must be a whole number ≥ 0 (found the number -1)"),
            (#"{"nbformat": 4, "metadata": [], "cells": []}"#, "n.ipynb: metadata must be an object"),
            (notebook("5"), "n.ipynb: cell 1: must be an object, found the number 5"),
            (notebook(#"{"source": "x"}"#), "n.ipynb: cell 1: has no cell_type"),
            (notebook(#"{"cell_type": "python", "source": "x"}"#), "n.ipynb: cell 1: unknown cell_type 'python' (expected code, markdown or raw)"),
            (notebook(#"{"cell_type": "code"}"#), "n.ipynb: cell 1: has no source"),
            (notebook(#"{"cell_type": "code", "source": 42}"#), "n.ipynb: cell 1: source must be a string or a list of strings, found the number 42"),
            (notebook(#"{"cell_type": "markdown", "source": "a"}, {"cell_type": "code", "source": ["a", null]}"#),
             "n.ipynb: cell 2: source must be a string or a list of strings (item 2 is null)"),
            (notebook(#"{"cell_type": "code", "source": "", "id": 3}"#), "n.ipynb: cell 1: id must be a string, found the number 3"),
            (notebook(#"{"cell_type": "code", "source": "", "metadata": "x"}"#), "n.ipynb: cell 1: metadata must be an object, found the string \"x\""),
            (notebook(#"{"cell_type": "code", "source": "", "execution_count": -2}"#),
             "n.ipynb: cell 1: execution_count must be null or a whole number ≥ 0, found the number -2"),
            (notebook(#"{"cell_type": "code", "source": "", "execution_count": 1e300}"#),
             "n.ipynb: cell 1: execution_count must be null or a whole number ≥ 0, found the number 1e+300"),
            (notebook(#"{"cell_type": "code", "source": "", "outputs": {}}"#), "n.ipynb: cell 1: outputs must be a list, found an object"),
            (notebook(#"{"cell_type": "code", "source": "", "outputs": [{"text": "x"}]}"#), "n.ipynb: cell 1: output 1 must be an object with an output_type"),
            (notebook(#"{"cell_type": "code", "source": "", "outputs": [{"output_type": "stream", "text": [1]}]}"#),
             "n.ipynb: cell 1: output 1 text must be a string or a list of strings (item 1 is the number 1)"),
        ]
        for (json, expected) in cases {
            guard let e = error(json) else { XCTFail("accepted: \(json)"); continue }
            XCTAssertTrue(e.hasPrefix(expected), "\(json)\n→ \(e)\nexpected \(expected)")
        }
    }
}
