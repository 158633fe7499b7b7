import ExecutionControl

/// Options for `Frame.readParquet`.
public struct ParquetReadOptions: Sendable {
    /// Columns to read, in this order (nil: all, in file order).
    public var columns: [String]?
    public init(columns: [String]? = nil) { self.columns = columns }
}

extension Frame {
    /// Reads a Parquet file (flat schema) into a frame. See `ParquetReader`.
    public static func readParquet(path: String, options: ParquetReadOptions = ParquetReadOptions()) throws -> Frame {
        try ParquetReader(options: options).read(path: path)
    }
}

/// A Parquet reader written for ChurnLab rather than a binding to Apache Arrow.
///
/// Why our own: the platform is Debian bookworm, which ships no Apache Arrow
/// or parquet C/C++ library (`libarrow-dev`, `libparquet-dev` are not in the
/// archive), and the project may depend only on Debian packages; the format
/// subset a churn pipeline exchanges — flat tables of numbers, booleans, text,
/// dates and timestamps — is small and well specified. Compression comes from
/// Debian's libsnappy, zlib and libzstd. What it reads: physical types BOOLEAN,
/// INT32, INT64, INT96 (legacy timestamps), FLOAT, DOUBLE, BYTE_ARRAY (UTF-8);
/// logical/converted types STRING/UTF8, DATE, TIMESTAMP (ms/µs/ns), INT(8/16/32/64),
/// DECIMAL in INT32/INT64 (as float); encodings PLAIN, PLAIN_DICTIONARY /
/// RLE_DICTIONARY, RLE definition levels; data pages v1 and v2; any number of
/// row groups; nulls. Anything else (nested columns, DELTA encodings, LZ4,
/// FIXED_LEN_BYTE_ARRAY) is refused with a message naming it.
///
/// The file is memory-mapped and validated before use: magic numbers, footer
/// length, every column chunk's byte range inside the data region, every page
/// size inside its chunk, every value count against its row group. A crafted
/// file gets a `ParquetError`, never a crash (see the FuzzParquet target).
/// Columns are decoded in parallel, one task per column.
public struct ParquetReader: Sendable {
    public var options: ParquetReadOptions
    public init(options: ParquetReadOptions = ParquetReadOptions()) { self.options = options }

    public func read(path: String) throws -> Frame {
        let src: ByteSource
        do { src = try ByteSource(path: path) } catch let CSVError.io(_, reason) { throw ParquetError(file: path, reason) }
        return try read(src, name: path)
    }

    public func read(bytes: [UInt8], name: String = "<bytes>") throws -> Frame {
        try read(ByteSource(bytes: bytes), name: name)
    }

    private func read(_ src: ByteSource, name: String) throws -> Frame {
        do {
            return try decode(src, name: name)
        } catch let e as ParquetFormatError {
            throw ParquetError(file: name, e.reason)
        } catch let e as CSVError {
            if case .io(_, let reason) = e { throw ParquetError(file: name, reason) }
            throw e
        }
    }

    /// The file's columns with their types and no rows, from the footer alone (no data page is read):
    /// what a caller needs to plan a query over the file.
    public func schema(path: String) throws -> Frame {
        let src: ByteSource
        do { src = try ByteSource(path: path) } catch let CSVError.io(_, reason) { throw ParquetError(file: path, reason) }
        do {
            let (_, leaves, _) = try footer(src)
            return try Frame(try leaves.map { try Column.fromCells($0.name, [], dtype: $0.dtype) })
        } catch let e as ParquetFormatError {
            throw ParquetError(file: path, e.reason)
        }
    }

    /// The footer's metadata, its flat columns and where it starts, checked against the file's size.
    private func footer(_ src: ByteSource) throws -> (ParquetFileMeta, [ParquetLeaf], Int) {
        let base = src.base, n = src.count
        let magic: [UInt8] = [0x50, 0x41, 0x52, 0x31]   // "PAR1"
        guard n >= 12, (0..<4).allSatisfy({ base[$0] == magic[$0] && base[n - 4 + $0] == magic[$0] }) else {
            throw ParquetFormatError("not a Parquet file (no PAR1 magic at both ends)")
        }
        let metaLen = Int(UInt32(base[n - 8]) | UInt32(base[n - 7]) << 8 | UInt32(base[n - 6]) << 16 | UInt32(base[n - 5]) << 24)
        guard metaLen > 0, metaLen <= n - 12 else { throw ParquetFormatError("footer length \(metaLen) does not fit the file") }
        let metaStart = n - 8 - metaLen
        var r = ThriftReader(base, from: metaStart, to: n - 8)
        let meta = try ParquetFileMeta(&r)
        return (meta, try ParquetLeaf.leaves(meta.schema), metaStart)
    }

