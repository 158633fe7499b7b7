import ExecutionControl
import Foundation

/// A running Spark SQL session: one `spark-sql` process of an existing Spark
/// installation, fed statements on its standard input, kept alive between queries.
///
/// Why `spark-sql` over its standard input rather than Spark Connect or one
/// `spark-submit` per query: Spark Connect speaks gRPC + Arrow, for which no
/// maintained Swift client exists (and a home-made one is exactly what the
/// product should not carry); `spark-submit` needs an application (a JAR or a
/// Python file — the product must not need Python nor ship compiled Java). The
/// SQL command line ships with every Spark distribution (pyspark's too), runs
/// against any master (`local[N]`, `spark://…`, `yarn`), and keeps one JVM
/// for as many statements as we send: starting Spark costs tens of seconds, a
/// query on a warm session seconds. Results do not travel through the text
/// output: each query runs as `INSERT OVERWRITE DIRECTORY … USING parquet`
/// into a private temporary directory, read back by ChurnLab's Parquet reader
/// with its types (BIGINT, DOUBLE, BOOLEAN, TIMESTAMP) and nulls intact.
///
/// Synchronisation: after each statement a marker query prints a line the
/// statement text cannot contain; the output up to it is the statement's.
/// Success is the `_SUCCESS` file Spark writes last; a failure's message is
/// what Spark printed on its error stream meanwhile (kept in a file in the
/// private directory, deleted with it — never copied to our logs whole).
/// Interrupting the script (cancellation token, timeout) ends the process.
public final class SparkSession {
    /// Where and how to start Spark.
    public struct Options: Sendable, Equatable {
        /// A Spark installation: a directory with `bin/spark-sql` (SPARK_HOME; pyspark's package directory is one).
        public var sparkHome: String
        /// `local[2]`, `spark://host:7077`, `yarn`, …
        public var master: String
        /// Extra `--conf key=value` settings.
        public var conf: [String: String]
        /// Use Spark's in-memory catalog (no Hive metastore): right for `path =` sources, whose
        /// tables are temporary views; `table =` sources keep the installation's catalog.
        public var inMemoryCatalog: Bool

        public init(sparkHome: String, master: String = "local[2]", conf: [String: String] = [:], inMemoryCatalog: Bool = true) {
            self.sparkHome = sparkHome; self.master = master; self.conf = conf; self.inMemoryCatalog = inMemoryCatalog
        }

        /// The installation from `given` or the environment's SPARK_HOME; an error naming both when neither has `bin/spark-sql`.
        public static func findSparkHome(_ given: String?) throws -> String {
            let env = ProcessInfo.processInfo.environment["SPARK_HOME"]
            guard let home = given ?? env, !home.isEmpty else {
                throw WarehouseError.spark("Spark not found: set SPARK_HOME or give spark_home = (a Spark installation, the directory holding bin/spark-sql)")
            }
            guard FileManager.default.isExecutableFile(atPath: home + "/bin/spark-sql") else {
                throw WarehouseError.spark("Spark not found: \(given != nil ? "spark_home" : "SPARK_HOME") has no executable bin/spark-sql")
            }
            return home
        }
    }

    public let options: Options
    private var process: Process?
    private var stdin: FileHandle?
    private var stdoutFD: Int32 = -1
    private var pending = [UInt8]()
    /// Private working directory: results, the error stream, Spark's scratch files.
    private let dir: String
    private var errLog: FileHandle?
    private var statements = 0
    /// Seconds the last `start` took (JVM and session start-up), for benchmarks and progress.
    public private(set) var startSeconds: Double = 0
    /// Seconds of the last `query`: Spark computing and writing its result, and ChurnLab reading it back.
    public private(set) var lastEngineSeconds: Double = 0
    public private(set) var lastReadSeconds: Double = 0

    /// Refuses a master or conf that is not one line of text (they become command-line arguments).
    public static func validate(master: String, conf: [String: String]) throws {
        for (k, v) in conf where k.contains(where: \.isNewline) || v.contains(where: \.isNewline) || k.isEmpty {
            throw WarehouseError.invalidOption("spark conf '\(k)': keys and values are single-line text")
        }
        guard !master.isEmpty, !master.contains(where: { $0.isNewline || $0.isWhitespace }) else {
            throw WarehouseError.invalidOption("spark master '\(master)' is not a master URL like local[2] or spark://host:7077")
        }
    }

