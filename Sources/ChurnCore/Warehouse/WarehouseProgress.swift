import Foundation

/// What a remote feature build is doing, as far as the engine lets us see it.
///
/// PostgreSQL reports nothing while a SELECT runs (its progress views cover
/// VACUUM, CREATE INDEX and COPY, not queries), so its stages are: `connect`,
/// `query` (sent), `running` (a heartbeat about once a second while the server
/// computes), `receiving` (rows streamed back so far), `done`. Spark prints its
/// job progress on the error stream (`[Stage 3:==>  (5 + 2) / 12]`, with
/// `spark.ui.showConsoleProgress`), so its stages are: `start` (JVM and session),
/// `submit`, `running` (with the Spark stage and its finished / total tasks when
/// printed), `reading` (the Parquet result read back, rows so far), `done`.
public struct WarehouseProgress: Sendable, Equatable {
    /// "postgres" or "spark".
    public var engine: String
    public var stage: String
    /// Result rows received so far (`receiving`, `reading`, `done`).
    public var rows: Int
    /// Seconds since the call started.
    public var seconds: Double
    /// Spark: the stage id and its finished and total tasks (`running`), when Spark printed them.
    public var sparkStage: Int?
    public var tasksDone: Int?
    public var tasksTotal: Int?

    public init(engine: String, stage: String, rows: Int = 0, seconds: Double, sparkStage: Int? = nil,
                tasksDone: Int? = nil, tasksTotal: Int? = nil) {
        self.engine = engine; self.stage = stage; self.rows = rows; self.seconds = seconds
        self.sparkStage = sparkStage; self.tasksDone = tasksDone; self.tasksTotal = tasksTotal
    }

    /// One line for a terminal, e.g. "postgres: receiving 131072 rows (3.2 s)".
    public var line: String {
        var s = "\(engine): \(stage)"
        if let st = sparkStage { s += " (Spark stage \(st)" + (tasksTotal.map { ": \(tasksDone ?? 0)/\($0) tasks" } ?? "") + ")" }
        if stage == "receiving" || stage == "reading" || stage == "done" { s += " \(rows) rows" }
        return s + String(format: " (%.1f s)", seconds)
    }
}

/// Receives progress; a thrown error (a Lua callback's) stops the build.
public typealias WarehouseProgressHandler = (WarehouseProgress) throws -> Void

/// Sends the stages of one call to a handler with the elapsed time, and a heartbeat
/// at most once a second.
final class ProgressReporter {
    let engine: String
    let handler: WarehouseProgressHandler?
    let t0 = Date()
    private var lastBeat = Date.distantPast

    init(_ engine: String, _ handler: WarehouseProgressHandler?) { self.engine = engine; self.handler = handler }

    var seconds: Double { Date().timeIntervalSince(t0) }

    func report(_ stage: String, rows: Int = 0, sparkStage: Int? = nil, done: Int? = nil, total: Int? = nil) throws {
        guard let handler else { return }
        lastBeat = Date()
        try handler(WarehouseProgress(engine: engine, stage: stage, rows: rows, seconds: seconds,
                                      sparkStage: sparkStage, tasksDone: done, tasksTotal: total))
    }

    /// A `running` report when a second has passed since the last report.
    func heartbeat(sparkStage: Int? = nil, done: Int? = nil, total: Int? = nil) throws {
        guard handler != nil, Date().timeIntervalSince(lastBeat) >= 1 else { return }
        try report("running", sparkStage: sparkStage, done: done, total: total)
    }
}
