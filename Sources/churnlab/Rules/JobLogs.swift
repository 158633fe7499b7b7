import ChurnCore
import Foundation

/// Per-job output logs of the scheduler: `<directory>/<job>/<occurrence>.log`, one file per
/// occurrence (retries append to it under an `== attempt N` header), the newest `keep` files
/// per job kept. The scheduler used to capture a job's output in a temporary file and delete
/// it, so a failed night left only the last six lines in the JSON log.
struct JobLogs {
    /// Default: `logs/` next to the ledger.
    var directory: String
    /// Occurrence logs kept per job (older ones are deleted after each run).
    var keep: Int

    static func defaultDirectory(ledgerPath: String) -> String {
        URL(fileURLWithPath: ledgerPath).deletingLastPathComponent().appendingPathComponent("logs").path
    }

    /// A job name as one path component.
    static func component(_ name: String) -> String {
        let safe = String(name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) ? Character($0) : "_" })
        return safe.isEmpty || safe.hasPrefix(".") ? "_" + safe : safe
    }

    func jobDirectory(_ job: String) -> String { (directory as NSString).appendingPathComponent(JobLogs.component(job)) }

    /// `20241001T090000Z.log` for the occurrence (sorts by time).
    func path(job: String, occurrence: Date) -> String {
        let stamp = ScheduleClock.iso(occurrence).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return (jobDirectory(job) as NSString).appendingPathComponent(stamp + ".log")
    }

    /// Opens the occurrence's log for appending (creating directories), writes the attempt header
    /// and returns the handle and the offset where this attempt's output starts.
    func open(job: String, occurrence: Date, attempt: Int, argv: [String]) throws -> (FileHandle, UInt64, String) {
        let p = path(job: job, occurrence: occurrence)
        try FileManager.default.createDirectory(atPath: jobDirectory(job), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: p) { FileManager.default.createFile(atPath: p, contents: nil) }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: p))
        try h.seekToEnd()
        try h.write(contentsOf: Data("== attempt \(attempt) at \(ScheduleClock.iso(Date())): churnlab \(argv.joined(separator: " "))\n".utf8))
        return (h, try h.offset(), p)
    }

    /// Deletes all but the newest `keep` logs of the job.
    func rotate(job: String) {
        let dir = jobDirectory(job)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        // Logs, and the users tables fetched from a server (`--source serve`) beside them.
        for suffix in [".log", ".users.csv"] {
            let files = names.filter { $0.hasSuffix(suffix) }.sorted()
            for old in files.dropLast(max(0, keep)) { try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(old)) }
        }
    }
}
