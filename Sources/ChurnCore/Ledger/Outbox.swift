import Foundation

/// Outbox files for delivery systems, always derived from committed ledger rows and
/// written atomically (a temporary file in the same directory, then rename), so a crash
/// never leaves a half-written outbox and the file can be regenerated at any time.
public enum Outbox {
    public enum Format: String, Sendable { case csv, jsonl }

    /// `.jsonl`/`.json`/`.ndjson` → JSON Lines, anything else CSV.
    public static func format(forPath path: String) -> Format {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        return ["jsonl", "json", "ndjson"].contains(ext) ? .jsonl : .csv
    }

    public static let columns = ["run_id", "as_of", "user_id", "rule", "tier", "channel", "offer", "cost", "group", "message", "reason"]

    public static func text(_ rows: [LedgerDecision], format: Format, pseudonymizer: Pseudonymizer? = nil) -> String {
        var out = ""
        if format == .csv { out += columns.joined(separator: ",") + "\n" }
        for r in rows {
            let user = pseudonymizer?.pseudonym(r.userID) ?? r.userID
            let cost = r.cost == r.cost.rounded() && abs(r.cost) < 1e15 ? String(Int64(r.cost)) : r.cost.description
            let fields = [r.runID, r.asOf, user, r.rule, r.tier, r.channel, r.offer, cost, r.group, r.message, r.reason]
            switch format {
            case .csv:
                out += fields.map(csvField).joined(separator: ",") + "\n"
            case .jsonl:
                out += "{" + zip(columns, fields).map { k, v in
                    "\"\(k)\":" + (k == "cost" ? v : jsonString(v))
                }.joined(separator: ",") + "}\n"
            }
        }
        return out
    }

    /// Writes the outbox atomically.
    public static func write(_ rows: [LedgerDecision], to path: String, format: Format? = nil, pseudonymizer: Pseudonymizer? = nil) throws {
        let body = text(rows, format: format ?? Outbox.format(forPath: path), pseudonymizer: pseudonymizer)
        try AtomicFile.write(Data(body.utf8), to: path)
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonString(_ s: String) -> String {
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
