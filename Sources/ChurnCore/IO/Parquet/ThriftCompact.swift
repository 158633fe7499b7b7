/// Thrift's compact protocol, the encoding of every Parquet footer and page header.
///
/// Only what Parquet's metadata uses: structs of integers, doubles, binaries,
/// booleans, lists and nested structs; maps and sets are skipped. The reader
/// works on a bounded byte window and checks every length and count against
/// what is left, and nesting is capped, so a crafted footer can only produce a
/// `ParquetFormatError`, never a read out of bounds or a stack overflow.
struct ThriftReader {
    enum FieldType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8,
             list = 9, set = 10, map = 11, structure = 12
    }

    let base: UnsafePointer<UInt8>
    let end: Int
    private(set) var pos: Int
    private var depth = 0
    static let maxDepth = 32

    init(_ base: UnsafePointer<UInt8>, from: Int, to: Int) {
        self.base = base; pos = from; end = to
    }

    mutating func byte() throws -> UInt8 {
        guard pos < end else { throw ParquetFormatError("metadata ends in the middle of a value") }
        defer { pos += 1 }
        return base[pos]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw ParquetFormatError("varint longer than 10 bytes in metadata") }
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws -> Int32 {
        let v = try zigzag()
        guard let r = Int32(exactly: v) else { throw ParquetFormatError("32-bit metadata value out of range: \(v)") }
        return r
    }

    mutating func double() throws -> Double {
        guard end - pos >= 8 else { throw ParquetFormatError("metadata ends in the middle of a double") }
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(base[pos + k]) << (8 * UInt64(k)) }
        pos += 8
        return Double(bitPattern: bits)
    }

    mutating func binary() throws -> UnsafeBufferPointer<UInt8> {
        let n = try varint()
        guard n <= UInt64(end - pos) else { throw ParquetFormatError("metadata string of \(n) bytes runs past its end") }
        defer { pos += Int(n) }
        return UnsafeBufferPointer(start: base + pos, count: Int(n))
    }

    mutating func string() throws -> String {
        let b = try binary()
        guard let s = String(validatingUTF8Bytes: b) else { throw ParquetFormatError("metadata string is not valid UTF-8") }
        return s
    }

    /// A list header: element type and count (bounded by the bytes left: every element takes at least one byte,
    /// booleans included).
    mutating func listHeader() throws -> (FieldType, Int) {
        let h = try byte()
        var n = Int(h >> 4)
        if n == 15 {
            let v = try varint()
            guard v <= UInt64(end - pos) else { throw ParquetFormatError("list of \(v) elements is longer than the metadata") }
            n = Int(v)
        }
        guard let t = FieldType(rawValue: h & 0x0F) else { throw ParquetFormatError("unknown thrift type \(h & 0x0F)") }
        guard n <= end - pos || t == .boolTrue || t == .boolFalse else {
            throw ParquetFormatError("list of \(n) elements is longer than the metadata")
        }
        return (t, n)
    }

    /// Reads a struct: `field` is called with each field id and type and must
    /// consume the value and return true, or return false to have it skipped.
    mutating func readStruct(_ field: (inout ThriftReader, Int16, FieldType) throws -> Bool) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= ThriftReader.maxDepth else { throw ParquetFormatError("metadata nested deeper than \(ThriftReader.maxDepth)") }
        var last: Int16 = 0
        while true {
            let h = try byte()
            guard let t = FieldType(rawValue: h & 0x0F) else { throw ParquetFormatError("unknown thrift type \(h & 0x0F)") }
            if t == .stop { return }
            let delta = Int16(h >> 4)
            let id: Int16
            if delta == 0 {
                let v = try zigzag()
                guard let x = Int16(exactly: v) else { throw ParquetFormatError("field id out of range") }
                id = x
            } else {
                id = last &+ delta
            }
            last = id
            if try !field(&self, id, t) { try skip(t) }
        }
    }

    /// Reads a list of structs.
    mutating func readList(_ element: (inout ThriftReader) throws -> Void) throws {
        let (t, n) = try listHeader()
        guard t == .structure || n == 0 else { throw ParquetFormatError("expected a list of structs") }
        for _ in 0..<n { try element(&self) }
    }

    mutating func readI32List() throws -> [Int32] {
        let (t, n) = try listHeader()
        guard t == .i32 || n == 0 else { throw ParquetFormatError("expected a list of integers") }
        return try (0..<n).map { _ in try i32() }
    }

    mutating func readStringList() throws -> [String] {
        let (t, n) = try listHeader()
        guard t == .binary || n == 0 else { throw ParquetFormatError("expected a list of strings") }
        return try (0..<n).map { _ in try string() }
    }

    /// The value of a boolean field (compact protocol keeps it in the field's type).
    func bool(_ t: FieldType) throws -> Bool {
        switch t {
        case .boolTrue: return true
        case .boolFalse: return false
        default: throw ParquetFormatError("expected a boolean field")
        }
    }

    mutating func skip(_ t: FieldType) throws {
        switch t {
        case .stop: throw ParquetFormatError("unexpected end of struct")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double: _ = try double()
        case .binary: _ = try binary()
        case .list, .set:
            let (et, n) = try listHeader()
            for _ in 0..<n {
                if et == .boolTrue || et == .boolFalse { _ = try byte() } else { try skip(et) }
            }
        case .map:
            let n = try varint()
            guard n <= UInt64(end - pos) else { throw ParquetFormatError("map longer than the metadata") }
            if n == 0 { return }
            let kv = try byte()
            guard let kt = FieldType(rawValue: kv >> 4), let vt = FieldType(rawValue: kv & 0x0F) else {
                throw ParquetFormatError("unknown thrift map types")
            }
            for _ in 0..<n {
                if kt == .boolTrue || kt == .boolFalse { _ = try byte() } else { try skip(kt) }
                if vt == .boolTrue || vt == .boolFalse { _ = try byte() } else { try skip(vt) }
            }
        case .structure:
            try readStruct { _, _, _ in false }
        }
    }
}

