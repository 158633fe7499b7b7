import ChurnCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Little-endian byte building and reading for the state files.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func str(_ s: String) { let u = Array(s.utf8); u32(UInt32(u.count)); bytes.append(contentsOf: u) }
}

struct ByteReader {
    let bytes: [UInt8]
    var at: Int
    init(_ bytes: [UInt8], at: Int = 0) { self.bytes = bytes; self.at = at }
    struct Short: Error {}
    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, at + n <= bytes.count else { throw Short() }
        defer { at += n }
        return bytes[at..<(at + n)]
    }
    mutating func u64() throws -> UInt64 {
        let s = try take(8); var v: UInt64 = 0
        for (k, b) in s.enumerated() { v |= UInt64(b) << (8 * k) }
        return v
    }
    mutating func u32() throws -> UInt32 { UInt32(truncatingIfNeeded: try u64n(4)) }
    mutating func u8() throws -> UInt8 { try take(1).first! }
    mutating func u16() throws -> UInt16 { UInt16(truncatingIfNeeded: try u64n(2)) }
    private mutating func u64n(_ n: Int) throws -> UInt64 {
        let s = try take(n); var v: UInt64 = 0
        for (k, b) in s.enumerated() { v |= UInt64(b) << (8 * k) }
        return v
    }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    mutating func str(max: Int = 1 << 20) throws -> String {
        let n = Int(try u32())
        guard n <= max else { throw Short() }
        guard let s = String(validating: try take(n), as: UTF8.self) else { throw Short() }
        return s
    }
}

/// FNV-1a, 64 bit: detects torn or partial log records (not an integrity
/// check against tampering; the state directory is the server's own).
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return h
}

/// Errors of the state directory.
public struct StateFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// POSIX file helpers with the error text in messages.
enum POSIXFile {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw StateFileError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
                off += n
            }
        }
    }

    static func fsyncOrThrow(_ fd: Int32, path: String) throws {
        guard fsync(fd) == 0 else { throw StateFileError("cannot fsync '\(path)': \(String(cString: strerror(errno)))") }
    }

    /// fsync of a directory, so a created or renamed entry survives a crash.
    static func syncDirectory(_ dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw StateFileError("cannot open directory '\(dir)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try fsyncOrThrow(fd, path: dir)
    }

    static func readAll(_ path: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let d = FileManager.default.contents(atPath: path) else { throw StateFileError("cannot read '\(path)'") }
        return [UInt8](d)
    }
}
