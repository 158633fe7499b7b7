import ExecutionControl

/// What a CSV read does with the columns of a file, settled from its first
/// record (header or shape) and the options: separator, names, which file
/// columns go to which output column, forced types, null tokens. It makes the
/// chunk parsers, so the mapped-file reader and the streaming gzip reader
/// (`CSVGzipStream`) parse chunks the same way.
struct CSVReadPlan: Sendable {
    let sep: UInt8
    let temporal: TemporalParsers
    let na: NAMatcher
    let policy: BadRowPolicy
    let fileNames: [String]
    let outNames: [String]
    /// Output column of each file column, or -1 (not read).
    let target: [Int]
    let forced: [DType?]
    /// Offset of the first data record (past BOM, leading blank lines and the header).
    let dataStart: Int
    /// Physical lines before the first data record.
    let headerLines: Int
    /// Records per byte near the start (for reserving column storage).
    let rowsPerByte: Double

    /// The separator byte, or an option error.
    static func separator(_ options: CSVReadOptions) throws -> UInt8 {
        let sepBytes = Array(options.sep.utf8)
        guard sepBytes.count == 1, sepBytes[0] < 128, sepBytes[0] != 34, sepBytes[0] != 10, sepBytes[0] != 13 else {
            throw CSVError.option("sep must be one ASCII character other than a quote or newline, got '\(options.sep)'")
        }
        return sepBytes[0]
    }

    /// 3 when the bytes start with a UTF-8 byte order mark, else 0.
    static func bomLength(_ base: UnsafePointer<UInt8>, _ count: Int) -> Int {
        count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
    }

