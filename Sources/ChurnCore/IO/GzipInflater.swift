import CZlib
import ExecutionControl

/// Incremental inflation of a gzip stream (one or more members) held in a
/// `ByteSource`, with optional checkpoints to resume inflating from the middle.
///
/// `read` hands out the decompressed bytes in the order they come, as many as
/// the caller has room for, so a reader can hold a window of the text instead
/// of all of it. Concatenated members (`cat a.gz b.gz`, pigz, our own writer)
/// read as one stream; zero padding between or after members is skipped, as
/// gzip does. The compressed pages already consumed are handed back to the
/// kernel (they are file-backed), so they do not add to peak memory.
///
/// Checkpoints (zran.c's idea, kept simple): every `checkpointInterval` bytes
/// of output the whole inflate state is copied (`inflateCopy`: about 7 KB of
/// state plus the 32 KiB history window), with the input and output positions.
/// `GzipInflater(resumingFrom:)` continues from a copy, so a reader that must
/// see an earlier stretch of the text again (a CSV column that turned out to be
/// text after numbers were inferred) inflates from the nearest checkpoint
/// instead of from the start of the file.
final class GzipInflater: @unchecked Sendable {
    /// An inflate state at a known output position. Shared read-only: several
    /// inflaters may resume from it at once (`inflateCopy` only reads its source).
    final class Checkpoint: @unchecked Sendable {
        let stream: UnsafeMutablePointer<z_stream>
        /// Compressed bytes consumed and decompressed bytes produced at this point.
        let consumed: Int
        let produced: Int

        fileprivate init(copying s: UnsafeMutablePointer<z_stream>, consumed: Int, produced: Int) throws {
            stream = .allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard inflateCopy(stream, s) == Z_OK else {
                stream.deallocate()
                throw CSVError.io(file: "<gzip>", reason: "gzip: out of memory while saving a checkpoint")
            }
            self.consumed = consumed; self.produced = produced
        }

        deinit { inflateEnd(stream); stream.deallocate() }
    }

    /// Bytes charged per checkpoint (the state and its 32 KiB window, rounded up).
    static let checkpointBytes = 48 << 10

    let source: ByteSource
    let name: String
    /// Decompressed bytes handed out so far (the output position).
    private(set) var produced = 0
    /// True once the last member has ended and only padding (if anything) follows.
    private(set) var atEnd = false
    /// Checkpoints taken so far, in output order (empty unless `checkpointInterval` is set).
    private(set) var checkpoints: [Checkpoint] = []
    private var checkpointInterval: Int?
    private let working: WorkingMemory?
    /// z_stream keeps a pointer to itself (zlib checks it), so it lives at a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private var consumed = 0
    private var released = 0
    private var sinceCheck = 0

    /// Starts at the beginning of `source`. With `checkpointInterval`, a checkpoint is
    /// taken at the start and then every that many output bytes, charged to `working`.
    init(source: ByteSource, name: String, checkpointInterval: Int? = nil, working: WorkingMemory? = nil) throws {
        self.source = source; self.name = name
        self.checkpointInterval = checkpointInterval.map { max(1, $0) }
        self.working = working
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init_gzip(stream) == Z_OK else {
            stream.deallocate()
            throw CSVError.io(file: name, reason: "gzip: cannot start zlib")
        }
    }

    /// Continues from `checkpoint` (taken by an inflater over the same `source`); takes no checkpoints.
    init(resumingFrom checkpoint: Checkpoint, source: ByteSource, name: String) throws {
        self.source = source; self.name = name
        checkpointInterval = nil; working = nil
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateCopy(stream, checkpoint.stream) == Z_OK else {
            stream.deallocate()
            throw CSVError.io(file: name, reason: "gzip: out of memory while decompressing")
        }
        consumed = checkpoint.consumed; produced = checkpoint.produced
        released = consumed
    }

    deinit { inflateEnd(stream); stream.deallocate() }

    /// Stops taking checkpoints and frees those taken (the reader needs no second look).
    func dropCheckpoints() {
        checkpointInterval = nil
        checkpoints = []
    }

    /// The last checkpoint at or before output position `offset`.
    func checkpoint(before offset: Int) -> Checkpoint? {
        var lo = 0, hi = checkpoints.count   // first index with produced > offset
        while lo < hi {
            let m = (lo + hi) / 2
            if checkpoints[m].produced <= offset { lo = m + 1 } else { hi = m }
        }
        return lo > 0 ? checkpoints[lo - 1] : nil
    }

    /// Fills `out[0..<capacity]` as far as the stream goes; returns the bytes written
    /// (less than `capacity` only at the end of the stream). Throws a `CSVError.io`
    /// naming the file for truncated or corrupt data, and checks cancellation every few MB.
    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        var filled = 0
        let count = source.count
        let base = source.base
        while filled < capacity, !atEnd {
            var step = min(capacity - filled, Int(UInt32.max >> 1))
            if let every = checkpointInterval {
                let last = checkpoints.last?.produced
                if last == nil || produced - last! >= every {
                    try working?.reserve(GzipInflater.checkpointBytes, for: "decompressing \(name)")
                    checkpoints.append(try Checkpoint(copying: stream, consumed: consumed, produced: produced))
                }
                // Stop at the next checkpoint position, so they fall every `every` bytes.
                step = min(step, (checkpoints.last!.produced + every) - produced)
            }
            let inChunk = min(count - consumed, Int(UInt32.max >> 1))
            stream.pointee.next_in = UnsafeMutablePointer(mutating: base + consumed)
            stream.pointee.avail_in = uInt(inChunk)
            stream.pointee.next_out = out + filled
            stream.pointee.avail_out = uInt(step)
            let rc = CZlib.inflate(stream, Z_NO_FLUSH)
            consumed += inChunk - Int(stream.pointee.avail_in)
            let made = step - Int(stream.pointee.avail_out)
            filled += made
            produced += made
            sinceCheck += made
            if sinceCheck >= 8 << 20 {
                sinceCheck = 0
                try ExecutionContext.check()
                source.release(from: released, to: consumed)
                released = consumed
            }
            switch rc {
            case Z_STREAM_END:
                // Another member may follow (skip trailing zero padding, as gzip does).
                var next = consumed
                while next < count, base[next] == 0 { next += 1 }
                if next >= count { atEnd = true; source.release(from: released, to: count); break }
                guard Gzip.isGzip(base + next, count - next) else {
                    throw CSVError.io(file: name, reason: "gzip: unexpected bytes after the compressed data at offset \(next)")
                }
                consumed = next
                guard inflateReset(stream) == Z_OK else { throw CSVError.io(file: name, reason: "gzip: cannot restart zlib") }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if stream.pointee.avail_out == 0 { continue }   // this step's room is used up
                throw CSVError.io(file: name, reason: "gzip: truncated file (ends after \(count) compressed bytes, \(produced) decompressed)")
            case Z_MEM_ERROR:
                throw CSVError.io(file: name, reason: "gzip: out of memory while decompressing")
            default:
                let msg = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw CSVError.io(file: name, reason: "gzip: corrupt data at compressed offset \(consumed): \(msg)")
            }
        }
        return filled
    }

    /// Inflates and drops `n` bytes (to reach a position after resuming from a checkpoint).
    func skip(_ n: Int) throws {
        guard n > 0 else { return }
        let scratchSize = 1 << 16
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        var left = n
        while left > 0 {
            let got = try read(into: scratch, capacity: min(left, scratchSize))
            if got == 0 { break }
            left -= got
        }
    }
}
