import CZMQ
import Foundation

/// A ZeroMQ failure with the operation and endpoint it concerns.
struct ZMQError: Error, CustomStringConvertible {
    let description: String
    init(_ what: String) {
        description = "\(what): \(String(cString: zmq_strerror(zmq_errno())))"
    }
}

/// A ZeroMQ context (one per process).
final class ZMQContext {
    let raw: UnsafeMutableRawPointer
    init() throws {
        guard let c = zmq_ctx_new() else { throw ZMQError("zmq_ctx_new") }
        raw = c
    }
    deinit { zmq_ctx_term(raw) }
}

/// One socket; multipart messages are arrays of frames. A socket must only be
/// used from one thread at a time.
final class ZMQSocket {
    let raw: UnsafeMutableRawPointer
    let endpoint: String
    /// Keeps the context alive until every socket is closed (zmq_ctx_term waits for them).
    private let context: ZMQContext

    init(_ context: ZMQContext, type: Int32, bind endpoint: String) throws {
        guard let s = zmq_socket(context.raw, type) else { throw ZMQError("zmq_socket") }
        raw = s
        self.endpoint = endpoint
        self.context = context
        // Replies sent just before exiting (shutdown_reply) still get out; never hang longer than 1 s.
        var linger: Int32 = 1000
        zmq_setsockopt(s, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_bind(s, endpoint) == 0 else {
            let e = ZMQError("cannot bind \(endpoint)")
            zmq_close(s)
            throw e
        }
    }

    deinit { zmq_close(raw) }

    func send(_ frames: [Data]) throws {
        for (i, f) in frames.enumerated() {
            let flags: Int32 = i < frames.count - 1 ? ZMQ_SNDMORE : 0
            let rc = f.withUnsafeBytes { buf in zmq_send(raw, buf.baseAddress, buf.count, flags) }
            if rc < 0 { throw ZMQError("send on \(endpoint)") }
        }
    }

    /// Receives one multipart message (blocks).
    func receive() throws -> [Data] {
        var frames: [Data] = []
        while true {
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            if zmq_msg_recv(&msg, raw, 0) < 0 { throw ZMQError("receive on \(endpoint)") }
            frames.append(Data(bytes: zmq_msg_data(&msg), count: zmq_msg_size(&msg)))
            if zmq_msg_more(&msg) == 0 { return frames }
        }
    }

    /// Waits up to `timeoutMs` for any of `sockets` to be readable; returns their indices.
    static func poll(_ sockets: [ZMQSocket], timeoutMs: Int) -> [Int] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let rc = zmq_poll(&items, Int32(items.count), timeoutMs)
        guard rc > 0 else { return [] }
        return items.indices.filter { items[$0].revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
