import Foundation
import XCTest

/// Defect 10 of issue 12: a kernel whose client died kept running. The kernel
/// is started by a shell that is then killed (as a crashed Jupyter would be);
/// the re-parented kernel must notice and exit by itself.
final class KernelParentWatchTests: XCTestCase {
    func testKernelExitsWhenItsParentDies() throws {
        let dir = try CLI.tempDir()
        let conn = dir.appendingPathComponent("conn.json")
        // ipc transport: sockets are files in the temp dir, so no TCP port can collide.
        let json = """
            {"transport": "ipc", "ip": "\(dir.path)/k", "shell_port": 1, "iopub_port": 2, "stdin_port": 3,
             "control_port": 4, "hb_port": 5, "key": "secret", "signature_scheme": "hmac-sha256"}
            """
        try json.write(to: conn, atomically: true, encoding: .utf8)
        let pidFile = dir.appendingPathComponent("kernel.pid")
        // The shell starts the kernel in the background, records its pid, and waits:
        // the shell is the kernel's parent.
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = ["-c", "\"$0\" kernel --connection-file \"$1\" 2>\"$3\" & echo $! > \"$2\"; wait",
                        CLI.binary.path, conn.path, pidFile.path, dir.appendingPathComponent("kernel.err").path]
        try sh.run()
        var kernelPid: pid_t = 0
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let s = try? String(contentsOf: pidFile, encoding: .utf8), let p = pid_t(s.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kernelPid = p; break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertGreaterThan(kernelPid, 0, "the kernel did not start")
        guard kernelPid > 0 else { return }
        defer { kill(kernelPid, SIGKILL) }
        // Let the kernel come up (its sockets exist), and check it stays up while its parent lives.
        Thread.sleep(forTimeInterval: 1.5)
        let err = { (try? String(contentsOf: dir.appendingPathComponent("kernel.err"), encoding: .utf8)) ?? "" }
        XCTAssertTrue(kill(kernelPid, 0) == 0 && !Self.isZombie(kernelPid), "the kernel exited while its parent was alive: \(err())")

        let t0 = Date()
        kill(sh.processIdentifier, SIGKILL)
        sh.waitUntilExit()
        var alive = true
        while Date().timeIntervalSince(t0) < 5 {
            // The kernel is no child of ours: kill(pid, 0) fails with ESRCH once it is gone
            // (or it is a zombie of init for a moment; /proc tells those apart).
            if kill(kernelPid, 0) != 0 || Self.isZombie(kernelPid) { alive = false; break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertFalse(alive, "the kernel kept running 5 s after its parent died")
        XCTAssertTrue(err().contains("the parent process (pid \(sh.processIdentifier)) exited; shutting down"), err())
        if !alive { print("kernel exited \(String(format: "%.2f", Date().timeIntervalSince(t0))) s after its parent died") }
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }
}
