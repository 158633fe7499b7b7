import ChurnCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The durable half of the online state: an append-only event log plus
/// snapshots, in one directory the server owns.
///
///     snapshot.bin         the state after every event of logs < N, and N ("next generation")
///     events-<G>.log       batches appended since, one record per accepted request
///
/// A batch is written and fsynced before the request is acknowledged, so an
/// acknowledged event is in a log file or in the snapshot. A snapshot is taken
/// by starting log G+1, writing the snapshot with N = G+1 to a temporary file,
/// fsyncing and renaming it (atomic), then deleting logs < G+1. Recovery loads
/// the snapshot and replays every log ≥ N in order; a crash at any point of
/// that sequence leaves either the old snapshot with its logs or the new one,
/// never both counted, so no event is applied twice.
///
/// Record: magic · payload length (u32) · FNV-1a of the payload (u64) · payload.
/// "CLEV" (events): u32 count, then per event: user, type (u32 length + UTF-8),
/// time (i64 µs), amount (f64, NaN = none). "CLSB" (subscription terms, since
/// snapshot format 02; logs holding only "CLEV" records are the older format and
/// load unchanged): u32 count, then per term: user, start (i64), end (i64,
/// `Int64.max` open), plan (string), price (f64), price period (u8: 0 term,
/// 1 month), auto-renew (u8: 0 off, 1 on, 2 not given), discount (f64, NaN =
/// none). A record cut short by a crash (never acknowledged: it was not
/// fsynced) fails its length or hash and is cut off.
final class EventJournal {
    let dir: String
    private(set) var generation: UInt64
    private var fd: Int32 = -1
    private(set) var logBytes = 0
    static let recordMagic: UInt32 = 0x5645_4C43   // "CLEV" little-endian
    static let termsMagic: UInt32 = 0x4253_4C43    // "CLSB" little-endian

    /// One logged batch.
    enum Record { case events([OnlineEvent]), terms([OnlineTerm]) }

    var snapshotPath: String { dir + "/snapshot.bin" }
    func logPath(_ g: UInt64) -> String { dir + "/events-" + String(format: "%010llu", g) + ".log" }