    public init(_ options: Options) throws {
        try SparkSession.validate(master: options.master, conf: options.conf)
        self.options = options
        let base = FileManager.default.temporaryDirectory.path + "/churnlab-spark-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        dir = base
    }

    deinit {
        close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Whether the Spark process is running.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// Ends the Spark process (a later statement starts a new one).
    public func close() {
        if let p = process, p.isRunning {
            try? stdin?.close()
            p.terminate()
            // The JVM stops on SIGTERM within a moment; the wait is bounded.
            let deadline = Date().addingTimeInterval(10)
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        if stdoutFD >= 0 { Foundation.close(stdoutFD); stdoutFD = -1 }
        try? errLog?.close()
        process = nil; stdin = nil; errLog = nil; pending = []
    }

    /// Starts `spark-sql` when it is not running.
    private func start() throws {
        if isRunning { return }
        close()
        let t0 = Date()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: options.sparkHome + "/bin/spark-sql")
        p.currentDirectoryURL = URL(fileURLWithPath: dir)   // derby.log, spark-warehouse: here, not in the caller's directory
        var conf = [
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.enabled": "false",
            // The job progress bar on the error stream: the only progress spark-sql shows (see `WarehouseProgress`).
            "spark.ui.showConsoleProgress": "true",
            "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
            "spark.sql.warehouse.dir": dir + "/warehouse",
            "spark.driver.extraJavaOptions": "-Duser.timezone=UTC -Dderby.system.home=\(dir)",
        ]
        if options.inMemoryCatalog { conf["spark.sql.catalogImplementation"] = "in-memory" }
        for (k, v) in options.conf { conf[k] = v }
        p.arguments = ["--master", options.master] + conf.keys.sorted().flatMap { ["--conf", "\($0)=\(conf[$0]!)"] }
        var env = ProcessInfo.processInfo.environment
        env["SPARK_HOME"] = options.sparkHome
        env["TZ"] = "UTC"
        p.environment = env
        let inPipe = Pipe(), outPipe = Pipe()
        FileManager.default.createFile(atPath: dir + "/spark-stderr.log", contents: nil, attributes: [.posixPermissions: 0o600])
        guard let err = FileHandle(forWritingAtPath: dir + "/spark-stderr.log") else {
            throw WarehouseError.spark("cannot create the private log file for Spark's error stream")
        }
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = err
        do { try p.run() } catch {
            throw WarehouseError.spark("cannot start \(options.sparkHome)/bin/spark-sql: \(error.localizedDescription)")
        }
        process = p; stdin = inPipe.fileHandleForWriting; errLog = err
        stdoutFD = dup(outPipe.fileHandleForReading.fileDescriptor)
        try? outPipe.fileHandleForReading.close()
        // The session is up when it answers the first marker.
        try waitFor(marker: try sendMarker(), statement: "session start (spark-sql --master \(options.master))", errFrom: 0)
        startSeconds = Date().timeIntervalSince(t0)
    }

    /// Runs `query` (one SELECT, without the final `;`) and returns its rows,
    /// read back from the Parquet files Spark writes. `columns` names the
    /// query's output, used when Spark writes no file for an empty result.
    public func query(_ query: String, columns: [String]) throws -> Frame {
        try self.query(query, columns: columns, reporter: nil)
    }

    /// `query` reporting `submit`, `running` (Spark's stage and tasks when it prints them),
    /// `reading` (rows read back so far) and `done`.
    func query(_ query: String, columns: [String], reporter: ProgressReporter?) throws -> Frame {
        if !isRunning { try reporter?.report("start") }
        try start()
        statements += 1
        let out = dir + "/result-\(statements)"
        let sql = "INSERT OVERWRITE DIRECTORY '\(out)' USING parquet\n" + query
        let t0 = Date()
        try reporter?.report("submit")
        let failure = try run(sql, reporter: reporter)
        let t1 = Date()
        lastEngineSeconds = t1.timeIntervalSince(t0)
        defer { lastReadSeconds = Date().timeIntervalSince(t1) }
        defer { try? FileManager.default.removeItem(atPath: out) }
        // Success is the result's _SUCCESS file (warnings on the error stream may hold stack traces too).
        guard FileManager.default.fileExists(atPath: out + "/_SUCCESS") else {
            throw WarehouseError.spark("\(failure ?? "the query finished without writing its result")\n" +
                                       statementExcerpt(sql, line: failure.flatMap(Self.errorLine)))
        }
        let parts = (try FileManager.default.contentsOfDirectory(atPath: out))
            .filter { $0.hasPrefix("part-") && $0.hasSuffix(".parquet") }.sorted()
        // An ORDER BY query writes range partitions in order: part files in name order are the rows in order.
        var frames: [Frame] = []
        var rows = 0
        try reporter?.report("reading", rows: 0)
        for part in parts {
            try ExecutionContext.check()
            let f = try Frame.readParquet(path: out + "/" + part)
            if f.ncol > 0 { frames.append(f); rows += f.nrow; try reporter?.report("reading", rows: rows) }
        }
        let result = frames.isEmpty ? try Frame(columns.map { Column(name: $0, data: .int64([])) })
            : frames.count == 1 ? frames[0] : try Frame.concat(frames)
        try reporter?.report("done", rows: result.nrow)
        return result
    }

    /// Runs statements that return no rows we read (CREATE TEMPORARY VIEW, SET, …).
    public func execute(_ sql: String) throws {
        try start()
        statements += 1
        if let failure = try run(sql) {
            throw WarehouseError.spark("\(failure)\n\(statementExcerpt(sql, line: Self.errorLine(failure)))")
        }
    }

    /// Sends one statement and its marker, waits for the marker, and returns the error
    /// Spark printed on its error stream meanwhile, if any.
    private func run(_ sql: String, reporter: ProgressReporter? = nil) throws -> String? {
        let errFrom = (try? FileManager.default.attributesOfItem(atPath: dir + "/spark-stderr.log")[.size] as? Int) ?? 0
        try write(Self.cliText(sql))
        try waitFor(marker: try sendMarker(), statement: sql, errFrom: errFrom, reporter: reporter)
        return sparkError(from: errFrom)
    }

    /// The statement as the command line reads it: it ends a statement at a line ending in `;`,
    /// so no earlier line may (only a comment or a literal could; a trailing `--` keeps it open).
    static func cliText(_ sql: String) -> String {
        var lines = sql.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
            lines[lines.count - 1] = String(last.trimmingCharacters(in: .whitespaces).dropLast())
        }
        for i in lines.indices where lines[i].trimmingCharacters(in: .whitespaces).hasSuffix(";") { lines[i] += " --" }
        return lines.joined(separator: "\n") + "\n;\n"
    }

