import ChurnLua
import Foundation
import LuaRuntime

/// Executes a notebook's code cells in order in one Lua state and stores
/// their outputs and execution counts in the document.
struct NotebookRunner {
    var allowErrors = false

    struct Summary {
        var executed = 0
        /// 0-based index of the code cell that failed (the first, if errors were allowed).
        var failedCell: Int?
        var firstError: CellError?
    }

    func run(_ doc: inout NotebookDocument, session: NotebookSession) -> Summary {
        var summary = Summary()
        var cells = doc.cells
        var stopped = false
        for i in cells.indices where (cells[i]["cell_type"] as? String) == "code" {
            if stopped {
                cells[i]["outputs"] = [Any]()
                cells[i]["execution_count"] = NSNull()
                continue
            }
            let run = session.execute(NotebookDocument.text(cells[i]["source"]))
            summary.executed += 1
            cells[i]["execution_count"] = run.executionCount
            cells[i]["outputs"] = run.outputs.map { NotebookDocument.json($0, executionCount: run.executionCount) }
            if cells[i]["metadata"] == nil { cells[i]["metadata"] = [String: Any]() }
            if let e = run.error {
                if summary.failedCell == nil { summary.failedCell = i; summary.firstError = e }
                if !allowErrors { stopped = true }
            }
        }
        doc.cells = cells
        doc.stampMetadata()
        return summary
    }
}
