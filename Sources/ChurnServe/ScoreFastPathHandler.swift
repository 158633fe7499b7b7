import ChurnCore
import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// `POST /v1/score` answered on the event loop, ahead of Hummingbird's router.
///
/// A profile of single-row scoring under `wrk` put the score itself at ~7 % of the
/// server's time and Hummingbird's per-request machinery (a request task, the async
/// part streams, the body collect, the router) at most of the rest. This handler sits
/// in each connection's pipeline after the HTTP/1 decoding (it sees `HTTPRequestPart`s)
/// and before Hummingbird's handling. For a score request it keeps the head and the
/// body parts; when the request is complete and it can answer *successfully* — the
/// bearer token is accepted, the body headers pass, the fast decoder accepts the body
/// and the model scores it — it writes the response itself, on this thread.
///
/// Accept-only, as `FastJSONScanner` is: in every other case (another route, a wrong
/// token, a body over the limit, a body the fast decoder refuses, a scoring error) it
/// passes the parts it kept on unchanged, and Hummingbird's handler answers exactly as
/// without this handler. The checks, the scoring, the response JSON and the metrics are
/// `ServeServer`'s own functions (`authorize`, `checkBodyHeaders`, `fastScoreJSON`,
/// `metrics.recorder`, which `metrics.request` uses), the ones the router's handler uses.
///
/// HTTP/1.1 pipelining: responses go out in request order. While a request passed on
/// to Hummingbird has not written its response's end, later requests are passed on
/// too (Hummingbird answers them in order). A request with a `Connection` header other
/// than `keep-alive` is passed on, and so is everything after it on that connection
/// (Hummingbird closes after answering `Connection: close`); so is everything once the
/// server starts its graceful shutdown (the connection-state handler then waits for
/// the requests it has seen).
final class ScoreFastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let server: ServeServer
    private let maxBodyBytes: Int

    /// A score request this handler may answer: its head and body so far.
    private struct Held {
        let head: HTTPRequest
        let start: ContinuousClock.Instant
        var body: ByteBuffer?
        var more: [ByteBuffer] = []
        var bytes = 0
    }
    private enum Mode {
        /// Between requests, or holding `held`.
        case own
        /// The current request goes to Hummingbird.
        case passing
        /// Every request from here on goes to Hummingbird.
        case passingAll
    }
    private var mode = Mode.own
    private var held: Held?
    /// Requests passed on whose response's end has not been written yet.
    private var passedPending = 0
    private var needsFlush = false
    private var reply: FastScoreReply

    init(server: ServeServer) {
        self.server = server
        reply = FastScoreReply(server: server)
        maxBodyBytes = server.config.limits.maxBodyBytes
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard mode == .own else {
            if mode == .passing, case .end = part { mode = .own }
            pass(context, part)
            return
        }
        switch part {
        case .head(let head):
            if held == nil, passedPending == 0, mayAnswer(head) {
                held = Held(head: head, start: .now)
            } else {
                passHeld(context)
                mode = Self.keepsAlive(head) ? .passing : .passingAll
                pass(context, part)
            }
        case .body(let chunk):
            guard held != nil else { pass(context, part); return }   // out of order: Hummingbird reports it
            if held!.bytes + chunk.readableBytes > maxBodyBytes {
                // Hummingbird answers 413 (its body collect has the same limit).
                passHeld(context)
                pass(context, part)
                return
            }
            held!.bytes += chunk.readableBytes
            if held!.body == nil { held!.body = chunk } else { held!.more.append(chunk) }
        case .end(let trailers):
            guard let h = held else { pass(context, part); return }
            held = nil
            if trailers == nil, answer(context, h) { return }
            held = h
            passHeld(context)
            pass(context, part)
            mode = .own
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush { needsFlush = false; context.flush() }
        context.fireChannelReadComplete()
    }

    // Anything but request parts (shutdown, input closed, an error, the connection gone)
    // finds a request held here handed over first, so Hummingbird sees what it would have
    // seen without this handler. On graceful shutdown the connection-state handler then
    // counts that request and waits for its response before closing.

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        passHeld(context)
        if event is ChannelShouldQuiesceEvent { mode = .passingAll }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        passHeld(context)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        passHeld(context)
        context.fireChannelInactive()
    }

    // MARK: outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), passedPending > 0 { passedPending -= 1 }
        context.write(data, promise: promise)
    }

    // MARK: the fast path

    /// `Connection` absent or keep-alive: Hummingbird closes after `Connection: close`, and
    /// anything unusual is left to it.
    private static func keepsAlive(_ head: HTTPRequest) -> Bool {
        guard let c = head.headerFields[.connection] else { return true }
        return c.lowercased() == "keep-alive"
    }

    /// Whether this head may be answered here once its body is read. The four headers it
    /// checks are read in one pass over the fields (`HTTPFields[name]` scans them and joins
    /// repeated values each time); a repeated one leaves the request to Hummingbird.
    private func mayAnswer(_ head: HTTPRequest) -> Bool {
        guard head.method == .post, head.path == ServeRoute.score.path else { return false }
        var authorization: String?, contentType: String?, contentLength: String?
        for field in head.headerFields {
            switch field.name {
            case .authorization: guard authorization == nil else { return false }; authorization = field.value
            case .contentType: guard contentType == nil else { return false }; contentType = field.value
            case .contentLength: guard contentLength == nil else { return false }; contentLength = field.value
            case .connection: guard Self.keepsAlive(head) else { return false }
            default: break
            }
        }
        do {
            try server.authorize(.score, authorization: authorization)
            try server.checkBodyHeaders(contentType: contentType, contentLength: contentLength)
        } catch { return false }
        return true
    }

    /// Scores the held request and writes its response; false (nothing written) when
    /// Hummingbird's handler must answer it.
    private func answer(_ context: ChannelHandlerContext, _ h: Held) -> Bool {
        guard let body = h.body else { return false }     // no body: the strict path names the error
        var bytes = body
        if !h.more.isEmpty {
            bytes = context.channel.allocator.buffer(capacity: h.bytes)
            bytes.writeImmutableBuffer(body)
            for b in h.more { bytes.writeImmutableBuffer(b) }
        }
        guard let text = bytes.withUnsafeReadableBytes({ reply.body($0) }) else { return false }
        let out = context.channel.allocator.buffer(string: text)
        var fields = HTTPFields()
        fields.reserveCapacity(4)
        for (name, value) in reply.headers(contentLength: out.readableBytes) { fields[name] = value }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(out)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        needsFlush = true
        reply.record(since: h.start)
        return true
    }

    // MARK: passing on

    private func pass(_ context: ChannelHandlerContext, _ part: HTTPRequestPart) {
        if case .head = part { passedPending += 1 }
        context.fireChannelRead(wrapInboundOut(part))
    }

    /// Hands the held request's head and body parts (if any) to Hummingbird, as they came;
    /// the rest of that request follows them.
    private func passHeld(_ context: ChannelHandlerContext) {
        guard let h = held else { return }
        held = nil
        if mode == .own { mode = .passing }
        pass(context, .head(h.head))
        if let body = h.body { pass(context, .body(body)) }
        for b in h.more { pass(context, .body(b)) }
    }
}
