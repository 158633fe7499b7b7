import Foundation

/// Accumulates one result column from PostgreSQL's text format into a typed
/// `Column`, chosen by the column's type OID. The session is set up (see
/// `PostgresConnection.init`) so that text is unambiguous: ISO dates, UTC
/// timestamps, floats printed to round-trip exactly.
struct PostgresColumnReader {
    enum Kind { case int, float, bool, date, timestamp, text }
    let name: String
    let kind: Kind
    private var ints: [Int64] = [], floats: [Double] = [], bools: [Bool] = []
    private var dates: [Int32] = [], texts: [String?] = []
    private var valid: [Bool] = []
    private var anyNull = false

    /// PostgreSQL type OIDs (pg_type.dat): the ones read as something other than text.
    static func kind(_ oid: UInt32) -> Kind {
        switch oid {
        case 20, 21, 23, 26: return .int          // int8, int2, int4, oid
        case 700, 701, 1700: return .float         // float4, float8, numeric
        case 16: return .bool
        case 1082: return .date
        case 1114, 1184: return .timestamp         // timestamp, timestamptz
        default: return .text
        }
    }

    init(name: String, type: UInt32) { self.name = name; kind = PostgresColumnReader.kind(type) }

    mutating func appendNull() {
        anyNull = true; valid.append(false)
        switch kind {
        case .int, .timestamp: ints.append(0)
        case .float: floats.append(0)
        case .bool: bools.append(false)
        case .date: dates.append(0)
        case .text: texts.append(nil)
        }
    }

    mutating func append(_ p: UnsafePointer<CChar>, _ len: Int) throws {
        valid.append(true)
        switch kind {
        case .int:
            guard let v = Int64(String(cString: p)) else { throw WarehouseError.postgres("'\(String(cString: p))' is not an integer") }
            ints.append(v)
        case .float:
            let s = String(cString: p)
            // PostgreSQL spells infinities "Infinity"/"-Infinity"; numeric can be "NaN".
            guard let v = Double(s) ?? (s == "Infinity" ? .infinity : s == "-Infinity" ? -.infinity : nil) else {
                throw WarehouseError.postgres("'\(s)' is not a number")
            }
            floats.append(v)
        case .bool:
            bools.append(p.pointee == CChar(UInt8(ascii: "t")))
        case .date:
            let s = String(cString: p)
            guard let d = DateText.parseDate(s) else { throw WarehouseError.postgres("date '\(s)' is outside 0001…9999 or not ISO") }
            dates.append(d)
        case .timestamp:
            var s = String(cString: p)
            if s.hasSuffix("+00") { s.removeLast(3) }     // timestamptz in the session's UTC
            guard let t = DateText.parseTimestamp(s) else { throw WarehouseError.postgres("timestamp '\(s)' is outside 0001…9999 or not ISO") }
            ints.append(t)
        case .text:
            texts.append(String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self))
        }
    }

    func column() -> Column {
        let v = anyNull ? Validity(valid) : nil
        switch kind {
        case .int: return Column(name: name, data: .int64(ints), validity: v)
        case .float: return Column(name: name, data: .float64(floats), validity: v)
        case .bool: return Column(name: name, data: .bool(bools), validity: v)
        case .date: return Column(name: name, data: .date(dates), validity: v)
        case .timestamp: return Column(name: name, data: .timestamp(ints), validity: v)
        case .text: return Column.string(name, texts)
        }
    }
}
