import ExecutionControl
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The bytes of a file, memory-mapped read-only, or an owned copy of an in-memory
/// buffer. gzip data (recognised by its magic bytes, whatever the file is called)
/// is inflated into an owned buffer, charged to the memory budget while it lives.
final class ByteSource: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    let count: Int
    private let mappedLength: Int
    private let owned: UnsafeMutablePointer<UInt8>?
    private let charge: WorkingMemory?

    /// `path`'s bytes, inflated when they are gzip.
    static func decoding(path: String) throws -> ByteSource {
        let raw = try ByteSource(path: path)
        return try raw.inflatedIfGzip(name: path)
    }

    /// `bytes`, inflated when they are gzip.
    static func decoding(bytes: [UInt8], name: String) throws -> ByteSource {
        let raw = ByteSource(bytes: bytes)
        return try raw.inflatedIfGzip(name: name)
    }

    func inflatedIfGzip(name: String) throws -> ByteSource {
        guard Gzip.isGzip(base, count) else { return self }
        let working = WorkingMemory()
        let (p, n) = try Gzip.inflate(self, name: name, working: working)
        return ByteSource(owning: p, count: n, charge: working)
    }

    private init(owning p: UnsafeMutablePointer<UInt8>, count n: Int, charge: WorkingMemory) {
        owned = p; base = UnsafePointer(p); count = n; mappedLength = 0; self.charge = charge
    }

    init(path: String) throws {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; only regular files are read.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        charge = nil
        guard fd >= 0 else { throw CSVError.io(file: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CSVError.io(file: path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw CSVError.io(file: path, reason: "is a directory") }
        if (st.st_mode & S_IFMT) != S_IFREG { throw CSVError.io(file: path, reason: "not a regular file") }
        let size = Int(st.st_size)
        if size == 0 {
            owned = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
            base = UnsafePointer(owned!); count = 0; mappedLength = 0
            return
        }
        guard let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw CSVError.io(file: path, reason: "cannot map: \(String(cString: strerror(errno)))")
        }
        _ = madvise(m, size, MADV_SEQUENTIAL)
        base = UnsafePointer(m.assumingMemoryBound(to: UInt8.self))
        count = size
        mappedLength = size
        owned = nil
    }

    init(bytes: [UInt8]) {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, bytes.count))
        bytes.withUnsafeBufferPointer { b in if let a = b.baseAddress { p.initialize(from: a, count: b.count) } }
        owned = p; base = UnsafePointer(p); count = bytes.count; mappedLength = 0; charge = nil
    }

    /// Tells the kernel the pages of [from, to) are no longer needed (they are
    /// file-backed, so they can be read again); keeps peak memory near the size
    /// of the parsed columns.
    func release(from: Int, to: Int) {
        guard mappedLength > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let a = (from + page - 1) / page * page, b = to / page * page
        if b > a { _ = madvise(UnsafeMutableRawPointer(mutating: base + a), b - a, MADV_DONTNEED) }
    }

    deinit {
        if mappedLength > 0 { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
        owned?.deallocate()
        charge?.release()
    }
}