    /// Past the blank lines (LF or CRLF) at `start`: skipped before the header, as pandas does
    /// (skip_blank_lines). Returns the new offset and the lines passed.
    static func skipBlankLines(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (offset: Int, lines: Int) {
        var i = start, lines = 0
        while i < end, base[i] == 10 || (base[i] == 13 && i + 1 < end && base[i + 1] == 10) {
            i += base[i] == 13 ? 2 : 1
            lines += 1
        }
        return (i, lines)
    }

    /// The plan for text [start, end) of `base` (start past any BOM; the first record
    /// must lie whole in the range), or nil for an empty file read without a header.
    init?(options: CSVReadOptions, _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, name: String) throws {
        sep = try CSVReadPlan.separator(options)
        temporal = TemporalParsers(date: try options.dateFormat.map(TimeFormat.init),
                                   timestamp: try options.timestampFormat.map(TimeFormat.init))
        policy = options.badRows
        var (start, leadingBlank) = CSVReadPlan.skipBlankLines(base, start, end)

        // Header (or the shape of the first record).
        let first = try HeaderRecord(base, start, end, sep: sep, file: name)
        if first.fields.isEmpty {
            if options.header { throw CSVError.malformed(file: name, line: 1, column: nil, columnName: nil, reason: "empty file: no header") }
            return nil
        }
        let ncol = first.fields.count
        var fileNames: [String] = []
        if options.header {
            fileNames = try CSVHeader.names(first.fields, file: name)
            start = first.next
        } else {
            try CSVHeader.checkWidth(ncol, file: name)
            fileNames = (1...ncol).map { "column_\($0)" }
        }
        headerLines = leadingBlank + (options.header ? first.newlines : 0)

        // Which file columns to read, in output order, and their forced types.
        let wanted = options.columns ?? fileNames
        var target = [Int](repeating: -1, count: ncol)
        var outNames: [String] = []
        for n in wanted {
            guard let i = fileNames.firstIndex(of: n) else { throw CSVReadPlan.noColumn(n, fileNames, name) }
            guard target[i] < 0 else { throw CSVError.option("column '\(n)' is listed twice in columns") }
            target[i] = outNames.count
            outNames.append(n)
        }
        for key in options.types.keys.sorted() where !fileNames.contains(key) { throw CSVReadPlan.noColumn(key, fileNames, name) }
        self.fileNames = fileNames
        self.outNames = outNames
        self.target = target
        forced = outNames.map { options.types[$0] }
        na = NAMatcher(options.na, temporal: temporal)
        dataStart = start
        rowsPerByte = CSVReadPlan.estimateRowsPerByte(base, start, end)
    }

    /// True when every output column has a forced type: no chunk ever needs a second look.
    var allForced: Bool { forced.allSatisfy { $0 != nil } }

    /// A parser for a chunk of `length` bytes: columns in `text` start as text; with `only`,
    /// the other columns are not read; records in `skip` are passed over.
    func makeParser(length: Int, text: Set<Int>, only: Set<Int>? = nil, skip: Set<Int> = []) -> CSVChunkParser {
        let expected = expectedRows(length)
        let builders = (0..<outNames.count).map { b -> ColumnBuilder in
            if let t = forced[b] { return ColumnBuilder(kind: CellKind(forced: t), forced: true, expectedRows: expected) }
            let kind: CellKind = text.contains(b) ? .string : .unknown
            let reserve = only == nil || only!.contains(b) ? expected : 0
            return ColumnBuilder(kind: kind, forced: false, expectedRows: reserve)
        }
        let tgt = only.map { o in target.map { $0 >= 0 && o.contains($0) ? $0 : -1 } } ?? target
        return CSVChunkParser(target: tgt, builders: builders, sep: sep, na: na, policy: policy,
                              temporal: temporal, skipRecords: skip)
    }

    func expectedRows(_ length: Int) -> Int { Int(Double(length) * rowsPerByte * 1.05) + 16 }

    /// Parses one chunk [lo, hi) of `base` (bytes [0, readable) may be read) into typed builders.
    /// Column storage is charged to `working` before the chunk is parsed (at most 8 bytes a
    /// cell for the rows the chunk is estimated to hold); the caller returns the charge
    /// when the frame is built.
    func parseChunk(_ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, readable: Int,
                    working: WorkingMemory, name: String) throws -> CSVChunkParser {
        try working.reserve(WorkingMemory.bytes(expectedRows(hi - lo), 8 * max(1, outNames.count)), for: "reading \(name)")
        var text = Set<Int>()
        var skip = Set<Int>()
        var firstPass: CSVChunkParser? = nil
        while true {
            var p = makeParser(length: hi - lo, text: text, skip: skip)
            p.run(base, lo, hi, readable: readable)
            if p.cancelled { p.releaseBuilders(); try ExecutionContext.check(); throw CancellationError(reason: .interrupted) }
            if !p.needsText.isEmpty {
                text.formUnion(p.needsText)
                p.releaseBuilders()
                continue
            }
            // Rows skipped under bad_rows="skip" may have widened a column's type
            // before they turned out bad: parse the chunk again passing over them,
            // so the kept rows alone decide every type.
            if firstPass == nil, !p.skipped.isEmpty, !p.failed {
                skip = Set(p.skipped)
                text = []
                p.releaseBuilders()
                firstPass = p
                continue
            }
            if let f = firstPass { p.problems = f.problems; p.skipped = f.skipped }
            return p
        }
    }

    /// Parses chunk [lo, hi) again with columns `cols` as text (and only those), passing over `skip`.
    func reparseAsText(_ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, readable: Int,
                       cols: Set<Int>, skip: Set<Int>) throws -> CSVChunkParser {
        var p = makeParser(length: hi - lo, text: cols, only: cols, skip: skip)
        p.run(base, lo, hi, readable: readable)
        if p.cancelled { p.releaseBuilders(); try ExecutionContext.check(); throw CancellationError(reason: .interrupted) }
        return p
    }

    /// Records per byte in the first 64 KiB.
    private static func estimateRowsPerByte(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double {
        let n = min(end - start, 1 << 16)
        if n <= 0 { return 0 }
        var lines = 0
        for i in start..<(start + n) where base[i] == 10 { lines += 1 }
        return Double(max(1, lines)) / Double(n)
    }

    private static func noColumn(_ n: String, _ names: [String], _ file: String) -> CSVError {
        let key = n.lowercased()
        var scored: [(name: String, d: Int)] = []
        for c in names {
            let d = editDistance(c.lowercased(), key)
            if d <= max(2, n.count / 3) || c.lowercased().hasPrefix(key) { scored.append((c, d)) }
        }
        scored.sort { a, b in a.d != b.d ? a.d < b.d : a.name < b.name }
        let near: [String] = scored.prefix(3).map { "'" + $0.name + "'" }
        let hint = near.isEmpty ? "" : "; did you mean " + near.joined(separator: " or ") + "?"
        return .option("no column '\(n)' in \(file)" + hint)
    }
}
