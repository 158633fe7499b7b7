#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ExecutionControl

/// Lone carriage returns as line ends (files from classic Mac OS and some exporters).
///
/// pandas reads LF, CRLF and a lone CR as line terminators. The parallel parser cuts
/// chunks and counts lines at LF only (a CR before an LF is dropped from the field), so
/// a file holding a lone CR outside quotes is first copied with an LF in place of each
/// such CR. A CR inside a quoted field is data and is kept, as in pandas. Files without
/// a lone CR — nearly all — are only scanned (memchr), never copied.
enum CSVLineEndings {
    /// `src` itself, or a copy whose lone CRs outside quotes are LFs.
    static func normalizingLoneCR(_ src: ByteSource, from start: Int) throws -> ByteSource {
        guard hasLoneCR(src, from: start) else { return src }
        let base = src.base, end = src.count
        try ExecutionContext.checkMemory(end, for: "a copy of a CSV file with CR line ends")
        var out = [UInt8]()
        out.reserveCapacity(end)
        var inQuote = false
        var replaced = false
        for i in 0..<end {
            let b = base[i]
            if i >= start, b == 34 { inQuote.toggle() }
            if i >= start, b == 13, !inQuote, i + 1 == end || base[i + 1] != 10 {
                out.append(10)
                replaced = true
            } else {
                out.append(b)
            }
        }
        return replaced ? ByteSource(bytes: out) : src
    }

    /// True when some CR is not followed by an LF (inside quotes or not: the exact,
    /// quote-aware decision is made while copying). Scans in windows and releases
    /// what it scanned, so a large mapped file does not stay resident.
    static func hasLoneCR(_ src: ByteSource, from start: Int) -> Bool {
        let base = src.base, end = src.count
        let window = 4 << 20
        var lo = start
        while lo < end {
            let hi = min(end, lo + window)
            if hasLoneCR(base, lo, hi, textEnd: end) { return true }
            src.release(from: lo, to: hi)
            lo = hi
        }
        return false
    }

    /// True when a CR in [from, to) is not followed by an LF (the text held ends at
    /// `textEnd`: a CR there is lone). Also what the gzip reader checks each window with.
    static func hasLoneCR(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int, textEnd: Int) -> Bool {
        var p = UnsafeRawPointer(base + from)
        let stop = UnsafeRawPointer(base + to)
        while p < stop, let q = memchr(p, 13, stop - p) {
            let i = UnsafeRawPointer(q) - UnsafeRawPointer(base)
            if i + 1 == textEnd || base[i + 1] != 10 { return true }
            p = UnsafeRawPointer(q) + 1
        }
        return false
    }
}
