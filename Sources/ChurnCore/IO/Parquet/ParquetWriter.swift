import ExecutionControl
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Options for `Frame.writeParquet`.
public struct ParquetWriteOptions: Sendable {
    /// "snappy" (default, as pandas and pyarrow), "zstd", "gzip" or "none".
    public var compression: String
    /// Rows per row group (1 … 2^31−1).
    public var rowGroupSize: Int
    /// Dictionary-encode text columns (else PLAIN).
    public var dictionary: Bool
    /// Column chunk statistics (min, max, null_count) in the footer, so readers can skip row groups.
    public var statistics: Bool = true
    /// Data page format: 1 (DataPageHeader, the widest support) or 2
    /// (DataPageHeaderV2: levels stored uncompressed before the compressed values).
    public var dataPageVersion: Int = 1

    public init(compression: String = "snappy", rowGroupSize: Int = 1 << 20, dictionary: Bool = true) {
        self.compression = compression; self.rowGroupSize = rowGroupSize; self.dictionary = dictionary
    }

    public static let dataPageVersions = 1...2

    public static let compressions = ["snappy", "zstd", "gzip", "none"]

    func codec() throws -> ParquetCodec {
        switch compression {
        case "snappy": return .snappy
        case "zstd": return .zstd
        case "gzip": return .gzip
        case "none": return .uncompressed
        default: throw ParquetError(file: "", "compression must be one of \(Self.compressions.joined(separator: ", ")), got '\(compression)'")
        }
    }
}

extension Frame {
    /// Writes the frame as Parquet (see `ParquetWriter`).
    public func writeParquet(path: String, options: ParquetWriteOptions = ParquetWriteOptions()) throws {
        try ParquetWriter(options: options).write(self, path: path)
    }
}

/// Writes flat Parquet files that pyarrow, polars, DuckDB and Spark read.
///
/// Every column is OPTIONAL (definition levels, RLE) so nulls round-trip;
/// floats → DOUBLE, ints → INT64, bools → BOOLEAN, dates → INT32 DATE,
/// timestamps → INT64 TIMESTAMP(µs, UTC), text and categories → BYTE_ARRAY
/// STRING, dictionary-encoded (a PLAIN dictionary page with the values the row
/// group uses, then RLE_DICTIONARY indices) unless `dictionary = false`. One
/// data page (v1, or v2 with `dataPageVersion = 2`) per column chunk; columns
/// of a row group are encoded and compressed in parallel. Each column chunk
/// carries statistics (`ParquetStatistics`: null_count, min and max) unless
/// `statistics = false`. Like `writeCSV`, the bytes go to a temporary file
/// renamed over `path` only when complete.
public struct ParquetWriter: Sendable {
    public var options: ParquetWriteOptions
    public init(options: ParquetWriteOptions = ParquetWriteOptions()) { self.options = options }

    struct Chunk {
        var bytes: [UInt8]
        var size: Int
        var uncompressed: Int
        var dictionaryOffset: Int?   // relative to the chunk's start
        var dataOffset: Int
        var encodings: [Int32]
        var physical: ParquetPhysical
        var statistics: ParquetStatistics?
    }

