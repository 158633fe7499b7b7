import ExecutionControl

/// Decodes one column's chunks, row group by row group, into frame storage.
///
/// Pages: dictionary pages (PLAIN values), data pages v1 (levels and values
/// compressed together, levels prefixed by their 4-byte length) and v2
/// (levels uncompressed before the values, values compressed when
/// `is_compressed`). Values: PLAIN, or dictionary indices (PLAIN_DICTIONARY /
/// RLE_DICTIONARY). Definition levels: RLE/bit-packed hybrid, max level 1.
/// Every page header, size and count is checked against the column chunk's
/// byte range and the row group's row count before it is used.
struct ParquetColumnDecoder {
    let leaf: ParquetLeaf
    let rows: Int
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    private var bools: [Bool] = []
    private var codes: [Int32] = []
    private var interner = ByteInterner()
    private var validity: Validity
    private var row = 0
    // The current chunk's dictionary.
    private var dictInts: [Int64] = []
    private var dictDoubles: [Double] = []
    private var dictBools: [Bool] = []
    private var dictCodes: [Int32] = []
    private var hasDictionary = false

    init(leaf: ParquetLeaf, rows: Int) {
        self.leaf = leaf; self.rows = rows
        validity = Validity(count: rows, allValid: true)
        switch leaf.physical {
        case .boolean: bools = [Bool](repeating: false, count: rows)
        case .float, .double: doubles = [Double](repeating: 0, count: rows)
        case .byteArray: codes = [Int32](repeating: 0, count: rows)
        default: ints = [Int64](repeating: 0, count: rows)
        }
    }

    /// Decodes the chunk at `[start, end)` of the file holding `chunkRows` rows.
    mutating func decodeChunk(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, meta: ParquetColumnMeta, chunkRows: Int) throws {
        guard meta.type == leaf.physical else { throw ParquetFormatError("chunk type \(meta.type) differs from the schema's \(leaf.physical)") }
        hasDictionary = false
        dictInts = []; dictDoubles = []; dictBools = []; dictCodes = []
        let stopRow = row + chunkRows
        var pos = start
        var scratch: [UInt8] = []
        while row < stopRow {
            guard pos < end else { throw ParquetFormatError("column chunk ends after \(row - (stopRow - chunkRows)) of \(chunkRows) rows") }
            var r = ThriftReader(base, from: pos, to: end)
            let h = try ParquetPageHeader(&r)
            pos = r.pos
            guard h.compressedSize >= 0, h.uncompressedSize >= 0, Int(h.compressedSize) <= end - pos else {
                throw ParquetFormatError("page of \(h.compressedSize) bytes runs past its column chunk")
            }
            let body = base + pos
            let bodyLen = Int(h.compressedSize)
            pos += bodyLen
            let size = Int(h.uncompressedSize)
            try ExecutionContext.check()
            switch ParquetPageType(rawValue: h.type) {
            case .dictionaryPage:
                guard h.hasBody else { throw ParquetFormatError("dictionary page without its header") }
                guard !hasDictionary else { throw ParquetFormatError("two dictionary pages in one column chunk") }
                guard h.encoding == ParquetEncoding.plain.rawValue || h.encoding == ParquetEncoding.plainDictionary.rawValue else {
                    throw ParquetFormatError("dictionary page encoding \(h.encoding) is not PLAIN")
                }
                guard h.numValues >= 0, Int(h.numValues) <= max(size, 1) * 8 else { throw ParquetFormatError("dictionary page count out of range") }
                let page = try inflate(meta.codec, body, bodyLen, size: size, scratch: &scratch)
                try page.withUnsafeBufferPointer { b in
                    try decodeDictionary(b.baseAddress!, 0, size, count: Int(h.numValues))
                }
                hasDictionary = true
            case .dataPage:
                guard h.hasBody else { throw ParquetFormatError("data page without its header") }
                let n = Int(h.numValues)
                guard n >= 0, n <= stopRow - row else { throw ParquetFormatError("data page of \(n) values overruns its row group (\(stopRow - row) rows left)") }
                let page = try inflate(meta.codec, body, bodyLen, size: size, scratch: &scratch)
                try page.withUnsafeBufferPointer { b in
                    let p = b.baseAddress!
                    var off = 0
                    var levels: [UInt32]? = nil
                    if leaf.optional {
                        guard size >= 4 else { throw ParquetFormatError("data page too short for its definition levels") }
                        let len = Int(UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24)
                        guard len <= size - 4 else { throw ParquetFormatError("definition levels run past the page") }
                        guard h.defEncoding == ParquetEncoding.rle.rawValue else { throw ParquetFormatError("definition level encoding \(h.defEncoding) is not RLE") }
                        levels = try definitionLevels(p, 4, 4 + len, count: n)
                        off = 4 + len
                    }
                    try decodeValues(p, off, size, count: n, levels: levels, encoding: h.encoding)
                }
            case .dataPageV2:
                guard h.hasBody else { throw ParquetFormatError("data page v2 without its header") }
                let n = Int(h.numValues)
                guard n >= 0, n <= stopRow - row else { throw ParquetFormatError("data page of \(n) values overruns its row group (\(stopRow - row) rows left)") }
                let rl = Int(h.repLevelsLength), dl = Int(h.defLevelsLength)
                guard rl == 0 else { throw ParquetFormatError("repetition levels in a flat column") }
                guard dl >= 0, dl <= bodyLen, dl <= size else { throw ParquetFormatError("definition levels run past the page") }
                let levels = leaf.optional ? try definitionLevels(body, 0, dl, count: n) : nil
                let valuesSize = size - dl
                if h.isCompressed && meta.codec != ParquetCodec.uncompressed.rawValue {
                    let page = try inflate(meta.codec, body + dl, bodyLen - dl, size: valuesSize, scratch: &scratch)
                    try page.withUnsafeBufferPointer { b in
                        try decodeValues(b.baseAddress!, 0, valuesSize, count: n, levels: levels, encoding: h.encoding)
                    }
                } else {
                    guard valuesSize == bodyLen - dl else { throw ParquetFormatError("page sizes disagree") }
                    try decodeValues(body, dl, bodyLen, count: n, levels: levels, encoding: h.encoding)
                }
            case .indexPage:
                continue
            case nil:
                throw ParquetFormatError("unknown page type \(h.type)")
            }
        }
    }

