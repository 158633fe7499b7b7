import CZlib
import ExecutionControl
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// gzip (RFC 1952) through Debian's zlib, for `.csv.gz` files.
///
/// Reading: a file is recognised by its magic bytes (1F 8B), whatever its
/// name. The CSV reader streams it window by window (`GzipInflater`,
/// `CSVGzipStream`); `inflate` below makes one buffer of the whole text, for
/// the rare file the streaming reader hands back (lone CR line ends).
/// Concatenated members (what `pigz`, `cat a.gz b.gz` and our own writer
/// produce) are read as one stream. Buffers are charged to the memory budget
/// as they grow, and cancellation is checked every few megabytes, so a
/// decompression bomb meets the script's memory limit instead of the machine's.
///
/// Writing: the writer compresses each block of formatted rows as its own gzip
/// member, in parallel; the concatenation is a valid gzip file (RFC 1952 §2.2)
/// that gunzip, Python's gzip, pandas and polars read whole.
public enum Gzip {
    /// True when the bytes start with the gzip magic number.
    public static func isGzip(_ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        count >= 2 && base[0] == 0x1F && base[1] == 0x8B
    }

    /// Inflates a whole gzip stream (one or more members) into a new buffer
    /// that the caller owns (`deallocate` it); its size is charged to `working`,
    /// which the caller releases with the buffer. `name` is the file in errors.
    static func inflate(_ source: ByteSource, name: String, working: WorkingMemory) throws
        -> (pointer: UnsafeMutablePointer<UInt8>, count: Int)
    {
        var capacity = max(1 << 16, min(source.count * 4, 1 << 30))
        try working.reserve(capacity, for: "decompressing \(name)")
        var out = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        var ok = false
        defer { if !ok { out.deallocate() } }
        let inflater = try GzipInflater(source: source, name: name)
        var produced = 0
        while true {
            produced += try inflater.read(into: out + produced, capacity: capacity - produced)
            if inflater.atEnd { ok = true; return (out, produced) }
            // Output full: grow and go on.
            let grown = capacity * 2
            try working.reserve(grown - capacity, for: "decompressing \(name)")
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.initialize(from: out, count: produced)
            out.deallocate()
            out = bigger
            capacity = grown
        }
    }

    /// One complete gzip member holding `bytes` (level 1–9; 6 is zlib's default).
    static func member(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { throw CSVError.io(file: "<gzip>", reason: "cannot start zlib") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 32
        var out = [UInt8](repeating: 0, count: bound)
        let rc: Int32 = bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress ?? UnsafePointer(dst.baseAddress!))
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw CSVError.io(file: "<gzip>", reason: "deflate failed (\(rc))") }
        out.removeLast(bound - Int(stream.total_out))
        return out
    }

    /// True when a path names a gzip file by its extension.
    public static func hasGzipExtension(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".gz")
    }
}
