#if canImport(Glibc)
import Glibc

/// glibc's `malloc_trim` (not exported by the Glibc module): returns free heap pages to the system.
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#else
import Darwin
#endif

extension Frame {
    /// Reads a CSV file (RFC 4180, UTF-8, optional BOM, LF or CRLF) into a frame.
    /// See `CSVReadOptions` for inference, nulls and bad rows.
    public static func readCSV(path: String, options: CSVReadOptions = CSVReadOptions()) throws -> CSVResult {
        try CSVReader(options: options).read(path: path)
    }
}

/// Parallel CSV reader. The file is memory-mapped, cut into chunks at record
/// boundaries (found exactly from quote parity), and the chunks are parsed on
/// all cores straight into typed column storage. Text is interned per chunk and
/// the dictionaries are merged in chunk order, so results — types, dictionary
/// order, bad rows — are the same for any thread count or chunking.
public struct CSVReader: Sendable {
    public var options: CSVReadOptions
    /// Target chunk size in bytes (smaller only in tests, to exercise chunk seams).
    var chunkBytes = 4 << 20

    public init(options: CSVReadOptions = CSVReadOptions()) {
        self.options = options
    }

    public func read(path: String) throws -> CSVResult {
        try parse(ByteSource.decoding(path: path), name: path)
    }

    /// Parses CSV text held in memory; `name` stands for the file in messages.
    public func read(text: String, name: String = "<text>") throws -> CSVResult {
        try parse(ByteSource(bytes: Array(text.utf8)), name: name)
    }

    public func read(bytes: [UInt8], name: String = "<bytes>") throws -> CSVResult {
        try parse(ByteSource.decoding(bytes: bytes, name: name), name: name)
    }

    // MARK: - Driver

