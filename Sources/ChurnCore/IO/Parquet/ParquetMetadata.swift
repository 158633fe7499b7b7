/// The parts of Parquet's footer and page headers (parquet.thrift) this
/// reader and writer use, with their Thrift field ids. Unknown fields are
/// skipped, so files from newer writers still read.
enum ParquetPhysical: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

enum ParquetCodec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

enum ParquetEncoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6,
         deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

enum ParquetPageType: Int32 { case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3 }

/// Converted types (the legacy annotations) that matter here.
enum ParquetConverted {
    static let utf8: Int32 = 0, enumType: Int32 = 4, decimal: Int32 = 5, date: Int32 = 6, timeMillis: Int32 = 7,
               timeMicros: Int32 = 8, timestampMillis: Int32 = 9, timestampMicros: Int32 = 10, json: Int32 = 19
    static let map: Int32 = 1, mapKeyValue: Int32 = 2, list: Int32 = 3
}

/// The logical type annotation (a Thrift union), reduced to what maps to a frame type.
enum ParquetLogical: Equatable {
    case string, date, decimal(scale: Int32), timestamp(unitsPerSecond: Int64), integer(bits: Int8, signed: Bool)
    case other(Int16)
}

struct ParquetSchemaElement {
    var type: ParquetPhysical?
    var typeLength: Int32?
    var repetition: Int32?          // 0 required, 1 optional, 2 repeated
    var name = ""
    var numChildren: Int32?
    var converted: Int32?
    var scale: Int32?
    var logical: ParquetLogical?
}

struct ParquetColumnMeta {
    var type: ParquetPhysical = .int32
    var encodings: [Int32] = []
    var path: [String] = []
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalUncompressed: Int64 = 0
    var totalCompressed: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
}

struct ParquetRowGroup {
    var columns: [ParquetColumnMeta?] = []
    var totalByteSize: Int64 = 0
    var numRows: Int64 = 0
}

struct ParquetFileMeta {
    var version: Int32 = 1
    var schema: [ParquetSchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [ParquetRowGroup] = []
    var createdBy: String?
}

struct ParquetPageHeader {
    var type: Int32 = -1
    var uncompressedSize: Int32 = 0
    var compressedSize: Int32 = 0
    // Data page v1 / v2 and dictionary page fields.
    var numValues: Int32 = 0
    var encoding: Int32 = 0
    var defEncoding: Int32 = 3
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var defLevelsLength: Int32 = 0
    var repLevelsLength: Int32 = 0
    var isCompressed = true
    var hasBody = false
}

// MARK: - Decoding

extension ParquetFileMeta {
    init(_ r: inout ThriftReader) throws {
        self.init()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): version = try r.i32()
            case (2, .list): try r.readList { r in schema.append(try ParquetSchemaElement(&r)) }
            case (3, .i64): numRows = try r.zigzag()
            case (4, .list): try r.readList { r in rowGroups.append(try ParquetRowGroup(&r)) }
            case (6, .binary): createdBy = try? r.string()
            default: return false
            }
            return true
        }
    }
}

extension ParquetSchemaElement {
    init(_ r: inout ThriftReader) throws {
        self.init()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32):
                let v = try r.i32()
                guard let p = ParquetPhysical(rawValue: v) else { throw ParquetFormatError("unknown physical type \(v)") }
                type = p
            case (2, .i32): typeLength = try r.i32()
            case (3, .i32): repetition = try r.i32()
            case (4, .binary): name = try r.string()
            case (5, .i32): numChildren = try r.i32()
            case (6, .i32): converted = try r.i32()
            case (7, .i32): scale = try r.i32()
            case (10, .structure): logical = try ParquetLogical.read(&r)
            default: return false
            }
            return true
        }
    }
}

