import ChurnCore

extension Outbox {
    /// Writes the outbox and prints where, how many rows, and what it left out.
    static func writeReporting(_ rows: [LedgerDecision], to path: String, options: Outbox.Options) throws {
        let n = try Outbox.write(rows, to: path, options: options)
        print("outbox: \(path) (\(n) rows)" + (Outbox.note(rows, options).map { "; " + $0 } ?? ""))
    }
}
