#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ExecutionControl

/// Reads a gzip-compressed CSV file without holding its whole text.
///
/// The text is inflated into a window (`CSVReader.gzipWindowBytes`, 32 MiB),
/// cut after the last record end in it (quote parity from a known record start,
/// as the chunk splitter finds record ends, so a quoted field spanning lines
/// never splits), parsed in chunks exactly as a mapped file is, and the partial
/// record after the cut is carried to the front of the next window. While the
/// chunks of window k are parsed, one task inflates window k+1 into a second
/// buffer, so inflate overlaps parsing. Peak memory is the column storage plus
/// two windows, instead of the column storage plus the whole text.
///
/// A column that turns out to be text after some chunks inferred numbers needs
/// those chunks again, and their text is gone: the inflater keeps a checkpoint
/// every chunk's worth of output (`GzipInflater`), and each such chunk is
/// inflated again from the checkpoint before it, alone. When every column's
/// type is given (`types`), no chunk is ever read twice and no checkpoint is kept.
///
/// Chunks keep file order across windows, so line numbers in errors and bad rows,
/// dictionary order and inferred types equal those of reading the plain file.
/// A lone CR line end (classic Mac files) needs the whole text rewritten; `read`
/// then returns nil and the caller reads the file as one inflated buffer.
struct CSVGzipStream {
    let reader: CSVReader
    let source: ByteSource
    let name: String

    /// An owned buffer holding a stretch of the decompressed text, charged to the budget.
    private final class TextWindow {
        private(set) var base: UnsafeMutablePointer<UInt8>
        private(set) var capacity: Int
        var count = 0
        private let charge = WorkingMemory()

        init(capacity: Int, name: String) throws {
            try charge.reserve(capacity, for: "decompressing \(name)")
            base = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        /// Makes room for `n` bytes, keeping the `count` bytes held.
        func grow(to n: Int, name: String) throws {
            guard n > capacity else { return }
            charge.release()
            try charge.reserve(n, for: "decompressing \(name)")
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            bigger.initialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity = n
        }

        /// Inflates into the free part.
        func fill(_ z: GzipInflater) throws {
            count += try z.read(into: base + count, capacity: capacity - count)
        }

        deinit { base.deallocate(); charge.release() }
    }

