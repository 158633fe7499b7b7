@testable import ChurnServe
import FuzzSupport
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// `WireRequestHead`, the request-head reader `churnlab serve` runs on every connection's raw
/// bytes: any input must give a reading without trapping, and a head it accepts must be one the
/// server's own HTTP/1 pipeline (NIO's decoder, llhttp, then the HTTPTypes conversion Hummingbird
/// sees) reads alike — the same request line, where the head ends, the body's length, and the
/// Authorization and Content-Type values. A disagreement traps, so libFuzzer keeps the input
/// (`WireRequestHeadTests` checks the same property on random edits).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServeWire(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let line = ScoreWireHandler.requestLine
    // Inputs that do not start with the request line are declined at once; put it in front of
    // half of them so the fuzzer spends its time on the headers.
    let b = count > 0 && input[0] & 1 == 1 ? line + input.dropFirst() : input
    let reading = b.withUnsafeBytes { WireRequestHead.read($0, requestLine: line, maxLength: ScoreWireHandler.maxHeadLength) }
    guard case .head(let h) = reading, h.contentLength <= 1 << 16 else { return 0 }
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    try! channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)),
                                                     HTTP1ToHTTPServerCodec(secure: false)])
    var framed = ByteBuffer(bytes: b[..<h.length])
    framed.writeRepeatingByte(UInt8(ascii: "x"), count: h.contentLength)
    let text = String(decoding: b[..<h.length], as: UTF8.self).debugDescription
    guard (try? channel.writeInbound(framed)) != nil else { fatalError("accepted, the HTTP/1 pipeline refuses it: \(text)") }
    var head: HTTPRequest?, body = 0, ended = false
    while !ended, let part = try? channel.readInbound(as: HTTPRequestPart.self) {
        switch part {
        case .head(let p): head = p
        case .body(let chunk): body += chunk.readableBytes
        case .end: ended = true
        }
    }
    guard let head, ended else { fatalError("accepted, the HTTP/1 pipeline did not finish the request: \(text)") }
    func value(_ r: Range<Int>?) -> String? { r.map { String(decoding: b[$0], as: UTF8.self) } }
    let fields = head.headerFields
    guard head.method == .post, head.path == "/v1/score", body == h.contentLength,
          fields[values: .contentLength].count == 1, Int(fields[.contentLength]!) == h.contentLength,
          fields[values: .authorization].count <= 1, fields[.authorization] == value(h.authorization),
          fields[values: .contentType].count <= 1, fields[.contentType] == value(h.contentType),
          fields[.connection].map({ $0.lowercased() == "keep-alive" }) ?? true
    else { fatalError("the HTTP/1 pipeline reads it otherwise (\(head), \(fields)): \(text)") }
    return 0
}

@main enum FuzzServeWireMain { static func main() { FuzzDriver.main(fuzzServeWire) } }
