import Foundation

/// Reads and validates a Jupyter notebook (nbformat 4) as JSON.
///
/// The notebook runner and the HTML renderer read cells through loose
/// `[String: Any]` casts; a field of the wrong type there would be silently
/// skipped (a cell whose `source` is a number runs as an empty cell, a
/// non-object cell made the whole cell list read as empty and be written back
/// without any cells). So the structure the tools rely on is checked here,
/// once, with an error naming the cell and field. Unknown fields are kept.
public enum NotebookFile {
    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public static let cellTypes: Set<String> = ["code", "markdown", "raw"]

    /// Reads the notebook at `path`.
    public static func read(_ path: String) throws -> [String: Any] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(description: "cannot read notebook '\(path)'")
        }
        return try parse(data, source: path)
    }

    /// Parses and validates notebook JSON; `source` names it in errors.
    public static func parse(_ data: Data, source: String) throws -> [String: Any] {
        func bad(_ what: String) -> FormatError { FormatError(description: "\(source): \(what)") }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch {
            throw bad("not valid JSON (\(error.localizedDescription))")
        }
        guard let dict = obj as? [String: Any], let cells = dict["cells"] as? [Any] else {
            throw bad("not a Jupyter notebook (no 'cells' list)")
        }
        guard let version = integer(dict["nbformat"]), version == 4 else {
            throw bad("only nbformat 4 notebooks are supported (found \(dict["nbformat"].map(describe) ?? "none"))")
        }
        if let minor = dict["nbformat_minor"], !(integer(minor).map { $0 >= 0 } ?? false) {
            throw bad("nbformat_minor must be a whole number ≥ 0 (found \(describe(minor)))")
        }
        if let meta = dict["metadata"], !(meta is [String: Any]) { throw bad("metadata must be an object") }
        for (i, c) in cells.enumerated() {
            do { try validateCell(c) } catch let e as FormatError { throw bad("cell \(i + 1): \(e.description)") }
        }
        return dict
    }

    static func validateCell(_ c: Any) throws {
        func bad(_ what: String) -> FormatError { FormatError(description: what) }
        guard let cell = c as? [String: Any] else { throw bad("must be an object, found \(describe(c))") }
        guard let type = cell["cell_type"] as? String else { throw bad("has no cell_type") }
        guard cellTypes.contains(type) else { throw bad("unknown cell_type '\(type)' (expected code, markdown or raw)") }
        try multilineText(cell["source"], "source", required: true)
        if let id = cell["id"], !(id is String) { throw bad("id must be a string, found \(describe(id))") }
        for key in ["metadata", "attachments"] {
            if let v = cell[key], !(v is [String: Any]) { throw bad("\(key) must be an object, found \(describe(v))") }
        }
        guard type == "code" else { return }
        if let n = cell["execution_count"], !(n is NSNull), !(integer(n).map { $0 >= 0 } ?? false) {
            throw bad("execution_count must be null or a whole number ≥ 0, found \(describe(n))")
        }
        if let outs = cell["outputs"] {
            guard let list = outs as? [Any] else { throw bad("outputs must be a list, found \(describe(outs))") }
            for (k, o) in list.enumerated() {
                guard let out = o as? [String: Any], out["output_type"] is String else {
                    throw bad("output \(k + 1) must be an object with an output_type")
                }
                if let t = out["text"] { try multilineText(t, "output \(k + 1) text", required: false) }
                if let d = out["data"] {
                    guard let bundle = d as? [String: Any] else { throw bad("output \(k + 1) data must be an object") }
                    for (mime, v) in bundle where !(v is [String: Any]) && !mime.hasSuffix("json") {
                        try multilineText(v, "output \(k + 1) data '\(mime)'", required: false)
                    }
                }
            }
        }
    }

    /// nbformat's multi-line text: a string or a list of strings.
    static func multilineText(_ v: Any?, _ what: String, required: Bool) throws {
        guard let v else {
            if required { throw FormatError(description: "has no \(what)") }
            return
        }
        if v is String { return }
        guard let list = v as? [Any] else { throw FormatError(description: "\(what) must be a string or a list of strings, found \(describe(v))") }
        if let k = list.firstIndex(where: { !($0 is String) }) {
            throw FormatError(description: "\(what) must be a string or a list of strings (item \(k + 1) is \(describe(list[k])))")
        }
    }

    /// A JSON number that is a whole number in Int range.
    static func integer(_ v: Any?) -> Int? {
        guard let n = v as? NSNumber else { return nil }
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) < 9e15 else { return nil }
        return Int(d)
    }

    /// A short description of a JSON value for messages.
    static func describe(_ v: Any) -> String {
        switch v {
        case is NSNull: return "null"
        case let s as String: return "the string \"\(s.prefix(40))\""
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        case let n as NSNumber: return "the number \(n)"
        default: return "\(type(of: v))"
        }
    }
}