    private func inflate(_ codec: Int32, _ src: UnsafePointer<UInt8>, _ n: Int, size: Int, scratch: inout [UInt8]) throws -> [UInt8] {
        // A page may not claim more than 64 times its compressed size plus 1 MiB
        // (real codecs stay far below) before memory is set aside for it.
        guard size <= n * 64 + (1 << 20) else { throw ParquetFormatError("page claims \(size) bytes from \(n) compressed") }
        try ExecutionContext.checkMemory(size, for: "a Parquet page")
        var out = [UInt8](repeating: 0, count: max(1, size))
        try out.withUnsafeMutableBufferPointer { d in
            try ParquetCompression.decompress(codec, src, n, into: d.baseAddress!, size: size)
        }
        return out
    }

    private func definitionLevels(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, count: Int) throws -> [UInt32] {
        var levels = [UInt32](repeating: 0, count: count)
        try levels.withUnsafeMutableBufferPointer { b in
            if count > 0 { try ParquetRLE.decode(p, from, to, bitWidth: 1, count: count, into: b.baseAddress!) }
        }
        for l in levels where l > 1 { throw ParquetFormatError("definition level \(l) above 1 in a flat column") }
        return levels
    }

    // MARK: values

    private mutating func decodeDictionary(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, count: Int) throws {
        switch leaf.physical {
        case .boolean: dictBools = try plainBools(p, from, to, count)
        case .float, .double: dictDoubles = try plainDoubles(p, from, to, count)
        case .byteArray: dictCodes = try plainStrings(p, from, to, count)
        default: dictInts = try plainInts(p, from, to, count)
        }
    }