    public func write(_ frame: Frame, path: String) throws {
        let codec: ParquetCodec
        do { codec = try options.codec() } catch let e as ParquetError { throw ParquetError(file: path, e.reason) }
        guard ParquetWriteOptions.dataPageVersions.contains(options.dataPageVersion) else {
            throw ParquetError(file: path, "data_page_version must be 1 or 2, got \(options.dataPageVersion)")
        }
        guard options.rowGroupSize >= 1, options.rowGroupSize <= Int(Int32.max) else {
            throw ParquetError(file: path, "row_group_size must be in 1...\(Int32.max), got \(options.rowGroupSize)")
        }
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ParquetError(file: path, "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer { if !ok { close(fd); unlink(tmp) } }
        var offset = 0
        func put(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ParquetError(file: path, "write failed: \(String(cString: strerror(errno)))")
                    }
                    off += n
                }
            }
            offset += bytes.count
        }
        try put(Array("PAR1".utf8))
        var groups: [(rows: Int, chunks: [(Chunk, Int)])] = []
        var start = 0
        let nrow = frame.nrow
        repeat {
            let end = Swift.min(nrow, start + options.rowGroupSize)
            let range = start..<end
            let encoded: [Result<Chunk, Error>] = frame.ncol == 0 ? [] : Parallel.mapChunks(frame.ncol, chunks: frame.ncol) { r in
                Result { try self.encode(frame.columns[r.lowerBound], range, codec: codec) }
            }
            var placed: [(Chunk, Int)] = []
            for e in encoded {
                let c: Chunk
                do { c = try e.get() } catch let f as ParquetFormatError { throw ParquetError(file: path, f.reason) }
                placed.append((c, offset))
                try put(c.bytes)
            }
            groups.append((end - start, placed.map { (c, o) in var c = c; c.bytes = []; return (c, o) }))
            try ExecutionContext.check()
            start = end
        } while start < nrow
        let footer = self.footer(frame, groups: groups, codec: codec)
        try put(footer)
        let n = UInt32(footer.count)
        try put([UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + Array("PAR1".utf8))
        guard close(fd) == 0 else { ok = true; unlink(tmp); throw ParquetError(file: path, "close failed: \(String(cString: strerror(errno)))") }
        ok = true
        guard renameFile(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw ParquetError(file: path, "cannot replace: \(reason)")
        }
    }

    // MARK: column chunks

    private func encode(_ c: Column, _ r: Range<Int>, codec: ParquetCodec) throws -> Chunk {
        let n = r.count
        var levels = [UInt32](repeating: 1, count: n)
        if c.validity != nil { for i in r where c.isNull(i) { levels[i - r.lowerBound] = 0 } }
        let present = r.filter { !c.isNull($0) }
        var values: [UInt8] = []
        var dictionaryPage: [UInt8]? = nil
        var dictCount = 0
        var encoding = ParquetEncoding.plain
        var stats = options.statistics ? ParquetStatistics(c, rows: present) : nil
        stats?.nullCount = n - present.count
        let physical: ParquetPhysical
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { values.append(contentsOf: $0) } }
        switch c.data {
        case .float64(let x):
            physical = .double
            values.reserveCapacity(present.count * 8)
            for i in present { le(x[i].bitPattern) }
        case .int64(let x):
            physical = .int64
            values.reserveCapacity(present.count * 8)
            for i in present { le(x[i]) }
        case .timestamp(let x):
            physical = .int64
            values.reserveCapacity(present.count * 8)
            for i in present { le(x[i]) }
        case .date(let x):
            physical = .int32
            values.reserveCapacity(present.count * 4)
            for i in present { le(x[i]) }
        case .bool(let x):
            physical = .boolean
            values = [UInt8](repeating: 0, count: (present.count + 7) / 8)
            for (k, i) in present.enumerated() where x[i] { values[k >> 3] |= 1 << UInt8(k & 7) }
        case .string(let codes, let dict), .category(let codes, let dict):
            physical = .byteArray
            let utf8 = dict.map { Array($0.utf8) }
            func plain(_ s: [UInt8], into out: inout [UInt8]) {
                withUnsafeBytes(of: UInt32(s.count).littleEndian) { out.append(contentsOf: $0) }
                out += s
            }
            if options.dictionary {
                // Dense local indices for the entries this row group uses, in order of first use.
                var local = [Int32](repeating: -1, count: dict.count)
                var order: [Int32] = []
                var idx = [UInt32]()
                idx.reserveCapacity(present.count)
                for i in present {
                    let code = Int(codes[i])
                    if local[code] < 0 { local[code] = Int32(order.count); order.append(Int32(code)) }
                    idx.append(UInt32(local[code]))
                }
                var page: [UInt8] = []
                for code in order { plain(utf8[Int(code)], into: &page) }
                dictionaryPage = page
                dictCount = order.count
                let width = Swift.max(1, ParquetRLE.bitWidth(UInt32(Swift.max(0, order.count - 1))))
                values = [UInt8(width)] + ParquetRLE.encode(idx, bitWidth: width)
                encoding = .rleDictionary
            } else {
                for i in present { plain(utf8[Int(codes[i])], into: &values) }
            }
        }
        let defLevels = ParquetRLE.encode(levels, bitWidth: 1)
        let v2 = options.dataPageVersion == 2
        var pageBody: [UInt8] = []
        if !v2 {
            // v1: levels behind their 4-byte length, then values; all compressed together.
            pageBody.reserveCapacity(4 + defLevels.count + values.count)
            withUnsafeBytes(of: UInt32(defLevels.count).littleEndian) { pageBody.append(contentsOf: $0) }
            pageBody += defLevels
            pageBody += values
        }

        var out: [UInt8] = []
        var uncompressed = 0
        var dictionaryOffset: Int? = nil
        if let d = dictionaryPage {
            let compressed = try ParquetCompression.compress(codec, d)
            var h = ThriftWriter()
            h.structBody { w in
                w.i32(1, ParquetPageType.dictionaryPage.rawValue)
                w.i32(2, Int32(d.count))
                w.i32(3, Int32(compressed.count))
                w.structure(7) { w in
                    w.i32(1, Int32(dictCount))
                    w.i32(2, ParquetEncoding.plain.rawValue)
                }
            }
            dictionaryOffset = 0
            out += h.bytes; out += compressed
            uncompressed += h.bytes.count + d.count
        }
        let dataOffset = out.count
        // v2: the levels stay uncompressed (no length prefix) ahead of the compressed values.
        let compressed = v2 ? defLevels + (try ParquetCompression.compress(codec, values))
                            : try ParquetCompression.compress(codec, pageBody)
        let rawSize = v2 ? defLevels.count + values.count : pageBody.count
        guard rawSize <= Int(Int32.max), compressed.count <= Int(Int32.max) else {
            throw ParquetFormatError("column '\(c.name)': a page would exceed 2 GiB; use a smaller row_group_size")
        }
        var h = ThriftWriter()
        h.structBody { w in
            w.i32(1, (v2 ? ParquetPageType.dataPageV2 : .dataPage).rawValue)
            w.i32(2, Int32(rawSize))
            w.i32(3, Int32(compressed.count))
            if v2 {
                w.structure(8) { w in
                    w.i32(1, Int32(n))
                    w.i32(2, Int32(n - present.count))
                    w.i32(3, Int32(n))
                    w.i32(4, encoding.rawValue)
                    w.i32(5, Int32(defLevels.count))
                    w.i32(6, 0)
                    w.bool(7, codec != .uncompressed)
                }
            } else {
                w.structure(5) { w in
                    w.i32(1, Int32(n))
                    w.i32(2, encoding.rawValue)
                    w.i32(3, ParquetEncoding.rle.rawValue)
                    w.i32(4, ParquetEncoding.rle.rawValue)
                }
            }
        }
        out += h.bytes; out += compressed
        uncompressed += h.bytes.count + rawSize
        var encodings: [Int32] = [ParquetEncoding.rle.rawValue, encoding.rawValue]
        if dictionaryPage != nil { encodings.append(ParquetEncoding.plain.rawValue) }
        return Chunk(bytes: out, size: out.count, uncompressed: uncompressed, dictionaryOffset: dictionaryOffset, dataOffset: dataOffset,
                     encodings: encodings, physical: physical, statistics: stats)
    }

    // MARK: footer

    private func footer(_ frame: Frame, groups: [(rows: Int, chunks: [(Chunk, Int)])], codec: ParquetCodec) -> [UInt8] {
        var w = ThriftWriter()
        w.structBody { w in
            w.i32(1, 1)
            var schema: [(String, Column?)] = [("schema", nil)]
            schema += frame.columns.map { ($0.name, $0) }
            w.structList(2, schema) { w, item in
                let (name, col) = item
                guard let col else {
                    w.string(4, name)
                    w.i32(5, Int32(frame.ncol))
                    return
                }
                switch col.dtype {
                case .float64: w.i32(1, ParquetPhysical.double.rawValue)
                case .int64: w.i32(1, ParquetPhysical.int64.rawValue)
                case .bool: w.i32(1, ParquetPhysical.boolean.rawValue)
                case .date: w.i32(1, ParquetPhysical.int32.rawValue)
                case .timestamp: w.i32(1, ParquetPhysical.int64.rawValue)
                case .string, .category: w.i32(1, ParquetPhysical.byteArray.rawValue)
                }
                w.i32(3, 1)   // OPTIONAL
                w.string(4, name)
                switch col.dtype {
                case .string, .category:
                    w.i32(6, ParquetConverted.utf8)
                    w.structure(10) { w in w.structure(1) { _ in } }
                case .date:
                    w.i32(6, ParquetConverted.date)
                    w.structure(10) { w in w.structure(6) { _ in } }
                case .timestamp:
                    w.i32(6, ParquetConverted.timestampMicros)
                    w.structure(10) { w in
                        w.structure(8) { w in
                            w.bool(1, true)
                            w.structure(2) { w in w.structure(2) { _ in } }
                        }
                    }
                default: break
                }
            }
            w.i64(3, Int64(frame.nrow))
            w.structList(4, groups) { w, g in
                w.structList(1, Array(zip(frame.columns, g.chunks))) { w, item in
                    let (col, (chunk, start)) = item
                    w.i64(2, Int64(start))
                    w.structure(3) { w in
                        w.i32(1, chunk.physical.rawValue)
                        w.i32List(2, chunk.encodings)
                        w.stringList(3, [col.name])
                        w.i32(4, codec.rawValue)
                        w.i64(5, Int64(g.rows))
                        w.i64(6, Int64(chunk.uncompressed))
                        w.i64(7, Int64(chunk.size))
                        w.i64(9, Int64(start + chunk.dataOffset))
                        if let d = chunk.dictionaryOffset { w.i64(11, Int64(start + d)) }
                        if let s = chunk.statistics {
                            w.structure(12) { w in
                                w.i64(3, Int64(s.nullCount))
                                if let mx = s.max, let mn = s.min {
                                    w.binary(5, mx); w.binary(6, mn)
                                    w.bool(7, true); w.bool(8, true)
                                }
                            }
                        }
                    }
                }
                w.i64(2, Int64(g.chunks.reduce(0) { $0 + $1.0.uncompressed }))
                w.i64(3, Int64(g.rows))
            }
            w.string(6, "churnlab \(ChurnCore.version)")
            // column_orders: TypeDefinedOrder per column, which tells readers the statistics'
            // min_value/max_value follow each type's sort order (without it they ignore them).
            if options.statistics { w.structList(7, frame.columns) { w, _ in w.structure(1) { _ in } } }
        }
        return w.bytes
    }
}
