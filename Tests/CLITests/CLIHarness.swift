import Foundation
import XCTest

/// Runs the `churnlab` binary built next to the test bundle.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String
    let seconds: Double
}

enum CLI {
    static var binary: URL {
        // .build/<config>/ChurnLabPackageTests.xctest → .build/<config>/churnlab
        let dir = Bundle.main.bundleURL.path.hasSuffix(".xctest")
            ? Bundle.main.bundleURL.deletingLastPathComponent()
            : Bundle.main.bundleURL
        for d in [dir, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let u = d.appendingPathComponent("churnlab")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return dir.appendingPathComponent("churnlab")
    }

    @discardableResult
    static func run(_ args: [String], stdin: String? = nil, cwd: URL? = nil, env: [String: String] = [:]) throws -> CLIResult {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = inp
        let t0 = Date()
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(stdin.data(using: .utf8)!) }
        try inp.fileHandleForWriting.close()
        // Read before waiting so a full pipe cannot block the child.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        p.waitUntilExit()
        group.wait()
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self), seconds: Date().timeIntervalSince(t0))
    }

    static func tempDir() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("cltest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
