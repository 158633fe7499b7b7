import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The ChurnLab model file (`.clm`), format version 1.
///
/// All integers are little-endian. Byte layout:
///
///     offset      size  field
///     0           8     magic: 89 43 4C 4D 4F 44 0D 0A  ("\x89CLMOD\r\n"; the high byte and CR LF
///                       catch 7-bit and text-mode transfers, as PNG's signature does)
///     8           4     format version, UInt32 (this build writes 1 and reads ≤ 1)
///     12          4     header length H, UInt32
///     16          H     header: UTF-8 JSON object
///                         { "kind": "logistic",              model kind, picks the payload decoder
///                           "formatVersion": 1,
///                           "churnlabVersion": "0.1.0",      version that wrote the file
///                           "payloadEncoding": "json",
///                           "metadata": {
///                             "features": [ {"name": "tenure", "type": "numeric"},
///                                           {"name": "plan", "type": "categorical", "levels": ["annual", "monthly"]} ],
///                             "target": "churn", "positiveLabel": "yes", "negativeLabel": "no",
///                             "preprocessing": {"kind": "...", "data": "<base64>"},   optional pipeline payload
///                             "extra": {"key": "value"} } }
///     16+H        8     payload length P, UInt64
///     24+H        P     payload: the model's `Codable` value as JSON. JSON numbers
///                       written by Swift's encoder round-trip every finite Double
///                       bit-exactly (tested, incl. subnormals and −0.0); ±inf and NaN are
///                       the strings "inf", "-inf", "nan".
///     24+H+P      32    SHA-256 of bytes [0, 24+H+P)
///
/// Reading checks, in order: magic (else "not a ChurnLab model file"), format
/// version (a newer one is refused with an upgrade hint before anything else is
/// parsed), lengths against the file size (truncation), the checksum
/// (corruption), then the header JSON and its metadata. Decoding the payload
/// (`Contents.decode`) then validates the model's structure: the checksum
/// only catches accidents, anyone editing a file can recompute it. Writing is atomic: a temporary file in
/// the same directory, flushed, then renamed over the target.
public enum ModelFile {
    public static let magic: [UInt8] = [0x89, 0x43, 0x4C, 0x4D, 0x4F, 0x44, 0x0D, 0x0A]
    public static let formatVersion: UInt32 = 1
    public static let fileExtension = "clm"

    public struct Header: Codable, Sendable, Equatable {
        public var kind: String
        public var formatVersion: UInt32
        public var churnlabVersion: String
        public var payloadEncoding: String
        public var metadata: ModelMetadata
    }

    /// A file's parsed header and its still-encoded payload.
    public struct Contents: Sendable {
        public let header: Header
        public var metadata: ModelMetadata { header.metadata }
        public let payload: Data
        /// Where it came from, for messages.
        public let source: String

