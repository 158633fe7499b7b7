import Foundation

/// Outbox files for delivery systems, always derived from committed ledger rows and
/// written atomically (a temporary file in the same directory, then rename), so a crash
/// never leaves a half-written outbox and the file can be regenerated at any time.
public enum Outbox {
    public enum Format: String, Sendable { case csv, jsonl }

    /// `.jsonl`/`.json`/`.ndjson` → JSON Lines, anything else CSV.
    public static func format(forPath path: String) -> Format {
        var url = URL(fileURLWithPath: path)
        if Gzip.hasGzipExtension(path) { url.deletePathExtension() }   // out.jsonl.gz is JSON lines, gzip-compressed
        let ext = url.pathExtension.lowercased()
        return ["jsonl", "json", "ndjson"].contains(ext) ? .jsonl : .csv
    }

    /// Which rows and fields an outbox carries.
    ///
    /// - Control rows stay in the ledger: a sender fed the outbox would otherwise contact the
    ///   holdout and spoil the experiment. `includeControl` adds them for analysis; they are
    ///   marked by the `group` column (`control`) and carry no message, so even a sender that
    ///   ignores `group` has nothing to deliver to them.
    /// - A pseudonymised outbox drops `message` and `reason`: both are rendered from user
    ///   fields (`{name}`, `{user_id}`, …) and would re-identify the user the HMAC hides.
    ///   The delivery system renders the text after it resolves the pseudonym.
    public struct Options: Sendable {
        public var includeControl: Bool
        public var pseudonymizer: Pseudonymizer?
        public init(includeControl: Bool = false, pseudonymizer: Pseudonymizer? = nil) {
            self.includeControl = includeControl
            self.pseudonymizer = pseudonymizer
        }
    }

    /// `action` and `propensity` make the outbox a decision log too (propensity empty for rows
    /// written before ledger schema 2); the decision's context stays in the ledger
    /// (`churnlab rules history --logs` exports it).
    public static let columns = ["run_id", "as_of", "user_id", "rule", "tier", "channel", "offer", "cost", "group", "message", "reason",
                                 "action", "propensity"]
    /// The fields rendered from user data by message/reason templates.
    public static let renderedColumns: Set<String> = ["message", "reason"]

    /// The outbox's columns under these options.
    public static func columns(_ options: Options) -> [String] {
        options.pseudonymizer == nil ? columns : columns.filter { !renderedColumns.contains($0) }
    }

    /// The ledger rows the outbox carries: treatment only unless `includeControl` (which adds
    /// holdout controls and a policy's logged non-contacts, group "none").
    public static func rows(_ rows: [LedgerDecision], _ options: Options) -> [LedgerDecision] {
        options.includeControl ? rows : rows.filter { $0.group == "treatment" }
    }

    /// One line describing what the outbox left out (printed by the CLI after writing it), or nil.
    public static func note(_ all: [LedgerDecision], _ options: Options) -> String? {
        var parts: [String] = []
        let controls = all.lazy.filter { $0.group != "treatment" }.count
        if !options.includeControl && controls > 0 {
            parts.append("\(controls) control rows kept in the ledger only (--include-control adds them, marked group=control or none)")
        }
        if options.pseudonymizer != nil {
            parts.append("message and reason omitted: they are rendered from user fields and would undo the pseudonyms")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    public static func text(_ all: [LedgerDecision], format: Format, options: Options = Options()) -> String {
        let cols = columns(options)
        var out = ""
        if format == .csv { out += cols.joined(separator: ",") + "\n" }
        for r in rows(all, options) {
            let user = options.pseudonymizer?.pseudonym(r.userID) ?? r.userID
            let cost = r.cost == r.cost.rounded() && abs(r.cost) < 1e15 ? String(Int64(r.cost)) : r.cost.description
            let control = r.group != "treatment"
            let value: [String: String] = ["run_id": r.runID, "as_of": r.asOf, "user_id": user, "rule": r.rule, "tier": r.tier,
                                         "channel": r.channel, "offer": r.offer, "cost": cost, "group": r.group,
                                         "message": control ? "" : r.message, "reason": r.reason, "action": r.action,
                                         "propensity": r.propensity.map { $0.description } ?? ""]
            let fields = cols.map { value[$0]! }
            switch format {
            case .csv:
                out += fields.map(csvField).joined(separator: ",") + "\n"
            case .jsonl:
                out += "{" + zip(cols, fields).map { k, v in
                    "\"\(k)\":" + (k == "cost" ? v : k == "propensity" ? (v.isEmpty ? "null" : v) : jsonString(v))
                }.joined(separator: ",") + "}\n"
            }
        }
        return out
    }

    /// Writes the outbox atomically; returns the number of rows written.
    @discardableResult
    public static func write(_ rows: [LedgerDecision], to path: String, format: Format? = nil, options: Options = Options()) throws -> Int {
        let body = text(rows, format: format ?? Outbox.format(forPath: path), options: options)
        // A path ending in .gz gets a gzip file, as write_csv does.
        let bytes = Gzip.hasGzipExtension(path) ? try Gzip.member(Array(body.utf8)) : Array(body.utf8)
        try AtomicFile.write(Data(bytes), to: path)
        return Outbox.rows(rows, options).count
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal (RFC 8259 escapes); also what `churnlab serve` writes.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// temp + fsync + rename in the target's directory.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw RulesError("cannot write \(tmp): \(String(cString: strerror(errno)))")
        }
        let fd = open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard Glibc.rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw RulesError("cannot replace \(path): \(reason)")
        }
    }
}
