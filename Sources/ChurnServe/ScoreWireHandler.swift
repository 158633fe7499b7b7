import Foundation
import NIOCore

/// `POST /v1/score` answered from the connection's raw bytes, in front of the HTTP/1 parser.
///
/// `ScoreFastPathHandler` took Hummingbird's request machinery off the single-row path and
/// left the server at ~31 µs of CPU a request, of which NIO's HTTP/1 parse, the HTTP/1 ↔
/// HTTPTypes conversions both ways and the response encoder were ~24 %: per request a
/// parsed head with its header dictionary, three response parts and their trip through
/// three handlers. This handler sits first in the pipeline (before NIO's decoder) and, for
/// requests in the one shape clients send for scoring (`WireRequestHead`: the exact request
/// line, Content-Length framing, no Expect or Upgrade), reads the head off the bytes,
/// checks the token and the body headers with the same `ServeServer` functions, scores with
/// `FastScoreReply` and writes the whole response as one buffer.
///
/// Accept-only and one-way: the first request it will not answer — another route, another
/// shape, a wrong token, a body the fast decoder declines, a scoring error — is handed to
/// the HTTP/1 parser from its first byte, with everything after it on that connection, and
/// the rest of the connection is Hummingbird's (with `ScoreFastPathHandler` still ahead of
/// its router). Requests answered here were complete and answered in order before that, so
/// pipelined responses keep their order, and the parser only ever sees whole requests from
/// their start. A connection's events (input closed, errors, shutdown's quiesce, inactive)
/// first hand over any partial request held here, so Hummingbird sees what it would have
/// seen without this handler; after a quiesce everything goes to Hummingbird, which closes
/// the connection after its next response.
final class ScoreWireHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let server: ServeServer
    private let maxBodyBytes: Int
    /// `Self.requestLine`, held here so a read does not go through the static's lazy initialiser.
    private let requestLine = ScoreWireHandler.requestLine
    private var reply: FastScoreReply
    /// Bytes read but neither answered nor passed on: the start of an incomplete request.
    private var pending: ByteBuffer?
    /// When `pending`'s first bytes arrived (the request's start, for the latency histogram).
    private var pendingSince = ContinuousClock.now
    /// The connection belongs to the HTTP/1 parser from here on.
    private var passing = false
    private var needsFlush = false

    static let requestLine = Array("POST \(ServeRoute.score.path) HTTP/1.1\r\n".utf8)
    /// A longer head goes to the parser (whose own limit is 80 KiB); clients send ~150 bytes.
    static let maxHeadLength = 8192
    private static let statusLine = "HTTP/1.1 200 OK\r\n"

    init(server: ServeServer) {
        self.server = server
        maxBodyBytes = server.config.limits.maxBodyBytes
        reply = FastScoreReply(server: server)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !passing else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        if var held = pending {
            pending = nil
            held.writeImmutableBuffer(bytes)
            bytes = held
        } else {
            pendingSince = .now
        }
        while bytes.readableBytes > 0 {
            let reading = bytes.withUnsafeReadableBytes {
                WireRequestHead.read($0, requestLine: requestLine, maxLength: Self.maxHeadLength)
            }
            switch reading {
            case .incomplete:
                return hold(bytes)
            case .declined:
                return passOn(context, bytes)
            case .head(let head):
                guard head.contentLength <= maxBodyBytes else { return passOn(context, bytes) }   // Hummingbird's 413
                let length = head.length + head.contentLength
                guard bytes.readableBytes >= length else { return hold(bytes) }
                guard answer(context, bytes, head) else { return passOn(context, bytes) }
                bytes.moveReaderIndex(forwardBy: length)
                pendingSince = .now
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        handOver(context)
        if event is ChannelShouldQuiesceEvent { passing = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        handOver(context)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handOver(context)
        context.fireChannelInactive()
    }

    // MARK: answering

    /// Checks and scores the complete request at the start of `bytes` and writes its response;
    /// false (nothing written) when Hummingbird must answer it.
    private func answer(_ context: ChannelHandlerContext, _ bytes: ByteBuffer, _ head: WireRequestHead) -> Bool {
        let text: String? = bytes.withUnsafeReadableBytes { raw in
            let b = raw.assumingMemoryBound(to: UInt8.self)
            do {
                try server.authorize(.score, authorization: head.authorization.map { UnsafeBufferPointer(rebasing: b[$0]) })
                try server.checkBodyHeaders(contentType: head.contentType.map { UnsafeBufferPointer(rebasing: b[$0]) },
                                            contentLength: head.contentLength)
            } catch { return nil }
            return reply.body(UnsafeRawBufferPointer(rebasing: raw[head.length..<head.length + head.contentLength]))
        }
        guard let text else { return false }
        var out = context.channel.allocator.buffer(capacity: 128 + text.utf8.count)
        out.writeString(Self.statusLine)
        for (name, value) in reply.headers(contentLength: text.utf8.count) {
            out.writeString(name.rawName)
            out.writeStaticString(": ")
            out.writeString(value)
            out.writeStaticString("\r\n")
        }
        out.writeStaticString("\r\n")
        out.writeString(text)
        context.write(wrapOutboundOut(out), promise: nil)
        needsFlush = true
        reply.record(since: pendingSince)
        return true
    }

    // MARK: holding and passing on

    private func hold(_ bytes: ByteBuffer) {
        var bytes = bytes
        bytes.discardReadBytes()
        pending = bytes
    }

    /// Gives `bytes` (a request's first byte onwards) and the rest of the connection to the parser.
    private func passOn(_ context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        passing = true
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    /// Before any connection event: a partial request held here goes to the parser, and
    /// responses written go out.
    private func handOver(_ context: ChannelHandlerContext) {
        flushIfNeeded(context)
        guard let held = pending else { return }
        pending = nil
        passOn(context, held)
    }

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        if needsFlush { needsFlush = false; context.flush() }
    }
}