        /// Decodes the payload as `T`, checking the kind first, and validates
        /// its structure (the one place every model read from a file passes
        /// through before any prediction; see `StructurallyValidated`).
        public func decode<T: Decodable & StructurallyValidated>(_ type: T.Type, kind: String) throws -> T {
            guard header.kind == kind else { throw ModelFileError.wrongKind(source, expected: kind, found: header.kind) }
            let model: T
            do { model = try ModelFile.decoder().decode(T.self, from: payload) }
            catch { throw ModelFileError.badPayload(source, kind: kind, reason: ModelFile.describe(error)) }
            do { try model.validate() } catch let e as ModelStructureError { throw ModelFileError.invalidModel(source, e.description) }
            return model
        }
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        e.outputFormatting = [.sortedKeys]
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing field '\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx), DecodingError.dataCorrupted(let ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "at '\(path)': ") + ctx.debugDescription
        default: return "\(error)"
        }
    }

    // MARK: writing

    /// The complete file bytes.
    public static func encode(kind: String, payload: some Encodable, metadata: ModelMetadata) throws -> Data {
        let header = Header(kind: kind, formatVersion: formatVersion, churnlabVersion: ChurnCore.version,
                            payloadEncoding: "json", metadata: metadata)
        let enc = encoder()
        let headerData: Data, payloadData: Data
        do { headerData = try enc.encode(header) } catch { throw ModelFileError.encodeFailed(kind, "header: \(error)") }
        do { payloadData = try enc.encode(payload) } catch { throw ModelFileError.encodeFailed(kind, "\(error)") }
        guard headerData.count <= Int(UInt32.max) else { throw ModelFileError.encodeFailed(kind, "header too large") }
        return assemble(header: headerData, payload: payloadData)
    }

    /// File bytes around an already-encoded header and payload, with a valid
    /// checksum. (Tests and the fuzz target use it to build files whose
    /// content is hostile but whose hash is right, as an attacker would.)
    public static func assemble(header: Data, payload: Data, version: UInt32 = formatVersion) -> Data {
        var out = Data(magic)
        appendLE(&out, version)
        appendLE(&out, UInt32(truncatingIfNeeded: header.count))
        out.append(header)
        appendLE(&out, UInt64(payload.count))
        out.append(payload)
        out.append(contentsOf: SHA256.hash(out))
        return out
    }

    /// Writes a model file atomically (temporary file + rename).
    public static func write(kind: String, payload: some Encodable, metadata: ModelMetadata, to path: String) throws {
        let bytes = try encode(kind: kind, payload: payload, metadata: metadata)
        try writeAtomically(bytes, to: path)
    }

    static func writeAtomically(_ bytes: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ModelFileError.writeFailed(path, "directory '\(dir)' does not exist")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw ModelFileError.writeFailed(path, String(cString: strerror(errno))) }
        var ok = true
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { ok = false; break }
                off += n
            }
        }
        let reason = ok ? "" : String(cString: strerror(errno))
        if ok && fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            let why = reason.isEmpty ? String(cString: strerror(errno)) : reason
            unlink(tmp)
            throw ModelFileError.writeFailed(path, why)
        }
    }

    private static func appendLE<T: FixedWidthInteger>(_ d: inout Data, _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
    }

    // MARK: reading

    /// Reads and verifies a model file.
    public static func read(_ path: String) throws -> Contents {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelFileError.notFound(path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ModelFileError.readFailed(path, "\(error.localizedDescription)") }
        return try decode(data, source: path)
    }

    /// Verifies and parses file bytes; `source` names them in errors.
    public static func decode(_ data: Data, source: String) throws -> Contents {
        let bytes = [UInt8](data)
        func le<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            var v: T = 0
            for k in 0..<MemoryLayout<T>.size { v |= T(bytes[at + k]) << (8 * k) }
            return v
        }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else { throw ModelFileError.notModelFile(source) }
        guard bytes.count >= 16 else { throw ModelFileError.truncated(source, expected: 16, got: bytes.count) }
        let version = le(8, UInt32.self)
        guard version <= formatVersion else { throw ModelFileError.newerFormat(source, version: version, supported: formatVersion) }
        guard version >= 1 else { throw ModelFileError.corrupted(source, "format version 0 is invalid") }
        let h = Int(le(12, UInt32.self))
        guard bytes.count >= 24 + h else { throw ModelFileError.truncated(source, expected: 24 + h + 32, got: bytes.count) }
        let p64 = le(16 + h, UInt64.self)
        guard p64 <= UInt64(Int.max / 2) else { throw ModelFileError.corrupted(source, "payload length \(p64) is impossible") }
        let p = Int(p64)
        let total = 24 + h + p + 32
        guard bytes.count >= total else { throw ModelFileError.truncated(source, expected: total, got: bytes.count) }
        guard bytes.count == total else { throw ModelFileError.corrupted(source, "\(bytes.count - total) unexpected bytes after the checksum") }
        let digest = SHA256.hash(Array(bytes[0..<(24 + h + p)]))
        guard digest == Array(bytes[(24 + h + p)...]) else { throw ModelFileError.checksumMismatch(source) }
        let header: Header
        do { header = try decoder().decode(Header.self, from: Data(bytes[16..<(16 + h)])) }
        catch { throw ModelFileError.corrupted(source, "unreadable header (\(describe(error)))") }
        guard header.formatVersion == version else {
            throw ModelFileError.invalidModel(source, "header says format version \(header.formatVersion) but the file is version \(version)")
        }
        guard header.payloadEncoding == "json" else {
            throw ModelFileError.invalidModel(source, "unknown payload encoding '\(header.payloadEncoding)' (this ChurnLab reads 'json')")
        }
        do { try header.metadata.validate() } catch let e as ModelStructureError { throw ModelFileError.invalidModel(source, e.description) }
        return Contents(header: header, payload: Data(bytes[(24 + h)..<(24 + h + p)]), source: source)
    }
}

@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

public enum ModelFileError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case readFailed(String, String)
    case writeFailed(String, String)
    case notModelFile(String)
    case newerFormat(String, version: UInt32, supported: UInt32)
    case truncated(String, expected: Int, got: Int)
    case checksumMismatch(String)
    case corrupted(String, String)
    case wrongKind(String, expected: String, found: String)
    case badPayload(String, kind: String, reason: String)
    /// Decoded, but structurally unsound (an index out of range, a cycle, a non-finite value…).
    case invalidModel(String, String)
    case encodeFailed(String, String)
    case unknownKind(String, kind: String, known: [String])
    case missingFeatures([String])

    public var description: String {
        switch self {
        case .notFound(let p): return "model file '\(p)' does not exist"
        case .readFailed(let p, let why): return "cannot read model file '\(p)': \(why)"
        case .writeFailed(let p, let why): return "cannot write model file '\(p)': \(why)"
        case .notModelFile(let p): return "'\(p)' is not a ChurnLab model file (wrong magic bytes)"
        case .newerFormat(let p, let v, let s):
            return "model file '\(p)': model file format \(v) is newer than this ChurnLab (supports ≤ \(s)); upgrade ChurnLab to load it"
        case .truncated(let p, let e, let g):
            return "model file '\(p)' is truncated: \(g) bytes, expected \(e) (incomplete copy or download?)"
        case .checksumMismatch(let p):
            return "model file '\(p)' is corrupted: SHA-256 checksum mismatch"
        case .corrupted(let p, let why): return "model file '\(p)' is corrupted: \(why)"
        case .wrongKind(let p, let e, let f): return "model file '\(p)' holds a '\(f)' model, not '\(e)'"
        case .badPayload(let p, let k, let why): return "model file '\(p)': cannot decode the '\(k)' model: \(why)"
        case .invalidModel(let p, let why): return "model file '\(p)': \(why)"
        case .encodeFailed(let k, let why): return "cannot encode '\(k)' model: \(why)"
        case .unknownKind(let p, let k, let known):
            return "model file '\(p)' holds a '\(k)' model, which this ChurnLab cannot load (known: \(known.joined(separator: ", ")))"
        case .missingFeatures(let f):
            return "the frame lacks \(f.count) feature\(f.count == 1 ? "" : "s") the model was fitted on: " +
                f.map { "'\($0)'" }.joined(separator: ", ")
        }
    }
}