    /// Opens `dir` (created if missing) and recovers the state: snapshot, then logs in order.
    /// Returns the journal (appending to a fresh generation) and the recovered state.
    static func open(dir: String, spec: FeatureSpec, note: (String) -> Void) throws -> (EventJournal, OnlineState, recovered: Int) {
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
            catch { throw StateFileError("cannot create state directory '\(dir)': \(error.localizedDescription)") }
        } else if !isDir.boolValue {
            throw StateFileError("state directory '\(dir)' is not a directory")
        }
        var state = try OnlineState(spec: spec)
        var next: UInt64 = 0
        if let bytes = try POSIXFile.readAll(dir + "/snapshot.bin") {
            (state, next) = try StateSnapshot.decode(bytes, spec: spec, source: dir + "/snapshot.bin")
        }
        let logs = try listLogs(dir)
        var replayed = 0
        for (g, path) in logs where g < next { unlink(path) }   // covered by the snapshot (crash before deleting them)
        for (g, path) in logs where g >= next {
            let (records, goodBytes, total) = try readLog(path)
            if goodBytes < total {
                note("state: \(path): cut off \(total - goodBytes) bytes of an incomplete record (never acknowledged)")
                guard truncate(path, off_t(goodBytes)) == 0 else { throw StateFileError("cannot truncate '\(path)': \(String(cString: strerror(errno)))") }
            }
            // Replayed without ageing: every event was accepted against a state at least this old.
            for rec in records {
                switch rec {
                case .events(let events): for e in events { state.add(e) }; replayed += events.count
                case .terms(let terms): for t in terms { state.add(t) }; replayed += terms.count
                }
            }
            _ = g
        }
        // Appends continue in the newest log (its torn tail, if any, was cut off above).
        let j = EventJournal(dir: dir, generation: max(next, logs.last?.0 ?? 0))
        try j.openLog()
        return (j, state, replayed)
    }

    private init(dir: String, generation: UInt64) { self.dir = dir; self.generation = generation }

    deinit { if fd >= 0 { close(fd) } }

    private func openLog() throws {
        let p = logPath(generation)
        fd = Glibc.open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateFileError("cannot open '\(p)': \(String(cString: strerror(errno)))") }
        logBytes = Int(lseek(fd, 0, SEEK_END))
        try POSIXFile.syncDirectory(dir)
    }

    static func listLogs(_ dir: String) throws -> [(UInt64, String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.compactMap { n -> (UInt64, String)? in
            guard n.hasPrefix("events-"), n.hasSuffix(".log"), let g = UInt64(n.dropFirst(7).dropLast(4)) else { return nil }
            return (g, dir + "/" + n)
        }.sorted { $0.0 < $1.0 }
    }

    /// Appends batches (one record each) with one write and one fsync; returns when they are durable.
    func append(_ batches: [[OnlineEvent]]) throws {
        guard !batches.isEmpty else { return }
        var r = ByteWriter()
        for events in batches {
            var p = ByteWriter()
            p.u32(UInt32(events.count))
            for e in events { p.str(e.user); p.str(e.type); p.i64(e.time); p.f64(e.amount) }
            EventJournal.frame(&r, magic: EventJournal.recordMagic, payload: p.bytes)
        }
        try writeDurably(r.bytes)
    }

    /// Appends a record header (magic, length, hash) and the payload to `r`.
    private static func frame(_ r: inout ByteWriter, magic: UInt32, payload: [UInt8]) {
        r.u32(magic); r.u32(UInt32(payload.count)); r.u64(fnv1a(payload[...]))
        r.bytes += payload
    }

    /// Writes records to the current log and fsyncs it.
    private func writeDurably(_ bytes: [UInt8]) throws {
        let path = logPath(generation)
        try POSIXFile.writeAll(fd, bytes, path: path)
        try POSIXFile.fsyncOrThrow(fd, path: path)
        logBytes += bytes.count
    }

    /// Appends one batch of subscription terms as one record; returns when it is durable.
    func append(terms: [OnlineTerm]) throws {
        var p = ByteWriter()
        p.u32(UInt32(terms.count))
        for t in terms {
            p.str(t.user); p.i64(t.start); p.i64(t.end); p.str(t.plan); p.f64(t.price)
            p.u8(t.pricePeriod == .month ? 1 : 0); p.u8(t.autoRenew.map { $0 ? 1 : 0 } ?? 2); p.f64(t.discount)
        }
        var r = ByteWriter()
        EventJournal.frame(&r, magic: EventJournal.termsMagic, payload: p.bytes)
        try writeDurably(r.bytes)
    }

    /// Reads a log's complete records; `goodBytes` is where the last complete one ends.
    static func readLog(_ path: String) throws -> (records: [Record], goodBytes: Int, total: Int) {
        let bytes = try POSIXFile.readAll(path) ?? []
        var records: [Record] = []
        var r = ByteReader(bytes)
        var good = 0
        while r.at < bytes.count {
            do {
                let magic = try r.u32()
                guard magic == recordMagic || magic == termsMagic else { break }
                let n = Int(try r.u32()), h = try r.u64()
                let payload = try r.take(n)
                guard fnv1a(payload) == h else { break }
                var q = ByteReader(Array(payload))
                let count = Int(try q.u32())
                if magic == termsMagic {
                    var batch: [OnlineTerm] = []
                    batch.reserveCapacity(min(count, 1 << 20))
                    for _ in 0..<count {
                        let user = try q.str(), start = try q.i64(), end = try q.i64(), plan = try q.str(), price = try q.f64()
                        let period = try q.u8(), ar = try q.u8(), discount = try q.f64()
                        guard period <= 1, ar <= 2 else { throw ByteReader.Short() }
                        batch.append(OnlineTerm(user: user, start: start, end: end, plan: plan, price: price,
                                                pricePeriod: period == 1 ? .month : .term, autoRenew: ar == 2 ? nil : ar == 1,
                                                discount: discount))
                    }
                    records.append(.terms(batch))
                } else {
                    var batch: [OnlineEvent] = []
                    batch.reserveCapacity(min(count, 1 << 20))
                    for _ in 0..<count {
                        batch.append(OnlineEvent(user: try q.str(), type: try q.str(), time: try q.i64(), amount: try q.f64()))
                    }
                    records.append(.events(batch))
                }
                good = r.at
            } catch { break }
        }
        return (records, good, bytes.count)
    }

    /// Writes a snapshot of `state` (which holds every event appended so far) and drops the logs it covers.
    func snapshot(_ state: OnlineState) throws {
        let covered = generation
        close(fd); fd = -1
        generation += 1
        try openLog()
        let bytes = StateSnapshot.encode(state, nextGeneration: generation)
        let tmp = snapshotPath + ".tmp"
        let tfd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard tfd >= 0 else { throw StateFileError("cannot write '\(tmp)': \(String(cString: strerror(errno)))") }
        do { try POSIXFile.writeAll(tfd, bytes, path: tmp); try POSIXFile.fsyncOrThrow(tfd, path: tmp) } catch { close(tfd); throw error }
        close(tfd)
        guard rename(tmp, snapshotPath) == 0 else { throw StateFileError("cannot rename '\(tmp)': \(String(cString: strerror(errno)))") }
        try POSIXFile.syncDirectory(dir)
        for (g, path) in try EventJournal.listLogs(dir) where g <= covered { unlink(path) }
    }
}