    private func decode(_ src: ByteSource, name: String) throws -> Frame {
        let base = src.base
        let (meta, leaves, metaStart) = try footer(src)

        // Selected columns.
        let names = leaves.map(\.name)
        var picked: [Int] = []
        if let want = options.columns {
            for c in want {
                guard let i = names.firstIndex(of: c) else {
                    throw ParquetFormatError("no column '\(c)' (columns: \(names.joined(separator: ", ")))")
                }
                guard !picked.contains(i) else { throw ParquetFormatError("column '\(c)' is listed twice in columns") }
                picked.append(i)
            }
        } else {
            picked = Array(names.indices)
        }

        // Row groups: counts add up, every chunk range lies in the data region.
        var total = 0
        for (g, rg) in meta.rowGroups.enumerated() {
            guard rg.numRows >= 0, rg.numRows <= Int64(Int32.max) else { throw ParquetFormatError("row group \(g + 1) has \(rg.numRows) rows") }
            guard rg.columns.count == leaves.count else {
                throw ParquetFormatError("row group \(g + 1) has \(rg.columns.count) columns, the schema \(leaves.count)")
            }
            guard total <= Int(Int32.max) * 64 else { throw ParquetFormatError("more than \(Int(Int32.max) * 64) rows") }
            total += Int(rg.numRows)
            for i in picked {
                guard let c = rg.columns[i] else { throw ParquetFormatError("row group \(g + 1) column '\(names[i])' has no metadata (external file?)") }
                _ = try chunkRange(c, dataEnd: metaStart, column: names[i])
            }
        }
        guard Int64(total) == meta.numRows else { throw ParquetFormatError("row groups hold \(total) rows, the footer says \(meta.numRows)") }
        // Every column is at most 8 bytes a row plus its validity; checked up front
        // (saturating: a crafted footer may claim any row count).
        let (perRow, o1) = 9.multipliedReportingOverflow(by: max(1, picked.count))
        let (bytes, o2) = total.multipliedReportingOverflow(by: perRow)
        try ExecutionContext.checkMemory(o1 || o2 ? Int.max : bytes, for: "reading \(name)")

        var columns = [Column?](repeating: nil, count: picked.count)
        try columns.withUnsafeMutableBufferPointer { out in
            try Parallel.forEachThrowing(picked.count) { k in
                let i = picked[k]
                var dec = ParquetColumnDecoder(leaf: leaves[i], rows: total)
                do {
                    for rg in meta.rowGroups {
                        let c = rg.columns[i]!
                        let (s, e) = try chunkRange(c, dataEnd: metaStart, column: names[i])
                        try dec.decodeChunk(base, s, e, meta: c, chunkRows: Int(rg.numRows))
                    }
                    out[k] = try dec.column()
                } catch let e as ParquetFormatError where !e.reason.contains("column '") {
                    throw ParquetFormatError("column '\(names[i])': \(e.reason)")
                }
            }
        }
        return try Frame(columns.map { $0! })
    }

    /// The byte range of a column chunk: from its dictionary page (or first data
    /// page) for `total_compressed_size` bytes, inside `[4, dataEnd)`.
    private func chunkRange(_ c: ParquetColumnMeta, dataEnd: Int, column: String) throws -> (Int, Int) {
        var start = c.dataPageOffset
        if let d = c.dictionaryPageOffset, d > 0, d < start { start = d }
        guard start >= 4, c.totalCompressed >= 0, start <= Int64(dataEnd), c.totalCompressed <= Int64(dataEnd) - start else {
            throw ParquetFormatError("column '\(column)': chunk at \(start) of \(c.totalCompressed) bytes lies outside the file's data")
        }
        return (Int(start), Int(start + c.totalCompressed))
    }
}
