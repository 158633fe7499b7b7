import Foundation

/// The saved form of a `Network`: format version, layer specs, parameters by
/// name in order, norm statistics and the training history, as JSON.
/// Decoding rebuilds the layers from the specs (sizes range-checked) and
/// accepts the parameters only when count, names and shapes match what the
/// layers expect and every value is finite.
public struct NetworkFile: Codable {
    public static let formatVersion = 1
    public static let magic = "churnlab.nn"

    public struct NamedTensor: Codable { public var name: String; public var shape: [Int]; public var data: [Float] }

    public var format: String
    public var version: Int
    public var spec: LayerSpec
    public var rowShape: [Int]
    public var sideWidth: Int?
    public var parameters: [NamedTensor]
    public var buffers: [[Float]]
    public var history: [EpochRecord]

    public init(_ net: Network) {
        format = NetworkFile.magic; version = NetworkFile.formatVersion
        spec = net.body.spec; rowShape = net.rowShape; sideWidth = net.sideWidth
        parameters = net.body.parameters.map { NamedTensor(name: $0.name, shape: $0.value.shape, data: $0.value.data) }
        buffers = net.batchNorms.flatMap { [$0.runningMean, $0.runningVar] }
        history = net.history
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        return try e.encode(self)
    }

    public static func decode(_ data: Data) throws -> Network {
        let f: NetworkFile
        do { f = try JSONDecoder().decode(NetworkFile.self, from: data) } catch {
            throw NNError("not a ChurnLab network file (\(error))")
        }
        guard f.format == magic else { throw NNError("not a ChurnLab network file (format '\(f.format)')") }
        guard f.version == formatVersion else { throw NNError("network file version \(f.version) is not supported (expected \(formatVersion))") }
        guard f.spec.kind == "sequential" else { throw NNError("network file: the top layer must be sequential") }
        guard f.rowShape.count <= 2, f.rowShape.allSatisfy({ (1...NNLimits.maxWidth).contains($0) }) else {
            throw NNError("network file: bad row shape \(f.rowShape)")
        }
        if let w = f.sideWidth, !(1...NNLimits.maxWidth).contains(w) { throw NNError("network file: bad static width \(w)") }
        var rng = SeededRandom(seed: 0)
        guard let body = try LayerFactory.make(f.spec, rng: &rng) as? Sequential<Float> else { throw NNError("network file: bad top layer") }
        let ps = body.parameters
        guard ps.count == f.parameters.count else {
            throw NNError("network file: \(f.parameters.count) parameter tensors, the layers need \(ps.count)")
        }
        for (k, (p, t)) in zip(ps, f.parameters).enumerated() {
            guard p.name == t.name, p.value.shape == t.shape, t.data.count == p.value.count else {
                throw NNError("network file: parameter \(k + 1) is '\(t.name)' \(t.shape), expected '\(p.name)' \(p.value.shape)")
            }
            guard t.data.allSatisfy({ $0.isFinite }) else { throw NNError("network file: parameter '\(t.name)' has a non-finite value") }
            p.value.data = t.data
        }
        let bns = Network.batchNorms(in: body)
        guard f.buffers.count == 2 * bns.count else { throw NNError("network file: \(f.buffers.count) norm buffers, expected \(2 * bns.count)") }
        for (k, bn) in bns.enumerated() {
            let m = f.buffers[2 * k], v = f.buffers[2 * k + 1]
            guard m.count == bn.channels, v.count == bn.channels, m.allSatisfy({ $0.isFinite }), v.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw NNError("network file: batch_norm \(k + 1) statistics are malformed")
            }
            bn.runningMean = m; bn.runningVar = v
        }
        let net = try Network(body, rowShape: f.rowShape, sideWidth: f.sideWidth)
        net.history = f.history
        net.body.train(false)
        return net
    }
}
