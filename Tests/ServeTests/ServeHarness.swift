import ChurnCore
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A `churnlab serve` process started by a test on a random loopback port
/// (`--port 0`; the port is read from its "listening on" line).
final class ServeProcess {
    let process = Process()
    let port: Int
    private let out = Pipe(), err = Pipe()
    private(set) var stdoutText = ""
    let stderrURL: URL

    static var binary: URL {
        let dir = Bundle.main.bundleURL.path.hasSuffix(".xctest") ? Bundle.main.bundleURL.deletingLastPathComponent() : Bundle.main.bundleURL
        for d in [dir, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()] {
            let u = d.appendingPathComponent("churnlab")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return dir.appendingPathComponent("churnlab")
    }

    init(_ args: [String]) throws {
        process.executableURL = ServeProcess.binary
        process.arguments = ["serve", "--port", "0"] + args
        stderrURL = FileManager.default.temporaryDirectory.appendingPathComponent("serve-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        // Read stdout until the listening line (or the process ends).
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        let h = out.fileHandleForReading
        var found: Int?
        while Date() < deadline {
            let d = h.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
            if let r = text.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                found = Int(text[r].split(separator: ":").last!)
                break
            }
        }
        stdoutText = text
        guard let found else {
            process.waitUntilExit()
            throw NSError(domain: "serve", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(text) \((try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")"])
        }
        port = found
    }

    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The rest of stdout after the process ended.
    func finish() -> (status: Int32, stdout: String) {
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        stdoutText += String(decoding: rest, as: UTF8.self)
        return (process.terminationStatus, stdoutText)
    }

    func signal(_ s: Int32) { kill(process.processIdentifier, s) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: stderrURL)
    }

    // MARK: HTTP

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var errorField: String? { (object["error"] as? [String: Any])?["field"] as? String }
    }

    /// One HTTP/1.1 request on a fresh loopback connection (Connection: close), read to the end.
    func request(_ method: String, _ path: String, body: [UInt8]? = nil, token: String? = nil,
                 contentType: String? = "application/json", extraHeaders: [String] = []) throws -> Reply {
        try ServeProcess.request(port: port, method, path, body: body, token: token, contentType: contentType, extraHeaders: extraHeaders)
    }

    func request(_ method: String, _ path: String, json: String, token: String?) throws -> Reply {
        try request(method, path, body: Array(json.utf8), token: token)
    }

    static func request(port: Int, _ method: String, _ path: String, body: [UInt8]?, token: String?,
                        contentType: String?, extraHeaders: [String] = []) throws -> Reply {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body {
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
            head += "Content-Length: \(body.count)\r\n"
        }
        for h in extraHeaders { head += h + "\r\n" }
        let bytes = Array((head + "\r\n").utf8) + (body ?? [])
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }     // the server may answer (413) and close before reading everything
            off += n
        }
        var resp = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            resp += buf[0..<n]
        }
        let text = String(decoding: resp, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else {
            throw NSError(domain: "http", code: 0, userInfo: [NSLocalizedDescriptionKey: "no HTTP response (\(resp.count) bytes)"])
        }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for l in lines.dropFirst() { if let c = l.firstIndex(of: ":") { headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces) } }
        var body = String(text[split.upperBound...])
        if headers["transfer-encoding"] == "chunked" { body = ServeProcess.dechunk(body) }
        return Reply(status: status, headers: headers, body: body)
    }

    /// A TCP socket connected to 127.0.0.1:`port` (receive timeout 60 s).
    static func connectLoopback(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "socket", code: Int(errno)) }
        var tv = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw NSError(domain: "connect", code: Int(e), userInfo: [NSLocalizedDescriptionKey: "connect failed: \(e)"])
        }
        return fd
    }

    static func dechunk(_ s: String) -> String {
        var out = "", rest = Substring(s)
        while let nl = rest.range(of: "\r\n"), let n = Int(rest[..<nl.lowerBound], radix: 16), n > 0 {
            let start = nl.upperBound
            let bytes = Array(rest[start...].utf8)
            out += String(decoding: bytes[0..<n], as: UTF8.self)
            rest = Substring(String(decoding: bytes[(n + 2)...], as: UTF8.self))
        }
        return out
    }
}

/// Files a serve test needs: a model over online-state feature names, a token file.
enum ServeFixtures {
    static let features = ["events_7d", "events_30d", "active_days_30d", "recency_days", "tenure_days"]

    /// A logistic regression fitted on synthetic rows of `features` (seeded); `shift` changes its coefficients (a second version).
    static func model(at path: String, shift: Double = 0) throws {
        var rng = SplitMix(11)
        let n = 400
        var cols = [[Double]](repeating: [], count: features.count)
        var y: [Double] = []
        for _ in 0..<n {
            let v = (0..<features.count).map { _ in Double(rng.next() % 1000) / 50 }
            for k in 0..<features.count { cols[k].append(v[k]) }
            let z = -0.3 * v[0] - 0.1 * v[2] + 0.15 * v[3] + shift * v[4] + Double(rng.next() % 100) / 25 - 2
            y.append(z > 0 ? 1 : 0)
        }
        let X = try FeatureMatrix(names: features, features: cols.map { .numeric($0) })
        let m = try LogisticRegression.fit(X, y, weights: nil, eval: nil, options: LogisticRegression.Options(), progress: nil)
        try m.save(to: path)
    }

    static func token(in dir: URL, _ value: String = "s3cret-token-for-tests-0123456789") throws -> (path: String, token: String) {
        let p = dir.appendingPathComponent("token").path
        FileManager.default.createFile(atPath: p, contents: Data((value + "\n").utf8), attributes: [.posixPermissions: 0o600])
        return (p, value)
    }

    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("serve-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}
