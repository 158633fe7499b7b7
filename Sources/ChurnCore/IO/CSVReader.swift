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
/// all cores straight into typed column storage. A gzip file is streamed: its
/// text is inflated a window at a time and each window parsed the same way
/// (`CSVGzipStream`), so only two windows of text are held, never the whole. Text is interned per chunk and
/// the dictionaries are merged in chunk order, so results — types, dictionary
/// order, bad rows — are the same for any thread count or chunking.
public struct CSVReader: Sendable {
    public var options: CSVReadOptions
    /// Target chunk size in bytes (smaller only in tests, to exercise chunk seams).
    var chunkBytes = 4 << 20
    /// Decompressed text held at once when streaming a gzip file (two such windows live
    /// while one is parsed and the next inflated); smaller only in tests, to exercise cuts.
    var gzipWindowBytes = 32 << 20

    public init(options: CSVReadOptions = CSVReadOptions()) {
        self.options = options
    }

    public func read(path: String) throws -> CSVResult {
        try parseDecoding(ByteSource(path: path), name: path)
    }

    /// Parses CSV text held in memory; `name` stands for the file in messages.
    public func read(text: String, name: String = "<text>") throws -> CSVResult {
        try parse(ByteSource(bytes: Array(text.utf8)), name: name)
    }

    public func read(bytes: [UInt8], name: String = "<bytes>") throws -> CSVResult {
        try parseDecoding(ByteSource(bytes: bytes), name: name)
    }

    // MARK: - Driver

    /// gzip data (by its magic bytes) is streamed window by window; anything else is parsed in place.
    private func parseDecoding(_ raw: ByteSource, name: String) throws -> CSVResult {
        guard Gzip.isGzip(raw.base, raw.count) else { return try parse(raw, name: name) }
        _ = try CSVReadPlan.separator(options)
        if let r = try CSVGzipStream(reader: self, source: raw, name: name).read() { return r }
        // The stream met a lone CR line end: read the whole text as one buffer.
        return try parse(raw.inflatedIfGzip(name: name), name: name)
    }

    private func parse(_ file: ByteSource, name: String) throws -> CSVResult {
        _ = try CSVReadPlan.separator(options)
        let bom = CSVReadPlan.bomLength(file.base, file.count)
        let src = try CSVLineEndings.normalizingLoneCR(file, from: bom)
        let base = src.base
        let end = src.count
        guard let plan = try CSVReadPlan(options: options, base, bom, end, name: name) else {
            return CSVResult(frame: try Frame([]), badRows: [])
        }
        let bounds = chunkBoundaries(base, plan.dataStart, end, release: src.release)
        let nchunks = bounds.count - 1
        // Cancellation is checked before every chunk (4 MB of text).
        let working = WorkingMemory()
        defer { working.release() }
        var parsed = [CSVChunkParser?](repeating: nil, count: nchunks)
        do {
            try parsed.withUnsafeMutableBufferPointer { out in
                try Parallel.forEachThrowing(nchunks) { k in
                    out[k] = try plan.parseChunk(base, bounds[k], bounds[k + 1], readable: end, working: working, name: name)
                    src.release(from: bounds[k], to: bounds[k + 1])
                }
            }
        } catch {
            for k in parsed.indices { parsed[k]?.releaseBuilders() }
            throw error
        }
        return try finish(plan, parsed.map { $0! }, name: name) { redo in
            var again = [CSVChunkParser?](repeating: nil, count: redo.count)
            do {
                try again.withUnsafeMutableBufferPointer { out in
                    try Parallel.forEachThrowing(redo.count) { r in
                        let k = redo[r].chunk
                        out[r] = try plan.reparseAsText(base, bounds[k], bounds[k + 1], readable: end,
                                                        cols: redo[r].cols, skip: redo[r].skip)
                    }
                }
            } catch {
                for r in again.indices { again[r]?.releaseBuilders() }
                throw error
            }
            return again.map { $0! }
        }
    }

    /// A chunk to parse again with some columns as text (see `finish`).
    typealias Reparse = (chunk: Int, cols: Set<Int>, skip: Set<Int>)

    /// From parsed chunks (in file order) to the result: reports the first failed chunk's
    /// error with its absolute line, joins the kinds each chunk inferred, has `reparse`
    /// read again as text the chunks that inferred something narrower than the joined
    /// kind, and assembles the columns. Every chunk's builders are consumed or released.
    func finish(_ plan: CSVReadPlan, _ parsed: [CSVChunkParser], name: String,
                reparse: ([Reparse]) throws -> [CSVChunkParser]) throws -> CSVResult {
        var chunks = parsed
        let nchunks = chunks.count
        let fileNames = plan.fileNames, outNames = plan.outNames, forced = plan.forced

        // Absolute line numbers: 1 + header lines + newlines of earlier chunks.
        var firstLine = [Int](repeating: 1 + plan.headerLines, count: nchunks)
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
        var redo: [Reparse] = []
        for k in 0..<nchunks {
            let s = Set((0..<nb).filter { b in
                finalKind[b] == .string && chunks[k].builders[b].kind != .string && chunks[k].builders[b].kind != .unknown
            })
            if !s.isEmpty { redo.append((k, s, Set(chunks[k].skipped))) }
        }
        if !redo.isEmpty {
            var again: [CSVChunkParser]
            do { again = try reparse(redo) } catch {
                for k in chunks.indices { chunks[k].releaseBuilders() }
                throw error
            }
            for (r, (k, cols, _)) in redo.enumerated() {
                for b in cols {
                    chunks[k].builders[b].release()
                    chunks[k].builders[b] = again[r].builders[b]
                    again[r].builders[b] = ColumnBuilder(kind: .unknown, forced: false, expectedRows: 0)
                }
                again[r].releaseBuilders()
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

    /// Chunk boundaries: cut points spread evenly, each moved forward to just
    /// past the next newline that lies outside quotes. The quote state at a cut
    /// point is the parity of the quotes before it, counted in parallel (memchr).
    /// `release` is told each range scanned (a mapped file unmaps it).
    func chunkBoundaries(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                         release: (_ from: Int, _ to: Int) -> Void = { _, _ in }) -> [Int] {
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
            release(cuts[r.lowerBound], cuts[r.upperBound])
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

