import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with `ScoreWireHandler` first in each connection's
/// pipeline, ahead of the HTTP/1 decoder that `HTTP1Channel.setup` adds (Hummingbird's
/// `additionalChannelHandlers` go after the decoder, where requests are already parts).
/// Everything else — the pipeline, the request handling — is `HTTP1Channel`'s own.
struct ServeChildChannel: ServerChildChannel {
    let http1: HTTP1Channel
    let server: ServeServer

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ScoreWireHandler(server: server))
        }.flatMap { http1.setup(channel: channel, logger: logger) }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