    private mutating func decodeValues(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, count n: Int, levels: [UInt32]?,
                                       encoding: Int32) throws {
        let present = levels.map { $0.reduce(0) { $0 + Int($1) } } ?? n
        let dictionary = encoding == ParquetEncoding.plainDictionary.rawValue || encoding == ParquetEncoding.rleDictionary.rawValue
        if encoding == ParquetEncoding.rle.rawValue && leaf.physical == .boolean {
            // Booleans as the RLE hybrid of width 1 behind a 4-byte length (what pyarrow writes in v2 pages).
            try need(4, from, to)
            let len = Int(UInt32(p[from]) | UInt32(p[from + 1]) << 8 | UInt32(p[from + 2]) << 16 | UInt32(p[from + 3]) << 24)
            try need(len, from + 4, to)
            var bits = [UInt32](repeating: 0, count: present)
            if present > 0 {
                try bits.withUnsafeMutableBufferPointer { b in
                    try ParquetRLE.decode(p, from + 4, from + 4 + len, bitWidth: 1, count: present, into: b.baseAddress!)
                }
            }
            Self.scatter(&bools, bits.map { $0 == 1 }, levels, n, row, &validity)
            row += n
            return
        }
        guard dictionary || encoding == ParquetEncoding.plain.rawValue else {
            let name = ParquetEncoding(rawValue: encoding).map { "\($0)" } ?? "\(encoding)"
            throw ParquetFormatError("value encoding \(name) is not supported (PLAIN and dictionary are)")
        }
        if dictionary {
            guard hasDictionary else { throw ParquetFormatError("dictionary-encoded page without a dictionary page") }
            var idx = [UInt32](repeating: 0, count: present)
            if present > 0 {
                guard from < to else { throw ParquetFormatError("dictionary indices missing") }
                let width = Int(p[from])
                try idx.withUnsafeMutableBufferPointer { b in
                    try ParquetRLE.decode(p, from + 1, to, bitWidth: width, count: present, into: b.baseAddress!)
                }
            }
            let dictCount: Int
            switch leaf.physical {
            case .boolean: dictCount = dictBools.count
            case .float, .double: dictCount = dictDoubles.count
            case .byteArray: dictCount = dictCodes.count
            default: dictCount = dictInts.count
            }
            for i in idx where Int(i) >= dictCount { throw ParquetFormatError("dictionary index \(i) past the dictionary's \(dictCount) entries") }
            switch leaf.physical {
            case .boolean: let v = idx.map { dictBools[Int($0)] }; Self.scatter(&bools, v, levels, n, row, &validity)
            case .float, .double: let v = idx.map { dictDoubles[Int($0)] }; Self.scatter(&doubles, v, levels, n, row, &validity)
            case .byteArray: let v = idx.map { dictCodes[Int($0)] }; Self.scatter(&codes, v, levels, n, row, &validity)
            default: let v = idx.map { dictInts[Int($0)] }; Self.scatter(&ints, v, levels, n, row, &validity)
            }
        } else {
            switch leaf.physical {
            case .boolean: let v = try plainBools(p, from, to, present); Self.scatter(&bools, v, levels, n, row, &validity)
            case .float, .double: let v = try plainDoubles(p, from, to, present); Self.scatter(&doubles, v, levels, n, row, &validity)
            case .byteArray: let v = try plainStrings(p, from, to, present); Self.scatter(&codes, v, levels, n, row, &validity)
            default: let v = try plainInts(p, from, to, present); Self.scatter(&ints, v, levels, n, row, &validity)
            }
        }
        row += n
    }

    /// Puts the present values at the rows whose level is 1; the others become null.
    private static func scatter<T>(_ out: inout [T], _ values: [T], _ levels: [UInt32]?, _ n: Int, _ row: Int,
                                   _ validity: inout Validity) {
        guard let levels else {
            guard n > 0 else { return }
            out.withUnsafeMutableBufferPointer { o in
                values.withUnsafeBufferPointer { v in (o.baseAddress! + row).update(from: v.baseAddress!, count: n) }
            }
            return
        }
        var k = 0
        for i in 0..<n {
            if levels[i] == 1 { out[row + i] = values[k]; k += 1 } else { validity.set(row + i, false) }
        }
    }

    private func need(_ bytes: Int, _ from: Int, _ to: Int) throws {
        guard bytes >= 0, bytes <= to - from else { throw ParquetFormatError("values run past the end of the page") }
    }

