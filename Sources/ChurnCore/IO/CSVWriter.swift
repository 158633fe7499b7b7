import ExecutionControl
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Options for `Frame.writeCSV`.
public struct CSVWriteOptions: Sendable {
    /// Field separator: one ASCII character.
    public var sep: String
    /// Write a header row of column names.
    public var header: Bool

    public init(sep: String = ",", header: Bool = true) {
        self.sep = sep; self.header = header
    }
}

extension Frame {
    /// Writes the frame as CSV so that `readCSV` gives it back: floats in their
    /// shortest round-trip form (`NaN`, `inf`, `-inf`; whole floats keep `.0`),
    /// nulls as empty fields, empty strings and strings equal to a default `na`
    /// token quoted, fields with separators, quotes or newlines quoted (RFC 4180),
    /// dates `YYYY-MM-DD`, timestamps `YYYY-MM-DDTHH:MM:SS[.ffffff]` (UTC), bools
    /// `true`/`false`. LF line ends. The text goes to a temporary file in the
    /// same directory that is renamed over `path` only when complete, so a
    /// failure never leaves a half-written file. A path ending in `.gz` is
    /// written gzip-compressed (see `Gzip`): each block of rows becomes one gzip
    /// member, compressed in parallel.
    public func writeCSV(path: String, options: CSVWriteOptions = CSVWriteOptions()) throws {
        let gzip = Gzip.hasGzipExtension(path)
        let sep = try CSVTextEncoder.separator(options.sep)
        let enc = CSVTextEncoder(frame: self, sep: sep)
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CSVError.io(file: path, reason: "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { close(fd); unlink(tmp) }
        }
        func put(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = write(fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw CSVError.io(file: path, reason: "write failed: \(String(cString: strerror(errno)))")
                    }
                    off += n
                }
            }
        }
        if options.header { try put(gzip ? try Gzip.member(enc.headerLine()) : enc.headerLine()) }
        // Rows in blocks of 16 Ki, a batch of blocks formatted in parallel, written in order.
        let block = 1 << 14
        let blocks = (nrow + block - 1) / block
        let batch = Swift.max(1, Parallel.threads * 2)
        var b = 0
        while b < blocks {
            let k = Swift.min(batch, blocks - b)
            let texts = Parallel.mapChunks(k, chunks: k) { r -> Result<[UInt8], Error> in
                let i = b + r.lowerBound
                let text = enc.rows((i * block)..<Swift.min(nrow, (i + 1) * block))
                return gzip ? Result { try Gzip.member(text) } : .success(text)
            }
            for t in texts { try put(t.get()) }
            try ExecutionContext.check()
            b += k
        }
        guard close(fd) == 0 else { ok = true; unlink(tmp); throw CSVError.io(file: path, reason: "close failed: \(String(cString: strerror(errno)))") }
        ok = true
        guard renameFile(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw CSVError.io(file: path, reason: "cannot replace: \(reason)")
        }
    }

    /// The CSV text `writeCSV` would write.
    public func csvText(options: CSVWriteOptions = CSVWriteOptions()) throws -> String {
        let enc = CSVTextEncoder(frame: self, sep: try CSVTextEncoder.separator(options.sep))
        var bytes = options.header ? enc.headerLine() : []
        bytes += enc.rows(0..<nrow)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Formats rows of a frame as CSV bytes. Text dictionaries are encoded (and
/// quoted where needed) once per distinct value.
struct CSVTextEncoder: @unchecked Sendable {
    let frame: Frame
    let sep: UInt8
    private let encodedText: [[[UInt8]]?]

    static func separator(_ s: String) throws -> UInt8 {
        let b = Array(s.utf8)
        guard b.count == 1, b[0] < 128, b[0] != 34, b[0] != 10, b[0] != 13 else {
            throw CSVError.option("sep must be one ASCII character other than a quote or newline, got '\(s)'")
        }
        return b[0]
    }

    init(frame: Frame, sep: UInt8) {
        self.frame = frame
        self.sep = sep
        encodedText = frame.columns.map { c in
            c.textStorage.map { $0.dictionary.map { CSVTextEncoder.quoted($0, sep: sep) } }
        }
    }

    private static let naTokens = Set(CSVReadOptions.defaultNA)

    /// The field text, quoted when it holds a separator, quote or line break, is empty,
    /// or equals a default null token.
    static func quoted(_ s: String, sep: UInt8) -> [UInt8] {
        let u = Array(s.utf8)
        let needs = u.isEmpty || naTokens.contains(s) || u.contains { $0 == sep || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needs else { return u }
        var out: [UInt8] = [34]
        for b in u { out.append(b); if b == 34 { out.append(34) } }
        out.append(34)
        return out
    }

    func headerLine() -> [UInt8] {
        var out: [UInt8] = []
        for (j, c) in frame.columns.enumerated() {
            if j > 0 { out.append(sep) }
            // A header name that is empty would read back as column_N; quote it like data.
            out += CSVTextEncoder.quoted(c.name, sep: sep)
        }
        out.append(10)
        return out
    }

    /// Rows `r` as CSV bytes. Each column is formatted on its own in a typed
    /// loop (cell bytes plus end offsets), then the cells are interleaved row by row.
    func rows(_ r: Range<Int>) -> [UInt8] {
        let cells = frame.columns.indices.map { formatColumn($0, r) }
        // All cell bytes in one buffer; column j starts at starts[j].
        var all: [UInt8] = []
        var starts: [Int] = []
        all.reserveCapacity(cells.reduce(0) { $0 + $1.bytes.count })
        for c in cells { starts.append(all.count); all += c.bytes }
        var out: [UInt8] = []
        out.reserveCapacity(all.count + r.count * frame.ncol)
        all.withUnsafeBufferPointer { a in
            let base = a.baseAddress ?? UnsafePointer(bitPattern: 1)!
            for k in 0..<r.count {
                for j in cells.indices {
                    if j > 0 { out.append(sep) }
                    let s = k == 0 ? 0 : Int(cells[j].ends[k - 1]), e = Int(cells[j].ends[k])
                    if e > s { out.append(contentsOf: UnsafeBufferPointer(start: base + starts[j] + s, count: e - s)) }
                }
                out.append(10)
            }
        }
        return out
    }

    private func formatColumn(_ j: Int, _ r: Range<Int>) -> (bytes: [UInt8], ends: [Int32]) {
        let c = frame.columns[j]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(r.count * 8)
        var ends: [Int32] = []
        ends.reserveCapacity(r.count)
        switch c.data {
        case .float64(let v):
            Self.format(v, r, c, &bytes, &ends) { x, out in CSVTextEncoder.appendFloat(&out, x) }
        case .int64(let v):
            Self.format(v, r, c, &bytes, &ends) { x, out in CSVTextEncoder.appendInt(&out, x) }
        case .bool(let v):
            Self.format(v, r, c, &bytes, &ends) { x, out in out.append(contentsOf: x ? CSVTextEncoder.trueBytes : CSVTextEncoder.falseBytes) }
        case .string(let k, _), .category(let k, _):
            let enc = encodedText[j]!
            Self.format(k, r, c, &bytes, &ends) { code, out in out.append(contentsOf: enc[Int(code)]) }
        case .date(let v):
            Self.format(v, r, c, &bytes, &ends) { x, out in CSVTextEncoder.appendDate(&out, Int(x)) }
        case .timestamp(let v):
            Self.format(v, r, c, &bytes, &ends) { x, out in CSVTextEncoder.appendTimestamp(&out, x) }
        }
        return (bytes, ends)
    }

    /// Formats the non-null values of rows `r`, recording where each cell ends (nulls are empty).
    @inline(__always) private static func format<T>(_ values: [T], _ r: Range<Int>, _ c: Column, _ bytes: inout [UInt8],
                                                    _ ends: inout [Int32], _ body: (T, inout [UInt8]) -> Void) {
        values.withUnsafeBufferPointer { v in
            for i in r {
                if !c.isNull(i) { body(v[i], &bytes) }
                ends.append(Int32(truncatingIfNeeded: bytes.count))
            }
        }
    }

    static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)

    @inline(__always) static func appendFloat(_ out: inout [UInt8], _ x: Double) {
        if x.isFinite {
            var s = x.description     // shortest round-trip digits; short strings need no allocation
            s.withUTF8 { out.append(contentsOf: $0) }
        } else {
            var s = CellText.float(x)
            s.withUTF8 { out.append(contentsOf: $0) }
        }
    }

    @inline(__always) static func appendDigits(_ out: inout [UInt8], _ v: Int, _ width: Int) {
        var div = 1
        for _ in 1..<width { div *= 10 }
        while div > 0 { out.append(UInt8(48 + v / div % 10)); div /= 10 }
    }

    /// `YYYY-MM-DD` (years outside 0…9999 fall back to the general formatter).
    static func appendDate(_ out: inout [UInt8], _ days: Int) {
        let (y, m, d) = CivilDate.civil(days)
        guard y >= 0, y <= 9999 else { out.append(contentsOf: Array(CellText.date(Int32(clamping: days)).utf8)); return }
        appendDigits(&out, y, 4); out.append(45)
        appendDigits(&out, m, 2); out.append(45)
        appendDigits(&out, d, 2)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]` with trailing zeros of the fraction trimmed (as `CellText.timestamp`).
    static func appendTimestamp(_ out: inout [UInt8], _ us: Int64) {
        let (dayCount, rem) = CellText.floorDiv(us, CivilDate.microsPerDay)
        appendDate(&out, Int(dayCount))
        let secs = Int(rem / 1_000_000)
        var frac = Int(rem % 1_000_000)
        out.append(84)
        appendDigits(&out, secs / 3600, 2); out.append(58)
        appendDigits(&out, secs / 60 % 60, 2); out.append(58)
        appendDigits(&out, secs % 60, 2)
        if frac != 0 {
            out.append(46)
            var width = 6
            while frac % 10 == 0 { frac /= 10; width -= 1 }
            appendDigits(&out, frac, width)
        }
    }

    @inline(__always) static func appendInt(_ out: inout [UInt8], _ v: Int64) {
        if v == 0 { out.append(48); return }
        var m = v.magnitude
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { t in
            while m > 0 { t[19 - n] = UInt8(48 + m % 10); m /= 10; n += 1 }
            if v < 0 { out.append(45) }
            out.append(contentsOf: t[(20 - n)...])
        }
    }
}

/// libc's rename(2), named apart from `Frame.rename` (columns) which shadows it in Frame extensions.
@inline(__always) func renameFile(_ from: String, _ to: String) -> Int32 {
    #if canImport(Glibc)
    return Glibc.rename(from, to)
    #else
    return Darwin.rename(from, to)
    #endif
}
