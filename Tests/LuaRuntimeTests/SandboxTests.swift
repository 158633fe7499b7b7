import Foundation
import LuaRuntime
import XCTest

final class SandboxTests: XCTestCase {
    var dir: String!
    var outside: String!

    override func setUpWithError() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("clsandbox-\(UUID().uuidString)")
        dir = base.appendingPathComponent("scripts").path
        outside = base.appendingPathComponent("secret.txt").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "top secret".write(toFile: outside, atomically: true, encoding: .utf8)
        try "inside".write(toFile: dir + "/data.txt", atomically: true, encoding: .utf8)
        try "return { answer = 42 }".write(toFile: dir + "/mod.lua", atomically: true, encoding: .utf8)
    }

    func testDangerousFunctionsAreGone() throws {
        let s = try LuaState(LuaOptions(sandbox: SandboxPolicy(roots: [dir])))
        XCTAssertEqual(try s.run("return os.execute, io.popen, package.loadlib, debug, os.exit"), [.nil, .nil, .nil, .nil, .nil])
        XCTAssertEqual(try s.run("return (pcall(require, 'debug'))"), [.bool(false)])
        XCTAssertEqual(try s.run("return package.cpath"), [.string("")])
    }

    func testFileAccessOnlyBelowRoots() throws {
        let s = try LuaState(LuaOptions(sandbox: SandboxPolicy(roots: [dir])))
        XCTAssertEqual(try s.run("return io.open(...):read('a')".replacingOccurrences(of: "...", with: "'\(dir!)/data.txt'")),
                       [.string("inside")])
        let r = try s.run("return io.open('\(outside!)')")
        XCTAssertEqual(r.first, .nil)
        XCTAssertTrue("\(r[1])".contains("not allowed"))
        // ../ tricks and symlinks are resolved before the check
        XCTAssertEqual(try s.run("return io.open('\(dir!)/../secret.txt')").first, .nil)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: outside)
        XCTAssertEqual(try s.run("return io.open('\(dir!)/link.txt')").first, .nil)
        XCTAssertThrowsError(try s.run("for l in io.lines('\(outside!)') do end"))
        XCTAssertThrowsError(try s.run("dofile('\(outside!)')"))
        // writing a new file inside is fine
        XCTAssertNoThrow(try s.run("local f = assert(io.open('\(dir!)/new.txt', 'w')); f:write('x'); f:close()"))
    }

    func testBinaryChunksRefused() throws {
        let plain = try LuaState()
        let bytes = try plain.run("return string.dump(function() return 1 end)")
        guard case .string = bytes.first else { return XCTFail() }
        let s = try LuaState(LuaOptions(sandbox: SandboxPolicy(roots: [dir])))
        XCTAssertEqual(try s.run("return string.dump"), [.nil])
        // load() is forced to text mode
        let r = try s.run("return load('\\27Lua')")
        XCTAssertEqual(r.first, .nil)
        XCTAssertTrue("\(r[1])".contains("binary"), "\(r)")
    }

    func testRequireFindsModulesBesideScript() throws {
        let s = try LuaState(LuaOptions(sandbox: SandboxPolicy(roots: [dir])))
        _ = try s.run("package.path = '\(dir!)/?.lua'")
        XCTAssertEqual(try s.run("return require('mod').answer"), [.integer(42)])
    }

    func testPolicyResolve() throws {
        let p = SandboxPolicy(roots: [dir])
        XCTAssertNoThrow(try p.resolve(dir + "/y.csv", write: true))
        // Fails closed: a directory that does not exist cannot be resolved.
        XCTAssertThrowsError(try p.resolve(dir + "/x/y.csv", write: true))
        XCTAssertThrowsError(try p.resolve(dir + "-evil/x"))   // prefix of the name is not enough
        XCTAssertThrowsError(try p.resolve("/etc/passwd"))
    }
}

/// The path authority on its own (no Lua): modes, roots, refusals.
final class PathAuthorityTests: XCTestCase {
    func testLuaModes() {
        XCTAssertEqual(PathAuthority.Access(luaMode: "r"), .read)
        XCTAssertEqual(PathAuthority.Access(luaMode: "rb"), .read)
        XCTAssertEqual(PathAuthority.Access(luaMode: "r+b"), .write(create: false, truncate: false, append: false, read: true))
        XCTAssertEqual(PathAuthority.Access(luaMode: "w"), .write(create: true, truncate: true, append: false, read: false))
        XCTAssertEqual(PathAuthority.Access(luaMode: "a+"), .write(create: true, truncate: false, append: true, read: true))
        for bad in ["", "x", "rw", "r++", "b", "wx", "r+bx"] { XCTAssertNil(PathAuthority.Access(luaMode: bad), bad) }
    }

    func testRootsAreCanonicalAndMissingRootsAllowNothing() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("clauth-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: base + "/alias", withDestinationPath: base + "/real")
        try "x".write(toFile: base + "/real/f.txt", atomically: false, encoding: .utf8)
        let p = SandboxPolicy(roots: [base + "/alias", base + "/missing"])
        XCTAssertEqual(p.roots.count, 1)
        XCTAssertEqual(try p.resolve(base + "/alias/f.txt"), try p.resolve(base + "/real/f.txt"))
        XCTAssertTrue(try p.resolve(base + "/alias/f.txt").hasSuffix("/real/f.txt"))
        XCTAssertThrowsError(try p.resolve(base + "/missing/f.txt", write: true))
        let none = SandboxPolicy(roots: [])
        XCTAssertThrowsError(try none.resolve(base + "/real/f.txt")) { e in
            XCTAssertTrue("\(e)".contains("no allowed directory"), "\(e)")
        }
    }

    func testOpenGivesADescriptorOfTheVerifiedFile() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("clauth-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try "hello".write(toFile: base + "/f.txt", atomically: false, encoding: .utf8)
        let a = SandboxPolicy(roots: [base]).authority
        let f = try a.open(base + "/f.txt", .read)
        // Replacing the name afterwards does not change what the descriptor reads.
        try FileManager.default.removeItem(atPath: base + "/f.txt")
        try FileManager.default.createSymbolicLink(atPath: base + "/f.txt", withDestinationPath: "/etc/passwd")
        XCTAssertEqual(try String(contentsOfFile: f.accessPath, encoding: .utf8), "hello")
        XCTAssertThrowsError(try a.open(base + "/f.txt", .read))
        XCTAssertThrowsError(try a.open(base + "/x\u{0}y", .read))
        XCTAssertThrowsError(try a.open("", .read))
    }
}