extension ParquetLogical {
    static func read(_ r: inout ThriftReader) throws -> ParquetLogical? {
        var result: ParquetLogical?
        try r.readStruct { r, id, t in
            guard t == .structure else { return false }
            switch id {
            case 1: try r.skip(.structure); result = .string
            case 6: try r.skip(.structure); result = .date
            case 5:
                var scale: Int32 = 0
                try r.readStruct { r, f, t in
                    if f == 1, t == .i32 { scale = try r.i32(); return true }
                    return false
                }
                result = .decimal(scale: scale)
            case 8:
                var units: Int64 = 0
                try r.readStruct { r, f, t in
                    guard f == 2, t == .structure else { return false }
                    try r.readStruct { r, u, t in
                        guard t == .structure else { return false }
                        units = [1: 1_000, 2: 1_000_000, 3: 1_000_000_000][u] ?? 0
                        try r.skip(.structure)
                        return true
                    }
                    return true
                }
                guard units > 0 else { throw ParquetFormatError("timestamp logical type without a known unit") }
                result = .timestamp(unitsPerSecond: units)
            case 10:
                var bits: Int8 = 64, signed = true
                try r.readStruct { r, f, t in
                    switch (f, t) {
                    case (1, .byte): bits = Int8(bitPattern: try r.byte())
                    case (2, .boolTrue), (2, .boolFalse): signed = try r.bool(t)
                    default: return false
                    }
                    return true
                }
                result = .integer(bits: bits, signed: signed)
            default:
                try r.skip(.structure)
                result = .other(id)
            }
            return true
        }
        return result
    }
}

extension ParquetRowGroup {
    init(_ r: inout ThriftReader) throws {
        self.init()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .list):
                try r.readList { r in
                    var meta: ParquetColumnMeta?
                    try r.readStruct { r, f, t in
                        if f == 3, t == .structure { meta = try ParquetColumnMeta(&r); return true }
                        return false
                    }
                    columns.append(meta)
                }
            case (2, .i64): totalByteSize = try r.zigzag()
            case (3, .i64): numRows = try r.zigzag()
            default: return false
            }
            return true
        }
    }
}

extension ParquetColumnMeta {
    init(_ r: inout ThriftReader) throws {
        self.init()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32):
                let v = try r.i32()
                guard let p = ParquetPhysical(rawValue: v) else { throw ParquetFormatError("unknown physical type \(v)") }
                type = p
            case (2, .list): encodings = try r.readI32List()
            case (3, .list): path = try r.readStringList()
            case (4, .i32): codec = try r.i32()
            case (5, .i64): numValues = try r.zigzag()
            case (6, .i64): totalUncompressed = try r.zigzag()
            case (7, .i64): totalCompressed = try r.zigzag()
            case (9, .i64): dataPageOffset = try r.zigzag()
            case (11, .i64): dictionaryPageOffset = try r.zigzag()
            default: return false
            }
            return true
        }
    }
}

extension ParquetPageHeader {
    init(_ r: inout ThriftReader) throws {
        self.init()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): type = try r.i32()
            case (2, .i32): uncompressedSize = try r.i32()
            case (3, .i32): compressedSize = try r.i32()
            case (5, .structure):          // DataPageHeader
                hasBody = true
                try r.readStruct { r, f, t in
                    switch (f, t) {
                    case (1, .i32): numValues = try r.i32()
                    case (2, .i32): encoding = try r.i32()
                    case (3, .i32): defEncoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (7, .structure):          // DictionaryPageHeader
                hasBody = true
                try r.readStruct { r, f, t in
                    switch (f, t) {
                    case (1, .i32): numValues = try r.i32()
                    case (2, .i32): encoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (8, .structure):          // DataPageHeaderV2
                hasBody = true
                try r.readStruct { r, f, t in
                    switch (f, t) {
                    case (1, .i32): numValues = try r.i32()
                    case (2, .i32): numNulls = try r.i32()
                    case (3, .i32): numRows = try r.i32()
                    case (4, .i32): encoding = try r.i32()
                    case (5, .i32): defLevelsLength = try r.i32()
                    case (6, .i32): repLevelsLength = try r.i32()
                    case (7, .boolTrue), (7, .boolFalse): isCompressed = try r.bool(t)
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
    }
}