    private func plainBools(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ n: Int) throws -> [Bool] {
        try need((n + 7) / 8, from, to)
        return (0..<n).map { i in (p[from + i >> 3] >> UInt8(i & 7)) & 1 == 1 }
    }

    private func plainDoubles(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ n: Int) throws -> [Double] {
        let raw = UnsafeRawPointer(p + from)
        if leaf.physical == .float {
            try need(n * 4, from, to)
            return (0..<n).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))) }
        }
        try need(n * 8, from, to)
        return (0..<n).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
    }

    private func plainInts(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ n: Int) throws -> [Int64] {
        let raw = UnsafeRawPointer(p + from)
        switch leaf.physical {
        case .int32:
            try need(n * 4, from, to)
            return (0..<n).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
        case .int96:
            // 8 bytes of nanoseconds in the day, then the Julian day number; kept as microseconds.
            try need(n * 12, from, to)
            return try (0..<n).map { i in
                let nanos = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 12, as: Int64.self))
                let julian = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 12 + 8, as: Int32.self)))
                guard (0..<86_400_000_000_000).contains(nanos) else { throw ParquetFormatError("INT96 timestamp with \(nanos) ns in a day") }
                // Julian days far from 1970 overflow microseconds: a crafted file, not a date.
                let (dayMicros, o) = (julian - 2_440_588).multipliedReportingOverflow(by: 86_400_000_000)
                let (micros, o2) = dayMicros.addingReportingOverflow(nanos / 1000)
                guard !o, !o2 else { throw ParquetFormatError("column '\(leaf.name)': INT96 timestamp with Julian day \(julian) is out of range") }
                return micros
            }
        default:
            try need(n * 8, from, to)
            return (0..<n).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    private mutating func plainStrings(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ n: Int) throws -> [Int32] {
        var out = [Int32](repeating: 0, count: n)
        var pos = from
        for i in 0..<n {
            try need(4, pos, to)
            let len = Int(UInt32(p[pos]) | UInt32(p[pos + 1]) << 8 | UInt32(p[pos + 2]) << 16 | UInt32(p[pos + 3]) << 24)
            pos += 4
            try need(len, pos, to)
            guard let code = interner.intern(p + pos, len) else {
                throw ParquetFormatError("column '\(leaf.name)': value is not valid UTF-8 text (binary data is not supported)")
            }
            out[i] = code
            pos += len
        }
        return out
    }

    // MARK: result

    /// The frame column, once every chunk was decoded.
    func column() throws -> Column {
        guard row == rows else { throw ParquetFormatError("column '\(leaf.name)' has \(row) values for \(rows) rows") }
        let valid: Validity? = validity
        let data: ColumnData
        switch leaf.target {
        case .bool: data = .bool(bools)
        case .float: data = .float64(doubles)
        case .string: data = .string(codes: codes, dictionary: interner.strings())
        case .int: data = .int64(ints)
        case .date:
            data = .date(ints.map { Int32(truncatingIfNeeded: $0) })
        case .decimal(let scale):
            let f = pow10(Int(scale))
            data = .float64(ints.map { Double($0) / f })
        case .int96Timestamp:
            data = .timestamp(ints)
        case .timestamp(let units):
            switch units {
            case 1_000_000: data = .timestamp(ints)
            case 1_000:
                data = .timestamp(try ints.enumerated().map { i, v in
                    let (r, o) = v.multipliedReportingOverflow(by: 1000)
                    if o && validity.isValid(i) { throw ParquetFormatError("column '\(leaf.name)': timestamp out of range") }
                    return o ? 0 : r
                })
            default:   // nanoseconds: floor to microseconds
                data = .timestamp(ints.map { v in v % 1000 < 0 ? v / 1000 - 1 : v / 1000 })   // no v - 999: Int64.min would overflow
            }
        }
        return Column(name: leaf.name, data: data, validity: valid)
    }

    private func pow10(_ k: Int) -> Double {
        var f = 1.0
        for _ in 0..<max(0, min(k, 400)) { f *= 10 }
        return f
    }
}
