import CSQLite
import ChurnLua
import Foundation
import LuaRuntime
import XCTest

/// One test per escape class of issue 11 (see README.md), run in-process
/// against a sandboxed state with `cl` loaded. Every test puts a secret file
/// beside the root and asserts the script can neither read it, learn whether
/// it exists, nor create files outside the root.
final class SandboxEscapeTests: XCTestCase {
    var base: String!      // holds root/ and outside/
    var root: String!
    var outside: String!

    override func setUpWithError() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("clsec-\(UUID().uuidString)").path
        root = base + "/root"
        outside = base + "/outside"
        for d in [root!, outside!, root + "/sub"] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try "top secret".write(toFile: outside + "/secret.txt", atomically: false, encoding: .utf8)
        try "inside".write(toFile: root + "/data.txt", atomically: false, encoding: .utf8)
        try "a,b\n1,2\n3,4\n".write(toFile: root + "/d.csv", atomically: false, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: base) }

    func state() throws -> LuaState { try ChurnLab.newState(LuaOptions(sandbox: SandboxPolicy(roots: [root]))) }

    /// Runs `code` with `R` = root and `O` = outside directory as globals.
    @discardableResult
    func run(_ s: LuaState, _ code: String) throws -> [LuaValue] {
        try s.run("local R, O = '\(root!)', '\(outside!)'\n" + code)
    }

    func outsideFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: outside).sorted() }

    func link(_ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + name, withDestinationPath: target)
    }

    // MARK: 1. enforcement through replaceable globals

    func testReplacingGlobalsDoesNotReachTheChecks() throws {
        let s = try state()
        // The attack of the report, then every other global the old prelude used.
        let r = try run(s, """
            pcall = function() return true, O .. '/secret.txt' end
            type = function() return 'number' end
            error = function() end
            string = nil; select = nil; setmetatable = nil
            local f, err = io.open(O .. '/secret.txt')
            local l, lerr = loadfile(O .. '/secret.txt')
            local ok = xpcall(dofile, function() end, O .. '/secret.txt')
            local w = io.open(O .. '/new.txt', 'w')
            return f == nil, err, l == nil, ok, w == nil
            """)
        XCTAssertEqual(r[0], .bool(true))
        XCTAssertTrue("\(r[1])".contains("not allowed"), "\(r)")
        XCTAssertEqual(r[2], .bool(true))
        XCTAssertEqual(r[3], .bool(false))
        XCTAssertEqual(r[4], .bool(true))
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
    }

    func testReplacingLibraryTablesDoesNotReachTheChecks() throws {
        let s = try state()
        // Replace what a Lua-level wrapper would have looked up at call time.
        let r = try run(s, """
            local open, lines, input = io.open, io.lines, io.input
            package.searchpath = function() return O .. '/secret.txt' end
            package.path = O .. '/?.txt'
            getmetatable(io.stdout).__index.lines = function() return function() return 'hijacked' end end
            local a = open(O .. '/secret.txt')
            local b = pcall(lines, O .. '/secret.txt')
            local c = pcall(input, O .. '/secret.txt')
            local d = pcall(require, 'secret')
            return a == nil, b, c, d
            """)
        XCTAssertEqual(r, [.bool(true), .bool(false), .bool(false), .bool(false)])
    }

    // MARK: 2. SQLite reaching other files

    func testSQLiteCannotReachOtherFiles() throws {
        let s = try state()
        try run(s, "cl.read_csv(R .. '/d.csv'):write_sqlite(R .. '/db.sqlite', 't')")
        for sql in ["VACUUM INTO '\(outside!)/v.db'", "VACUUM", "ATTACH '\(outside!)/a.db' AS x",
                    "SELECT load_extension('/tmp/x')", "PRAGMA journal_mode = WAL", "PRAGMA writable_schema = 1",
                    "INSERT INTO t VALUES (5, 6)", "CREATE TABLE u (x)", "DELETE FROM t",
                    "SELECT * FROM sqlite_temp_master"] {
            let r = try run(s, "return pcall(cl.read_sqlite, R .. '/db.sqlite', ...)".replacingOccurrences(of: "...", with: "[[\(sql)]]"))
            XCTAssertEqual(r.first, .bool(false), sql)
            // SQLite's authorizer words a denied read "prohibited", other denials "not authorized".
            XCTAssertTrue("\(r[1])".contains("not authorized") || "\(r[1])".contains("is prohibited"), "\(sql): \(r)")
        }
        // Reading still works, and the database is unchanged.
        XCTAssertEqual(try run(s, "return cl.read_sqlite(R .. '/db.sqlite', 'select sum(a) as s from t').s:sum()"), [.integer(4)])
        XCTAssertEqual(try run(s, "return cl.read_sqlite(R .. '/db.sqlite', 'pragma table_info(t)'):nrow()"), [.integer(2)])
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
    }

    /// SQLite's side files (`-wal`, `-shm`, `-journal`) planted as links to
    /// outside files: SQLite opens them itself, so `SQLITE_OPEN_NOFOLLOW` is what
    /// keeps it from writing through them.
    func testSQLiteSideFilesPlantedAsLinks() throws {
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(root + "/wal.sqlite", &db), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t(a); INSERT INTO t VALUES (1);", nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)
        try? FileManager.default.removeItem(atPath: root + "/wal.sqlite-wal")
        try? FileManager.default.removeItem(atPath: root + "/wal.sqlite-shm")
        try link("wal.sqlite-shm", to: outside + "/secret.txt")
        try link("wal.sqlite-wal", to: outside + "/wal")
        try link("new.sqlite-journal", to: outside + "/journal")
        let s = try state()
        let r = try run(s, """
            return (pcall(cl.read_sqlite, R .. '/wal.sqlite', 'select * from t')),
                   (pcall(cl.frame{a = {1}}.write_sqlite, cl.frame{a = {1}}, R .. '/new.sqlite', 't'))
            """)
        XCTAssertEqual(r, [.bool(false), .bool(false)])
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
        XCTAssertEqual(try String(contentsOfFile: outside + "/secret.txt", encoding: .utf8), "top secret")
    }

    // MARK: 3. symbolic links, link loops, `..`

    func testDanglingLinkToOutsideIsNotFollowedForWriting() throws {
        try link("dangling", to: outside + "/created.txt")
        let s = try state()
        let r = try run(s, """
            local df = cl.read_csv(R .. '/d.csv')
            local m = cl.model.tree{max_depth = 1}:fit(cl.frame{x = {1, 2, 3, 4}, y = {0, 1, 0, 1}}, {target = 'y'})
            return select(2, io.open(R .. '/dangling', 'w')),
                   select(2, pcall(df.write_csv, df, R .. '/dangling')),
                   select(2, pcall(df.write_sqlite, df, R .. '/dangling', 't')),
                   select(2, pcall(cl.plot.roc, {0, 1, 0, 1}, {0.1, 0.9, 0.3, 0.6}, {file = R .. '/dangling'})),
                   select(2, pcall(m.save, m, R .. '/dangling')),
                   select(2, pcall(io.output, R .. '/dangling'))
            """)
        XCTAssertEqual(r.count, 6)
        for (i, v) in r.enumerated() { XCTAssertTrue("\(v)".contains("access is not allowed"), "result \(i + 1): \(v)") }
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
    }

    func testLinkToOutsideIsNotFollowedForReading() throws {
        try link("secret", to: outside + "/secret.txt")
        try link("outdir", to: outside)
        let s = try state()
        let r = try run(s, """
            return io.open(R .. '/secret') == nil, (pcall(cl.read_csv, R .. '/secret')),
                   io.open(R .. '/outdir/secret.txt') == nil, io.open(R .. '/outdir/new.txt', 'w') == nil,
                   loadfile(R .. '/secret') == nil, (pcall(cl.read_sqlite, R .. '/secret', 'select 1')),
                   (pcall(cl.model.load, R .. '/secret')), (pcall(io.lines, R .. '/outdir/secret.txt'))
            """)
        XCTAssertEqual(r, [.bool(true), .bool(false), .bool(true), .bool(true), .bool(true), .bool(false), .bool(false), .bool(false)])
        XCTAssertEqual(try outsideFiles(), ["secret.txt"])
    }

    func testLinksInsideTheRootStillWork() throws {
        try link("alias.txt", to: "data.txt")
        try link("subdir", to: root + "/sub")
        let s = try state()
        let r = try run(s, """
            local f = assert(io.open(R .. '/subdir/w.txt', 'w')); f:write('ok'); f:close()
            return io.open(R .. '/alias.txt'):read('a'), io.open(R .. '/sub/w.txt'):read('a')
            """)
        XCTAssertEqual(r, [.string("inside"), .string("ok")])
    }

    func testLinkLoopFailsClosed() throws {
        try link("s", to: ".")   // s -> . : every `s/` adds one hop
        let s = try state()
        let deep = String(repeating: "/s", count: 45)
        let r = try run(s, """
            local df = cl.read_csv(R .. '/d.csv')
            local f, err = io.open(R .. '\(deep)/data.txt')
            return f == nil, err, io.open(R .. '\(deep)/new.txt', 'w') == nil,
                   (pcall(df.write_csv, df, R .. '\(deep)/x.csv')), (pcall(cl.read_csv, R .. '\(deep)/d.csv')),
                   io.open(R .. '\(String(repeating: "/s", count: 39))/data.txt'):read('a')
            """)
        XCTAssertEqual(r[0], .bool(true))
        XCTAssertTrue("\(r[1])".contains("Too many levels of symbolic links"), "\(r)")
        XCTAssertEqual(Array(r[2...]), [.bool(true), .bool(false), .bool(false), .string("inside")])
    }

    func testDotDotCannotLeave() throws {
        let s = try state()
        let r = try run(s, """
            return io.open(R .. '/../outside/secret.txt') == nil, io.open(R .. '/sub/../../outside/secret.txt') == nil,
                   io.open(R .. '/sub/../data.txt'):read('a'), io.open(R .. '/../root/data.txt'):read('a')
            """)
        XCTAssertEqual(r, [.bool(true), .bool(true), .string("inside"), .string("inside")])
    }

    // MARK: 5. searchpath, FIFOs, temporary files

    func testSearchpathRevealsNothingOutside() throws {
        let s = try state()
        let r = try run(s, """
            local a, ea = package.searchpath('secret', O .. '/?.txt')
            local b, eb = package.searchpath('missing', O .. '/?.txt')
            return a, ea, b, eb, package.searchpath('data', R .. '/?.txt')
            """)
        XCTAssertEqual(r[0], .nil)
        XCTAssertEqual(r[1], .string("no file '\(outside!)/secret.txt'"))   // same answer as for a missing file
        XCTAssertEqual(r[3], .string("no file '\(outside!)/missing.txt'"))
        XCTAssertEqual(r[4], .string(root + "/data.txt"))
    }

    func testFIFOsNeverBlock() throws {
        XCTAssertEqual(mkfifo(root + "/fifo", 0o644), 0)
        let s = try state()
        let t0 = Date()
        let r = try run(s, """
            local f, err = io.open(R .. '/fifo')
            return f == nil, err, io.open(R .. '/fifo', 'w') == nil, (pcall(cl.read_csv, R .. '/fifo')),
                   (pcall(io.lines, R .. '/fifo')), loadfile(R .. '/fifo') == nil,
                   package.searchpath('fifo', R .. '/?') == nil
            """)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
        XCTAssertEqual(r[0], .bool(true))
        XCTAssertTrue("\(r[1])".contains("not a regular file (a FIFO)"), "\(r)")
        XCTAssertEqual(Array(r[2...]), [.bool(true), .bool(false), .bool(false), .bool(true), .bool(true)])
    }

    func testDevicesAndDirectoriesAreRefused() throws {
        try link("null", to: "/dev/null")
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        let s = try state()
        let r = try run(s, "return io.open(R .. '/dir') == nil, select(2, io.open(R .. '/dir'))")
        XCTAssertEqual(r[0], .bool(true))
        XCTAssertTrue("\(r[1])".contains("directory"), "\(r)")
        // /dev/null is outside the root anyway; a device inside a root (bind mounts) is refused by type.
        XCTAssertEqual(try run(s, "return io.open(R .. '/null') == nil"), [.bool(true)])
    }

    func testTemporaryFilesAndNativeCodeAreGone() throws {
        let s = try state()
        XCTAssertEqual(try run(s, "return io.tmpfile, os.tmpname, package.loadlib, debug, io.popen, os.execute, os.getenv, string.dump"),
                       [LuaValue](repeating: .nil, count: 8))
        XCTAssertEqual(try run(s, "return #package.searchers, package.cpath"), [.integer(2), .string("")])
    }

    // MARK: file functions keep working below the root

    func testFileFunctionsBelowTheRoot() throws {
        let s = try state()
        let r = try run(s, """
            local f = assert(io.open(R .. '/a.txt', 'w')); f:write('one\\ntwo\\n'); f:close()
            local got = {}
            for l in io.lines(R .. '/a.txt') do got[#got + 1] = l end
            for a, b in io.lines(R .. '/a.txt', 1, 'l') do got[#got + 1] = a .. b; break end
            io.output(R .. '/b.txt'); io.write('x'); io.close(); io.output(io.stdout)
            io.input(R .. '/b.txt'); local x = io.read('a'); io.input(io.stdin)
            assert(os.rename(R .. '/b.txt', R .. '/c.txt'))
            assert(os.remove(R .. '/c.txt'))
            local f2 = assert(io.open(R .. '/m.lua', 'w')); f2:write('#!/shebang\\nreturn ...'); f2:close()
            package.path = R .. '/?.lua'
            do local h <close> = assert(io.open(R .. '/a.txt')) end
            return table.concat(got, ','), x, dofile(R .. '/m.lua'), require('m'), io.open(R .. '/c.txt') == nil,
                   select('#', loadfile(R .. '/m.lua', 't', {}))
            """)
        XCTAssertEqual(r, [.string("one,two,one"), .string("x"), .nil, .string("m"), .bool(true), .integer(1)])
    }

    /// Refusals, errors and collected handles leave no descriptor behind
    /// (the authority's descriptors are owned by a handle from the start).
    func testNoDescriptorLeaks() throws {
        XCTAssertEqual(mkfifo(root + "/fifo", 0o644), 0)
        let s = try state()
        func openDescriptors() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count }
        try run(s, "collectgarbage()")
        let before = try openDescriptors()
        try run(s, """
            for i = 1, 300 do
              io.open(R .. '/data.txt'):close()
              io.open(O .. '/secret.txt')
              pcall(io.lines, R .. '/fifo')
              pcall(cl.read_csv, R .. '/fifo')
              local f = io.open(R .. '/data.txt')
              for l in io.lines(R .. '/data.txt') do end
              loadfile(R .. '/data.txt')
              cl.read_csv(R .. '/d.csv')
            end
            collectgarbage(); collectgarbage()
            """)
        XCTAssertEqual(try openDescriptors(), before)
    }

    func testAccessesAreRecordedForManifests() throws {
        let s = try state()
        s.fileObserver = FileObserver()
        try s.trackFileAccess()
        try run(s, "io.open(R .. '/sub/../data.txt'):close(); cl.read_csv(R .. '/d.csv'):write_csv(R .. '/o.csv')")
        let o = try XCTUnwrap(s.fileObserver)
        XCTAssertEqual(o.reads, [root + "/data.txt", root + "/d.csv"].map { canonical($0) })
        XCTAssertEqual(o.writes, [canonical(root + "/o.csv")])
    }

    func canonical(_ p: String) -> String {
        let dir = (p as NSString).deletingLastPathComponent
        guard let r = realpath(dir, nil) else { return p }
        defer { free(r) }
        return String(cString: r) + "/" + (p as NSString).lastPathComponent
    }
}
