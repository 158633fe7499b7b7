import Foundation

/// The connection file Jupyter hands a kernel: ports, transport, and the signing key.
struct ConnectionInfo {
    var transport: String
    var ip: String
    var shellPort: Int, iopubPort: Int, stdinPort: Int, controlPort: Int, hbPort: Int
    var key: String
    var signatureScheme: String

    struct Invalid: Error, CustomStringConvertible { let description: String }

    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid(description: "cannot read connection file '\(path)'") }
        guard let obj = try? JSONSerialization.jsonObject(with: data), let d = obj as? [String: Any] else {
            throw Invalid(description: "\(path): connection file is not a JSON object")
        }
        func port(_ k: String) throws -> Int {
            guard let p = d[k] as? Int, (0...65535).contains(p) else { throw Invalid(description: "\(path): '\(k)' missing or not a port number") }
            return p
        }
        transport = d["transport"] as? String ?? "tcp"
        ip = d["ip"] as? String ?? "127.0.0.1"
        shellPort = try port("shell_port"); iopubPort = try port("iopub_port"); stdinPort = try port("stdin_port")
        controlPort = try port("control_port"); hbPort = try port("hb_port")
        key = d["key"] as? String ?? ""
        signatureScheme = d["signature_scheme"] as? String ?? "hmac-sha256"
        guard signatureScheme == "hmac-sha256" else {
            throw Invalid(description: "\(path): signature scheme '\(signatureScheme)' is not supported (only hmac-sha256)")
        }
        guard transport == "tcp" || transport == "ipc" else { throw Invalid(description: "\(path): unknown transport '\(transport)'") }
    }

    func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}
