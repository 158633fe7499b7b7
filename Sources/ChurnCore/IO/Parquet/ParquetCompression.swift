import CSnappy
import CZlib
import CZstd

/// Page compression codecs, through Debian's libsnappy, zlib and libzstd.
/// Decompression is told the page's declared size and insists on producing
/// exactly that many bytes, so a lying header is an error, not an overrun.
enum ParquetCompression {
    static func decompress(_ codec: Int32, _ src: UnsafePointer<UInt8>, _ n: Int, into dst: UnsafeMutablePointer<UInt8>,
                           size: Int) throws {
        switch ParquetCodec(rawValue: codec) {
        case .uncompressed:
            guard n == size else { throw ParquetFormatError("uncompressed page of \(n) bytes declares \(size)") }
            dst.update(from: src, count: n)
        case .snappy:
            var len = 0
            let raw = UnsafeRawPointer(src).assumingMemoryBound(to: CChar.self)
            guard snappy_uncompressed_length(raw, n, &len) == SNAPPY_OK, len == size else {
                throw ParquetFormatError("corrupt snappy page (declared \(size) bytes)")
            }
            var out = size
            guard snappy_uncompress(raw, n, UnsafeMutableRawPointer(dst).assumingMemoryBound(to: CChar.self), &out) == SNAPPY_OK,
                  out == size else { throw ParquetFormatError("corrupt snappy page") }
        case .zstd:
            let r = ZSTD_decompress(dst, size, src, n)
            guard ZSTD_isError(r) == 0, r == size else { throw ParquetFormatError("corrupt zstd page (declared \(size) bytes)") }
        case .gzip:
            var s = z_stream()
            guard czlib_inflate_init_gzip(&s) == Z_OK else { throw ParquetFormatError("cannot start zlib") }
            defer { inflateEnd(&s) }
            s.next_in = UnsafeMutablePointer(mutating: src)
            s.avail_in = uInt(n)
            s.next_out = dst
            s.avail_out = uInt(size)
            let rc = inflate(&s, Z_FINISH)
            guard rc == Z_STREAM_END, Int(s.total_out) == size else { throw ParquetFormatError("corrupt gzip page (declared \(size) bytes)") }
        default:
            let name = ParquetCodec(rawValue: codec).map { "\($0)" } ?? "codec \(codec)"
            throw ParquetFormatError("compression \(name) is not supported (snappy, gzip, zstd or none are)")
        }
    }

    static func compress(_ codec: ParquetCodec, _ data: [UInt8]) throws -> [UInt8] {
        switch codec {
        case .uncompressed:
            return data
        case .snappy:
            var len = snappy_max_compressed_length(data.count)
            var out = [UInt8](repeating: 0, count: len)
            let rc = data.withUnsafeBytes { s in
                out.withUnsafeMutableBytes { d in
                    snappy_compress(s.baseAddress?.assumingMemoryBound(to: CChar.self), data.count,
                                    d.baseAddress!.assumingMemoryBound(to: CChar.self), &len)
                }
            }
            guard rc == SNAPPY_OK else { throw ParquetFormatError("snappy compression failed") }
            out.removeLast(out.count - len)
            return out
        case .zstd:
            let bound = ZSTD_compressBound(data.count)
            var out = [UInt8](repeating: 0, count: bound)
            let r = data.withUnsafeBytes { s in out.withUnsafeMutableBytes { d in ZSTD_compress(d.baseAddress, bound, s.baseAddress, data.count, 1) } }
            guard ZSTD_isError(r) == 0 else { throw ParquetFormatError("zstd compression failed") }
            out.removeLast(out.count - r)
            return out
        case .gzip:
            return try Gzip.member(data)
        default:
            throw ParquetFormatError("cannot write compression \(codec)")
        }
    }
}