    private func parse(_ file: ByteSource, name: String) throws -> CSVResult {
        let sepBytes = Array(options.sep.utf8)
        guard sepBytes.count == 1, sepBytes[0] < 128, sepBytes[0] != 34, sepBytes[0] != 10, sepBytes[0] != 13 else {
            throw CSVError.option("sep must be one ASCII character other than a quote or newline, got '\(options.sep)'")
        }
        let sep = sepBytes[0]
        let temporal = TemporalParsers(date: try options.dateFormat.map(TimeFormat.init),
                                       timestamp: try options.timestampFormat.map(TimeFormat.init))
        var start = 0
        if file.count >= 3, file.base[0] == 0xEF, file.base[1] == 0xBB, file.base[2] == 0xBF { start = 3 }
        let src = try CSVLineEndings.normalizingLoneCR(file, from: start)
        let base = src.base
        let end = src.count
        // Blank lines before the header are skipped, as pandas does (skip_blank_lines).
        var leadingBlank = 0
        while start < end, base[start] == 10 || (base[start] == 13 && start + 1 < end && base[start + 1] == 10) {
            start += base[start] == 13 ? 2 : 1
            leadingBlank += 1
        }

        // Header (or the shape of the first record).
        let first = try HeaderRecord(base, start, end, sep: sep, file: name)
        if first.fields.isEmpty {
            if options.header { throw CSVError.malformed(file: name, line: 1, column: nil, columnName: nil, reason: "empty file: no header") }
            return CSVResult(frame: try Frame([]), badRows: [])
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
        let headerLines = leadingBlank + (options.header ? first.newlines : 0)

        // Which file columns to read, in output order, and their forced types.
        let wanted = options.columns ?? fileNames
        var target = [Int](repeating: -1, count: ncol)
        var outNames: [String] = []
        for n in wanted {
            guard let i = fileNames.firstIndex(of: n) else { throw noColumn(n, fileNames, name) }
            guard target[i] < 0 else { throw CSVError.option("column '\(n)' is listed twice in columns") }
            target[i] = outNames.count
            outNames.append(n)
        }
        for key in options.types.keys.sorted() where !fileNames.contains(key) { throw noColumn(key, fileNames, name) }
        let forced: [DType?] = outNames.map { options.types[$0] }
        let na = NAMatcher(options.na, temporal: temporal)

        // Chunks.
        let bounds = chunkBoundaries(src, start, end)
        let nchunks = bounds.count - 1
        let rowsPerByte = estimateRowsPerByte(base, start, end)
        func makeParser(_ k: Int, text: Set<Int>, only: Set<Int>? = nil, skip: Set<Int> = []) -> CSVChunkParser {
            let expected = Int(Double(bounds[k + 1] - bounds[k]) * rowsPerByte * 1.05) + 16
            let builders = (0..<outNames.count).map { b -> ColumnBuilder in
                if let t = forced[b] { return ColumnBuilder(kind: CellKind(forced: t), forced: true, expectedRows: expected) }
                let kind: CellKind = text.contains(b) ? .string : .unknown
                let reserve = only == nil || only!.contains(b) ? expected : 0
                return ColumnBuilder(kind: kind, forced: false, expectedRows: reserve)
            }
            let tgt = only.map { o in target.map { $0 >= 0 && o.contains($0) ? $0 : -1 } } ?? target
            return CSVChunkParser(target: tgt, builders: builders, sep: sep, na: na, policy: options.badRows,
                                  temporal: temporal, skipRecords: skip)
        }
        // Column storage is charged to the script's memory budget chunk by
        // chunk, before the chunk is parsed (at most 8 bytes a cell for the
        // rows the chunk is estimated to hold), and returned when the frame is
        // built: the frame itself is charged while Lua holds it. Cancellation
        // is checked before every chunk (4 MB of text).
        let working = WorkingMemory()
        defer { working.release() }
        var parsed = [CSVChunkParser?](repeating: nil, count: nchunks)
        do {
            try parsed.withUnsafeMutableBufferPointer { out in
                try Parallel.forEachThrowing(nchunks) { k in
                    let rows = Int(Double(bounds[k + 1] - bounds[k]) * rowsPerByte * 1.05) + 16
                    try working.reserve(WorkingMemory.bytes(rows, 8 * max(1, outNames.count)), for: "reading \(name)")
                    var text = Set<Int>()
                    var skip = Set<Int>()
                    var firstPass: CSVChunkParser? = nil
                    while true {
                        var p = makeParser(k, text: text, skip: skip)
                        p.run(base, bounds[k], bounds[k + 1], readable: end)
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
                        out[k] = p
                        break
                    }
                    src.release(from: bounds[k], to: bounds[k + 1])
                }
            }
        } catch {
            for k in parsed.indices { parsed[k]?.releaseBuilders() }
            throw error
        }
        var chunks = parsed.map { $0! }
        parsed = []

        // Absolute line numbers: 1 + header lines + newlines of earlier chunks.
        var firstLine = [Int](repeating: 1 + headerLines, count: nchunks)
        for k in 1..<max(1, nchunks) { firstLine[k] = firstLine[k - 1] + chunks[k - 1].newlines }
        func badRow(_ k: Int, _ p: (line: Int, column: Int?, reason: String)) -> CSVBadRow {
            CSVBadRow(line: firstLine[k] + p.line, column: p.column.map { $0 + 1 },
                      columnName: p.column.map { fileNames[$0] }, reason: p.reason)
        }
        if let k = chunks.firstIndex(where: { $0.failed }) {
            let b = badRow(k, chunks[k].problems[0])
            for c in chunks.indices { chunks[c].releaseBuilders() }
            throw CSVError.malformed(file: name, line: b.line, column: b.column, columnName: b.columnName, reason: b.reason)
        }

        // Combine inferred kinds; re-read as text the chunks that inferred something narrower.
        let nb = outNames.count
        var finalKind = [CellKind](repeating: .unknown, count: nb)
        for c in chunks { for b in 0..<nb { finalKind[b] = finalKind[b].join(c.builders[b].kind) } }
        var redo: [(Int, Set<Int>)] = []
        for k in 0..<nchunks {
            let s = Set((0..<nb).filter { b in
                finalKind[b] == .string && chunks[k].builders[b].kind != .string && chunks[k].builders[b].kind != .unknown
            })
            if !s.isEmpty { redo.append((k, s)) }
        }
        if !redo.isEmpty {
            var again = [CSVChunkParser?](repeating: nil, count: redo.count)
            do {
                try again.withUnsafeMutableBufferPointer { out in
                    try Parallel.forEachThrowing(redo.count) { r in
                        let (k, cols) = redo[r]
                        var p = makeParser(k, text: cols, only: cols, skip: Set(chunks[k].skipped))
                        p.run(base, bounds[k], bounds[k + 1], readable: end)
                        if p.cancelled { p.releaseBuilders(); try ExecutionContext.check(); throw CancellationError(reason: .interrupted) }
                        out[r] = p
                    }
                }
            } catch {
                for r in again.indices { again[r]?.releaseBuilders() }
                for k in chunks.indices { chunks[k].releaseBuilders() }
                throw error
            }
            for (r, (k, cols)) in redo.enumerated() {
                var p = again[r]!
                for b in cols {
                    chunks[k].builders[b].release()
                    chunks[k].builders[b] = p.builders[b]
                    p.builders[b] = ColumnBuilder(kind: .unknown, forced: false, expectedRows: 0)
                }
                p.releaseBuilders()
            }
        }

        // Assemble columns, one per task, releasing chunk storage as it goes.
        let rowCounts = chunks.map(\.rows)
        let anySkipped = chunks.contains { !$0.skipped.isEmpty }
        var flat: [ColumnBuilder] = []
        flat.reserveCapacity(nchunks * nb)
        for k in 0..<nchunks { flat.append(contentsOf: chunks[k].builders); chunks[k].builders = [] }
        var columns = [Column?](repeating: nil, count: nb)
        do {
            try flat.withUnsafeMutableBufferPointer { fb in
                try columns.withUnsafeMutableBufferPointer { out in
                    try Parallel.forEachThrowing(nb) { b in
                        var parts: [ColumnBuilder] = []
                        parts.reserveCapacity(nchunks)
                        for k in 0..<nchunks { parts.append(fb[k * nb + b]); fb[k * nb + b] = ColumnBuilder(kind: .unknown, forced: false, expectedRows: 0) }
                        out[b] = try ColumnAssembly.column(name: outNames[b], kind: finalKind[b], category: forced[b] == .category,
                                                       parts: &parts, rows: rowCounts, compactText: anySkipped)
                        #if canImport(Glibc)
                        // Chunk storage is many small heap blocks; hand the freed ones back to the
                        // system so the peak stays near the size of the final columns.
                        _ = glibcMallocTrim(0)
                        #endif
                    }
                }
            }
        } catch {
            for i in flat.indices { flat[i].release() }   // columns never started (cancelled)
            throw error
        }
        var bad: [CSVBadRow] = []
        for k in 0..<nchunks { for p in chunks[k].problems { bad.append(badRow(k, p)) } }
        return CSVResult(frame: try Frame(columns.map { $0! }), badRows: bad)
    }

    private func noColumn(_ n: String, _ names: [String], _ file: String) -> CSVError {
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

    /// Chunk boundaries: cut points spread evenly, each moved forward to just
    /// past the next newline that lies outside quotes. The quote state at a cut
    /// point is the parity of the quotes before it, counted in parallel (memchr).
    private func chunkBoundaries(_ src: ByteSource, _ start: Int, _ end: Int) -> [Int] {
        let base = src.base
        let len = end - start
        let n = max(1, min(len / max(1, chunkBytes), 4096))
        if n == 1 { return [start, end] }
        let cuts = (0...n).map { start + Int(Int64(len) * Int64($0) / Int64(n)) }
        let quoteCounts = Parallel.mapChunks(n, chunks: n) { r -> Int in
            var c = 0
            var p = UnsafeRawPointer(base + cuts[r.lowerBound])
            let stop = UnsafeRawPointer(base + cuts[r.upperBound])
            while p < stop, let q = memchr(p, 34, stop - p) {
                c += 1
                p = UnsafeRawPointer(q) + 1
            }
            // Unmap what was scanned, or the whole file would count toward peak memory.
            src.release(from: cuts[r.lowerBound], to: cuts[r.upperBound])
            return c
        }
        var bounds = [start]
        var parity = 0
        for i in 1..<n {
            parity ^= quoteCounts[i - 1] & 1
            var inQ = parity == 1
            var j = max(cuts[i], bounds.last!)
            // If the previous boundary moved past this cut, its quote state there is "outside".
            if j > cuts[i] { inQ = false }
            while j < end {
                let b = base[j]
                if b == 34 { inQ.toggle() } else if b == 10, !inQ { j += 1; break }
                j += 1
            }
            if j > bounds.last! && j < end { bounds.append(j) }
        }
        bounds.append(end)
        return bounds
    }

    /// Records per byte in the first 64 KiB (for reserving column storage).
    private func estimateRowsPerByte(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double {
        let n = min(end - start, 1 << 16)
        if n <= 0 { return 0 }
        var lines = 0
        for i in start..<(start + n) where base[i] == 10 { lines += 1 }
        return Double(max(1, lines)) / Double(n)
    }
}

/// The first record, split serially (for the header or the column count).
struct HeaderRecord {
    var fields: [[UInt8]] = []
    var next: Int
    var newlines = 0

    init(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, sep: UInt8, file: String) throws {
        var i = start
        next = start
        if start >= end { return }
        var cur: [UInt8] = []
        var inQ = false
        while i < end {
            let b = base[i]
            if inQ {
                if b == 34 {
                    if i + 1 < end, base[i + 1] == 34 { cur.append(34); i += 2; continue }
                    inQ = false
                } else {
                    if b == 10 { newlines += 1 }
                    cur.append(b)
                }
            } else if b == 34 {
                inQ = true
            } else if b == sep {
                fields.append(cur); cur = []
            } else if b == 10 {
                newlines += 1; i += 1
                break
            } else {
                cur.append(b)
            }
            i += 1
        }
        if inQ { throw CSVError.malformed(file: file, line: 1, column: fields.count + 1, columnName: nil, reason: "unterminated quote in header") }
        if cur.last == 13 { cur.removeLast() }
        fields.append(cur)
        next = i
    }
}

