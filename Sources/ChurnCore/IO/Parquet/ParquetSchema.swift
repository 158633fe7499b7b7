/// How a Parquet leaf column maps onto a frame column type.
///
/// Flat schemas only (the root and one level of leaves): nested groups, lists
/// and maps are refused with the column named. Annotations are read from the
/// logical type when present, else from the legacy converted type.
struct ParquetLeaf {
    enum Target {
        case bool, int, float, string, date
        /// Timestamp stored as integers of 1/unitsPerSecond s (INT64), or INT96 (Impala/Spark legacy, nanoseconds of a Julian day).
        case timestamp(unitsPerSecond: Int64)
        case int96Timestamp
        /// DECIMAL in INT32/INT64, read as float (value / 10^scale).
        case decimal(scale: Int32)
    }

    let name: String
    let physical: ParquetPhysical
    let optional: Bool
    let target: Target

    var dtype: DType {
        switch target {
        case .bool: return .bool
        case .int: return .int64
        case .float, .decimal: return .float64
        case .string: return .string
        case .date: return .date
        case .timestamp, .int96Timestamp: return .timestamp
        }
    }

    static func leaves(_ schema: [ParquetSchemaElement]) throws -> [ParquetLeaf] {
        guard let root = schema.first else { throw ParquetFormatError("the file has no schema") }
        let n = Int(root.numChildren ?? 0)
        guard n == schema.count - 1 else {
            throw ParquetFormatError("nested schemas are not supported (only flat tables of primitive columns)")
        }
        return try schema.dropFirst().map { try leaf($0) }
    }

    private static func leaf(_ e: ParquetSchemaElement) throws -> ParquetLeaf {
        func unsupported(_ what: String) -> ParquetFormatError {
            ParquetFormatError("column '\(e.name)': \(what) is not supported")
        }
        if (e.numChildren ?? 0) > 0 || e.type == nil { throw unsupported("a nested group") }
        if e.repetition == 2 { throw unsupported("a repeated field") }
        let p = e.type!
        let target: Target
        switch p {
        case .boolean: target = .bool
        case .float, .double: target = .float
        case .int96: target = .int96Timestamp
        case .int32, .int64:
            switch (e.logical, e.converted) {
            case (.date?, _), (nil, ParquetConverted.date?): target = .date
            case (.timestamp(let u)?, _): target = .timestamp(unitsPerSecond: u)
            case (nil, ParquetConverted.timestampMillis?): target = .timestamp(unitsPerSecond: 1_000)
            case (nil, ParquetConverted.timestampMicros?): target = .timestamp(unitsPerSecond: 1_000_000)
            case (.decimal(let s)?, _): target = .decimal(scale: s)
            case (nil, ParquetConverted.decimal?): target = .decimal(scale: e.scale ?? 0)
            case (.integer(let bits, let signed)?, _) where !signed && bits == 64: throw unsupported("unsigned 64-bit integer")
            default: target = .int
            }
            if case .date = target, p != .int32 { throw unsupported("a DATE stored as INT64") }
        case .byteArray:
            switch (e.logical, e.converted) {
            case (.decimal?, _), (nil, ParquetConverted.decimal?): throw unsupported("a DECIMAL stored as bytes")
            default: target = .string   // STRING/UTF8/ENUM/JSON, or unannotated bytes (validated as UTF-8)
            }
        case .fixedLenByteArray: throw unsupported("FIXED_LEN_BYTE_ARRAY")
        }
        return ParquetLeaf(name: e.name, physical: p, optional: (e.repetition ?? 0) == 1, target: target)
    }
}
