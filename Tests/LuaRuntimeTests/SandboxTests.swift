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
