import ChurnFiles
import ChurnLua
import Foundation

/// A Jupyter notebook (nbformat 4) read as JSON. Unknown fields are kept, so
/// a notebook written back differs only in what execution changed.
struct NotebookDocument {
    var json: [String: Any]

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    init(json: [String: Any]) { self.json = json }

    /// Reads and validates the notebook (see `NotebookFile`).
    init(contentsOf path: String) throws {
        do { json = try NotebookFile.read(path) } catch let e as NotebookFile.FormatError {
            throw FormatError(description: e.description)
        }
    }

    var cells: [[String: Any]] {
        get { json["cells"] as? [[String: Any]] ?? [] }
        set { json["cells"] = newValue }
    }

    /// Multi-line text as nbformat stores it: a string or a list of lines.
    static func text(_ v: Any?) -> String {
        if let s = v as? String { return s }
        if let a = v as? [Any] { return a.compactMap { $0 as? String }.joined() }
        return ""
    }

    /// Text as a list of lines, each keeping its "\n" (Jupyter's own layout; diffs well).
    static func lines(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        for ch in s {
            cur.append(ch)
            if ch == "\n" { out.append(cur); cur = "" }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// Sets the kernelspec and language metadata for ChurnLab and upgrades to nbformat 4.5 (cell ids).
    mutating func stampMetadata() {
        var meta = json["metadata"] as? [String: Any] ?? [:]
        meta["kernelspec"] = KernelSpec.notebookKernelspec
        meta["language_info"] = KernelSpec.languageInfo
        json["metadata"] = meta
        json["nbformat"] = 4
        json["nbformat_minor"] = max(5, json["nbformat_minor"] as? Int ?? 0)
        var used = Set<String>()
        cells = cells.enumerated().map { i, c in
            var c = c
            if let id = c["id"] as? String, !id.isEmpty, used.insert(id).inserted { return c }
            var id = String(format: "cell-%d", i + 1)
            while !used.insert(id).inserted { id += "x" }
            c["id"] = id
            return c
        }
    }

    /// nbformat JSON for one output.
    static func json(_ output: CellOutput, executionCount: Int) -> [String: Any] {
        func data(_ b: MimeBundle) -> [String: Any] {
            var d: [String: Any] = [:]
            for (k, v) in b { d[k] = lines(v) }
            return d
        }
        switch output {
        case .stream(let name, let text):
            return ["output_type": "stream", "name": name, "text": lines(text)]
        case .display(let b):
            return ["output_type": "display_data", "data": data(b), "metadata": [String: Any]()]
        case .result(let b):
            return ["output_type": "execute_result", "execution_count": executionCount, "data": data(b), "metadata": [String: Any]()]
        case .error(let e):
            return ["output_type": "error", "ename": e.ename, "evalue": e.evalue, "traceback": e.traceback]
        }
    }

    func write(to path: String) throws {
        var data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