/// The snapshot file: "CLSNAP02", next log generation, the type table, then
/// every user's recent events and aged-out aggregates; then (since 02) the plan
/// table, whether terms gave auto-renew flags and discounts, and every user's
/// subscription terms; SHA-256 of all of it last. "CLSNAP01" files (no terms)
/// still load.
enum StateSnapshot {
    static let magic = Array("CLSNAP02".utf8)
    static let magicV1 = Array("CLSNAP01".utf8)

    static func encode(_ s: OnlineState, nextGeneration: UInt64) -> [UInt8] {
        var w = ByteWriter()
        w.bytes = magic
        w.u64(nextGeneration)
        w.u32(s.hasAmounts ? 1 : 0)
        w.u32(UInt32(s.typeNames.count)); for t in s.typeNames { w.str(t) }
        w.u64(UInt64(s.eventCount))
        w.u64(UInt64(s.users.count))
        for (id, u) in s.users.sorted(by: { $0.key < $1.key }) {
            w.str(id)
            w.i64(Int64(u.agedCount)); w.i64(u.agedFirst); w.i64(u.agedLast); w.i64(u.agedMaxGap)
            w.u32(UInt32(u.agedLastOfType.count))
            for (c, t) in u.agedLastOfType.sorted(by: { $0.key < $1.key }) { w.u32(UInt32(bitPattern: c)); w.i64(t) }
            w.u32(UInt32(u.times.count))
            for k in 0..<u.times.count { w.i64(u.times[k]); w.u32(UInt32(bitPattern: u.types[k])); w.f64(u.amounts[k]) }
        }
        w.u32(UInt32(s.planNames.count)); for p in s.planNames { w.str(p) }
        w.u8(s.hasAutoRenew ? 1 : 0); w.u8(s.hasDiscount ? 1 : 0)
        w.u64(UInt64(s.terms.count))
        for (id, t) in s.terms.sorted(by: { $0.key < $1.key }) {
            w.str(id)
            w.u32(UInt32(t.count))
            for k in 0..<t.count {
                w.i64(t.starts[k]); w.i64(t.ends[k]); w.u32(UInt32(bitPattern: t.plans[k])); w.f64(t.prices[k]); w.f64(t.mrr[k])
                w.u8(UInt8(bitPattern: t.autoRenew[k])); w.f64(t.discounts[k])
            }
        }
        w.bytes += SHA256.hash(w.bytes)
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], spec: FeatureSpec, source: String) throws -> (OnlineState, UInt64) {
        guard bytes.count >= magic.count + 32, Array(bytes[0..<magic.count]) == magic || Array(bytes[0..<magic.count]) == magicV1 else {
            throw StateFileError("'\(source)' is not a ChurnLab state snapshot")
        }
        guard SHA256.hash(Array(bytes[0..<(bytes.count - 32)])) == Array(bytes[(bytes.count - 32)...]) else {
            throw StateFileError("'\(source)' is corrupted (checksum mismatch)")
        }
        var r = ByteReader(Array(bytes[0..<(bytes.count - 32)]), at: magic.count)
        var s = try OnlineState(spec: spec)
        do {
            let next = try r.u64()
            s.hasAmounts = try r.u32() == 1
            let nt = Int(try r.u32())
            guard nt <= OnlineState.maxTypes else { throw ByteReader.Short() }
            for i in 0..<nt { let t = try r.str(); s.typeNames.append(t); s.typeCode[t] = Int32(i) }
            s.eventCount = Int(try r.u64())
            let nu = try r.u64()
            for _ in 0..<nu {
                let id = try r.str()
                var u = OnlineState.User()
                u.agedCount = Int(try r.i64()); u.agedFirst = try r.i64(); u.agedLast = try r.i64(); u.agedMaxGap = try r.i64()
                for _ in 0..<(try r.u32()) {
                    let c = Int32(bitPattern: try r.u32()), t = try r.i64()
                    guard c >= 0, Int(c) < nt else { throw ByteReader.Short() }
                    u.agedLastOfType[c] = t
                }
                let n = Int(try r.u32())
                guard n <= (r.bytes.count - r.at) / 20 else { throw ByteReader.Short() }
                u.times.reserveCapacity(n); u.types.reserveCapacity(n); u.amounts.reserveCapacity(n)
                for _ in 0..<n {
                    u.times.append(try r.i64())
                    let c = Int32(bitPattern: try r.u32())
                    guard c >= 0, Int(c) < nt else { throw ByteReader.Short() }
                    u.types.append(c); u.amounts.append(try r.f64())
                }
                s.users[id] = u
            }
            if Array(bytes[0..<magic.count]) == magic {
                let np = Int(try r.u32())
                guard np <= OnlineState.maxPlans else { throw ByteReader.Short() }
                for i in 0..<np { let p = try r.str(); s.planNames.append(p); s.planCode[p] = Int32(i) }
                s.hasAutoRenew = try r.u8() == 1; s.hasDiscount = try r.u8() == 1
                for _ in 0..<(try r.u64()) {
                    let id = try r.str()
                    let n = Int(try r.u32())
                    guard n <= (r.bytes.count - r.at) / 45 else { throw ByteReader.Short() }
                    var t = OnlineState.Terms()
                    for _ in 0..<n {
                        let start = try r.i64(), end = try r.i64(), plan = Int32(bitPattern: try r.u32())
                        guard plan >= 0, Int(plan) < np else { throw ByteReader.Short() }
                        let price = try r.f64(), mrr = try r.f64(), ar = Int8(bitPattern: try r.u8()), d = try r.f64()
                        guard (-1...1).contains(ar), t.starts.last.map({ $0 < start }) ?? true else { throw ByteReader.Short() }
                        t.starts.append(start); t.ends.append(end); t.plans.append(plan); t.prices.append(price)
                        t.mrr.append(mrr); t.autoRenew.append(ar); t.discounts.append(d)
                    }
                    s.terms[id] = t
                    s.termCount += n
                }
            }
            guard r.at == r.bytes.count else { throw ByteReader.Short() }
            return (s, next)
        } catch {
            throw StateFileError("'\(source)' is malformed (at byte \(r.at))")
        }
    }
}