    private func sendMarker() throws -> String {
        statements += 1
        let marker = "churnlab:done:\(statements)"
        // The printed value is not in the statement's text (it is assembled), so the echo cannot match it.
        try write("SELECT concat('churnlab:', 'done:\(statements)');\n")
        return marker
    }

    private func write(_ text: String) throws {
        guard let stdin, isRunning else { throw WarehouseError.spark("the Spark process is not running\(stderrTail())") }
        do { try stdin.write(contentsOf: Data(text.utf8)) } catch {
            throw WarehouseError.spark("the Spark process stopped reading statements\(stderrTail())")
        }
    }

    /// Reads standard output until a line equal to `marker`, in 100 ms slices so a
    /// cancelled script ends the process (and the session: the next query starts a new one).
    private func waitFor(marker: String, statement: String, errFrom: Int, reporter: ProgressReporter? = nil) throws {
        var buf = [UInt8](repeating: 0, count: 65536)
        var progressFrom = errFrom
        var bar: (stage: Int, done: Int, total: Int)? = nil
        while true {
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                if line.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(marker) && !line.contains("concat(") { return }
            }
            if ExecutionContext.isCancelled {
                close()
                try ExecutionContext.check()
            }
            if let reporter {
                if let b = latestProgressBar(from: &progressFrom, floor: errFrom) { bar = b }
                do { try reporter.heartbeat(sparkStage: bar?.stage, done: bar?.done, total: bar?.total) }
                catch { close(); throw error }   // the statement cannot be taken back: the session ends with it
            }
            var pfd = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready > 0 {
                let n = read(stdoutFD, &buf, buf.count)
                if n > 0 { pending.append(contentsOf: buf[..<n]); continue }
                // End of output: the process ended.
                let tail = sparkError(from: errFrom).map { ":\n" + $0 } ?? stderrTail()
                close()
                throw WarehouseError.spark("the Spark process ended during \(Self.firstLine(statement))\(tail)")
            }
        }
    }

    /// The last job progress bar Spark printed on its error stream since byte `from`
    /// (`[Stage 3:=====>    (5 + 2) / 12]`: stage 3, 5 of 12 tasks finished); advances `from`.
    /// The JVM flushes its error stream in small blocks, so a bar can arrive in two reads: each
    /// read starts 512 bytes back (not before `floor`, the statement's start) to see it whole.
    private func latestProgressBar(from: inout Int, floor: Int) -> (stage: Int, done: Int, total: Int)? {
        guard let h = FileHandle(forReadingAtPath: dir + "/spark-stderr.log") else { return nil }
        defer { try? h.close() }
        let start = max(floor, from - 512)
        try? h.seek(toOffset: UInt64(start))
        guard let data = try? h.readToEnd(), start + data.count > from else { return nil }
        from = start + data.count
        return Self.parseProgressBar(String(decoding: data, as: UTF8.self))
    }

    /// The last complete `[Stage N:… (done + running) / total]` in `text`.
    static func parseProgressBar(_ text: String) -> (stage: Int, done: Int, total: Int)? {
        var found: (Int, Int, Int)? = nil
        for piece in text.components(separatedBy: "[Stage ").dropFirst() {
            let stage = Int(piece.prefix(while: \.isNumber))
            guard let stage, let open = piece.firstIndex(of: "("), let close = piece[open...].firstIndex(of: "]") else { continue }
            // "(5 + 2) / 12" — finished + running, total.
            let nums = piece[open..<close].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if nums.count >= 3 { found = (stage, nums[0], nums[2]) }
        }
        return found
    }

    /// The error Spark reported on its error stream since byte `from`: the lines from the first
    /// one naming an error class or exception, without log chatter; nil when none.
    private func sparkError(from: Int) -> String? {
        guard let h = FileHandle(forReadingAtPath: dir + "/spark-stderr.log") else { return nil }
        defer { try? h.close() }
        try? h.seek(toOffset: UInt64(from))
        guard let data = try? h.readToEnd(), !data.isEmpty else { return nil }
        let lines = Self.screenLines(String(decoding: data, as: UTF8.self))
        guard let k = lines.firstIndex(where: Self.isErrorLine) else { return nil }
        let msg = lines[k...].prefix(while: { !$0.hasPrefix("Time taken") })
            .filter { !Self.isLogLine($0) }.prefix(6).joined(separator: "\n")
        return redact(msg)
    }

    /// The lines as a terminal shows them: the progress bar redraws a line after `\r`, so only
    /// the text after a line's last `\r` stays; blank results are dropped.
    static func screenLines(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let shown = line.split(separator: "\r", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            return shown.trimmingCharacters(in: .whitespaces).isEmpty ? nil : shown
        }
    }

    static func isErrorLine(_ l: String) -> Bool {
        if isLogLine(l) && !l.contains(" ERROR ") { return false }
        return l.hasPrefix("[") || l.hasPrefix("Error in query") || l.contains("Exception") || l.contains(" ERROR ")
    }

    /// log4j lines ("26/12/03 08:41:56 WARN Utils: …") and Spark's start-up chatter.
    static func isLogLine(_ l: String) -> Bool {
        let b = Array(l.utf8.prefix(9))
        return (b.count == 9 && b[2] == UInt8(ascii: "/") && b[5] == UInt8(ascii: "/")) || l.hasPrefix("WARNING:") || l.hasPrefix("Using Spark")
            || l.hasPrefix("[Stage ")
    }

    /// "line 12 pos 7" in Spark's message: the statement line it points at.
    static func errorLine(_ msg: String) -> Int? {
        guard let r = msg.range(of: "line ") else { return nil }
        return Int(msg[r.upperBound...].prefix(while: \.isNumber))
    }

    private func statementExcerpt(_ sql: String, line: Int?) -> String {
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false)
        if let line, line >= 1, line <= lines.count {
            return "failing statement line \(line): \(redact(String(lines[line - 1]).trimmingCharacters(in: .whitespaces)))"
        }
        return "failing statement: \(redact(Self.firstLine(sql)))"
    }

    static func firstLine(_ sql: String) -> String {
        let code = sql.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") } ?? ""
        return String(code.prefix(160))
    }

    /// The last lines of the error stream (for a process that ended), redacted.
    private func stderrTail() -> String {
        guard let data = FileManager.default.contents(atPath: dir + "/spark-stderr.log"), !data.isEmpty else { return "" }
        let lines = Self.screenLines(String(decoding: data, as: UTF8.self)).filter { !Self.isLogLine($0) }
        return ":\n" + redact(lines.suffix(8).joined(separator: "\n"))
    }

    /// Messages never show the private directory (it names the temporary location of results).
    private func redact(_ text: String) -> String { text.replacingOccurrences(of: dir, with: "<spark scratch>") }
}
