import ChurnCore
import Foundation

/// One Jupyter message (messaging protocol 5.3) and its wire format:
/// `identities…, "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers…`.
struct KernelMessage {
    var identities: [Data]
    var header: [String: Any]
    var parentHeader: [String: Any]
    var metadata: [String: Any]
    var content: [String: Any]

    static let delimiter = Data("<IDS|MSG>".utf8)

    var type: String { header["msg_type"] as? String ?? "" }
}

enum KernelWireError: Error, CustomStringConvertible {
    case malformed(String)
    case badSignature

    var description: String {
        switch self {
        case .malformed(let why): return "malformed message: \(why)"
        case .badSignature: return "message signature does not match (wrong key?): message dropped"
        }
    }
}

/// Signs and checks messages with the connection file's key (HMAC-SHA256);
/// an empty key means no signing, as Jupyter defines it.
struct MessageSigner {
    let key: [UInt8]

    func signature(_ parts: [Data]) -> String {
        guard !key.isEmpty else { return "" }
        var mac = HMACSHA256(key: key)
        for p in parts { mac.update(p) }
        return Hex.encode(mac.finalize())
    }

    func isValid(_ signature: Data, _ parts: [Data]) -> Bool {
        guard !key.isEmpty else { return true }
        guard let given = Hex.decode(String(decoding: signature, as: UTF8.self)) else { return false }
        var mac = HMACSHA256(key: key)
        for p in parts { mac.update(p) }
        return HMACSHA256.equal(given, mac.finalize())
    }
}

/// Builds headers and converts messages to and from frames.
struct MessageCodec {
    let signer: MessageSigner
    let session = UUID().uuidString.lowercased()

    func decode(_ frames: [Data]) throws -> KernelMessage {
        guard let d = frames.firstIndex(of: KernelMessage.delimiter) else { throw KernelWireError.malformed("no <IDS|MSG> delimiter") }
        guard frames.count >= d + 6 else { throw KernelWireError.malformed("\(frames.count - d - 1) frames after the delimiter, 5 expected") }
        let parts = Array(frames[(d + 2)...(d + 5)])
        guard signer.isValid(frames[d + 1], parts) else { throw KernelWireError.badSignature }
        func dict(_ data: Data, _ what: String) throws -> [String: Any] {
            guard let obj = try? JSONSerialization.jsonObject(with: data), let d = obj as? [String: Any] else {
                throw KernelWireError.malformed("\(what) is not a JSON object")
            }
            return d
        }
        return KernelMessage(identities: Array(frames[..<d]), header: try dict(parts[0], "header"),
                             parentHeader: try dict(parts[1], "parent_header"), metadata: try dict(parts[2], "metadata"),
                             content: try dict(parts[3], "content"))
    }

    func encode(_ m: KernelMessage) throws -> [Data] {
        func json(_ d: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: d, options: [.withoutEscapingSlashes]) }
        let parts = [try json(m.header), try json(m.parentHeader), try json(m.metadata), try json(m.content)]
        return m.identities + [KernelMessage.delimiter, Data(signature: signer.signature(parts))] + parts
    }

    /// A new message replying to (or caused by) `parent`.
    func message(_ type: String, content: [String: Any], parent: KernelMessage?, identities: [Data] = []) -> KernelMessage {
        let header: [String: Any] = ["msg_id": UUID().uuidString.lowercased(), "session": session, "username": "churnlab",
                                     "date": MessageCodec.timestamp(), "msg_type": type, "version": "5.3"]
        return KernelMessage(identities: identities, header: header, parentHeader: parent?.header ?? [:],
                             metadata: [:], content: content)
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}

private extension Data {
    init(signature: String) { self = Data(signature.utf8) }
}