    /// The frame, or nil when the text holds a lone CR line end (read it whole instead).
    func read() throws -> CSVResult? {
        let window = max(64, reader.gzipWindowBytes)
        let working = WorkingMemory()
        defer { working.release() }
        let inflater = try GzipInflater(source: source, name: name, checkpointInterval: reader.chunkBytes, working: working)

        var cur = try TextWindow(capacity: window, name: name)
        try cur.fill(inflater)
        // The first record (after a BOM and blank lines) must lie whole in the first window.
        let bom = CSVReadPlan.bomLength(cur.base, cur.count)
        while true {
            // A CR at the very end may yet be followed by an LF.
            let checked = inflater.atEnd ? cur.count : max(bom, cur.count - 1)
            if CSVLineEndings.hasLoneCR(cur.base, bom, checked, textEnd: cur.count) { return nil }
            if inflater.atEnd { break }
            let s = CSVReadPlan.skipBlankLines(cur.base, bom, cur.count).offset
            if s < cur.count, CSVGzipStream.lastRecordEnd(cur.base, s, cur.count) != nil { break }
            try cur.grow(to: cur.capacity * 2, name: name)
            try cur.fill(inflater)
        }
        guard let plan = try CSVReadPlan(options: reader.options, cur.base, bom, cur.count, name: name) else {
            return CSVResult(frame: try Frame([]), badRows: [])
        }
        if plan.allForced { inflater.dropCheckpoints() }

        // Chunks of all windows in file order, with their absolute text offsets.
        var chunks: [CSVChunkParser] = []
        var spans: [(lo: Int, hi: Int)] = []
        do {
            var next = try TextWindow(capacity: window, name: name)
            var windowAt = 0          // absolute offset of cur.base[0]
            var from = plan.dataStart
            while true {
                // Cut after the last record end; the rest is carried over.
                var bounds: [Int]
                let more = !inflater.atEnd
                if more {
                    let b = reader.chunkBoundaries(cur.base, from, cur.count)
                    guard let cut = CSVGzipStream.lastRecordEnd(cur.base, b[b.count - 2], cur.count)
                            ?? (b.count > 2 ? b[b.count - 2] : nil) else {
                        // Not one whole record in the window: make it larger.
                        try cur.grow(to: cur.capacity * 2, name: name)
                        try cur.fill(inflater)
                        continue
                    }
                    bounds = b.dropLast().filter { $0 < cut } + [cut]
                } else {
                    bounds = reader.chunkBoundaries(cur.base, from, cur.count)
                }
                let cut = bounds.last!
                if CSVLineEndings.hasLoneCR(cur.base, from, cut, textEnd: cur.count) {
                    for k in chunks.indices { chunks[k].releaseBuilders() }
                    return nil
                }

                // Parse this window's chunks; task 0 inflates the next window meanwhile.
                let nch = bounds.count - 1
                let curBase = cur.base, readable = cur.count, carry = cur.count - cut
                var inflateError: Error? = nil
                var parsed = [CSVChunkParser?](repeating: nil, count: nch)
                do {
                    try parsed.withUnsafeMutableBufferPointer { out in
                        try Parallel.forEachThrowing(nch + 1) { i in
                            if i == 0 {
                                guard more else { return }
                                do {
                                    next.count = 0
                                    try next.grow(to: carry + window, name: name)
                                    next.base.update(from: curBase + cut, count: carry)
                                    next.count = carry
                                    try next.fill(inflater)
                                } catch { inflateError = error }
                                return
                            }
                            out[i - 1] = try plan.parseChunk(curBase, bounds[i - 1], bounds[i], readable: readable,
                                                             working: working, name: name)
                        }
                    }
                } catch {
                    for k in parsed.indices { parsed[k]?.releaseBuilders() }
                    throw error
                }
                for i in 0..<nch {
                    chunks.append(parsed[i]!)
                    spans.append((windowAt + bounds[i], windowAt + bounds[i + 1]))
                }
                if let e = inflateError { throw e }
                if chunks.last(where: { $0.failed }) != nil {
                    // Corrupt data inflates to garbage before zlib notices (at the latest at the
                    // CRC check): a gzip error anywhere explains a malformed record better.
                    while !inflater.atEnd { next.count = 0; try next.fill(inflater) }
                    break
                }
                if !more { break }
                windowAt += cut
                from = 0
                swap(&cur, &next)
            }
        } catch {
            for k in chunks.indices { chunks[k].releaseBuilders() }
            throw error
        }
        cur = try TextWindow(capacity: 1, name: name)   // the windows are not needed any more

        return try reader.finish(plan, chunks, name: name) { redo in
            var again = [CSVChunkParser?](repeating: nil, count: redo.count)
            do {
                try again.withUnsafeMutableBufferPointer { out in
                    try Parallel.forEachThrowing(redo.count) { r in
                        let (lo, hi) = spans[redo[r].chunk]
                        let n = hi - lo
                        let z: GzipInflater
                        if let cp = inflater.checkpoint(before: lo) {
                            z = try GzipInflater(resumingFrom: cp, source: source, name: name)
                        } else {
                            z = try GzipInflater(source: source, name: name)
                        }
                        try z.skip(lo - z.produced)
                        let text = try TextWindow(capacity: max(1, n), name: name)
                        try text.fill(z)
                        guard text.count == n else {
                            throw CSVError.io(file: name, reason: "gzip: the data changed while it was read")
                        }
                        out[r] = try plan.reparseAsText(text.base, 0, n, readable: n, cols: redo[r].cols, skip: redo[r].skip)
                    }
                }
            } catch {
                for r in again.indices { again[r]?.releaseBuilders() }
                throw error
            }
            return again.map { $0! }
        }
    }

    /// Offset just past the last newline outside quotes in [from, to), where `from` is a
    /// record start, or nil. Every quote toggles the quoted state (the chunk parser's rule),
    /// so without a quote in the range the last newline is the answer.
    static func lastRecordEnd(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        guard to > from else { return nil }
        if memchr(base + from, 34, to - from) == nil {
            var i = to - 1
            while i >= from, base[i] != 10 { i -= 1 }
            return i >= from ? i + 1 : nil
        }
        var inQ = false
        var last: Int? = nil
        for i in from..<to {
            let b = base[i]
            if b == 34 { inQ.toggle() } else if b == 10, !inQ { last = i + 1 }
        }
        return last
    }
}