extension String {
    /// The bytes as a string when they are valid UTF-8.
    init?(validatingUTF8Bytes b: UnsafeBufferPointer<UInt8>) {
        guard let p = b.baseAddress ?? (b.count == 0 ? UnsafePointer<UInt8>(bitPattern: 1) : nil) else { return nil }
        if b.count == 0 { self = ""; return }
        guard UTF8Check.isValid(p, b.count) else { return nil }
        self = String(decoding: b, as: UTF8.self)
    }
}

/// Writes Thrift's compact protocol (the writer's footer and page headers).
struct ThriftWriter {
    private(set) var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    private mutating func header(_ id: Int16, _ t: ThriftReader.FieldType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | t.rawValue)
        } else {
            bytes.append(t.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ v: Int32) { header(id, .i32); zigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64) { header(id, .i64); zigzag(v) }
    mutating func bool(_ id: Int16, _ v: Bool) { header(id, v ? .boolTrue : .boolFalse) }
    mutating func binary(_ id: Int16, _ v: [UInt8]) { header(id, .binary); varint(UInt64(v.count)); bytes += v }
    mutating func string(_ id: Int16, _ v: String) { binary(id, Array(v.utf8)) }

    /// A nested struct field; `body` writes its fields.
    mutating func structure(_ id: Int16, _ body: (inout ThriftWriter) -> Void) {
        header(id, .structure)
        structBody(body)
    }

    /// The fields of a struct followed by its stop byte (also used for the top-level struct).
    mutating func structBody(_ body: (inout ThriftWriter) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(0)
        lastField.removeLast()
    }

    private mutating func listHeader(_ id: Int16, _ t: ThriftReader.FieldType, _ n: Int) {
        header(id, .list)
        if n < 15 { bytes.append(UInt8(n) << 4 | t.rawValue) } else { bytes.append(0xF0 | t.rawValue); varint(UInt64(n)) }
    }

    mutating func structList<T>(_ id: Int16, _ items: [T], _ body: (inout ThriftWriter, T) -> Void) {
        listHeader(id, .structure, items.count)
        for item in items { structBody { body(&$0, item) } }
    }

    mutating func i32List(_ id: Int16, _ items: [Int32]) {
        listHeader(id, .i32, items.count)
        for v in items { zigzag(Int64(v)) }
    }

    mutating func stringList(_ id: Int16, _ items: [String]) {
        listHeader(id, .binary, items.count)
        for s in items { let b = Array(s.utf8); varint(UInt64(b.count)); bytes += b }
    }
}
