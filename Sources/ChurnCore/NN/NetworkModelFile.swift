import Foundation

/// `cl.nn` networks in the common versioned model file (`ModelFile`: magic,
/// format version, header, SHA-256 checksum) with kind "nn.network" and the
/// `NetworkFile` JSON as payload, so a network file is checked the way every
/// model file is (truncation, checksum, version) before its layers are
/// rebuilt and validated. Files written before this (the bare `NetworkFile`
/// JSON) still load.
public enum NetworkModelFile {
    public static let kind = "nn.network"

    public static func write(_ net: Network, to path: String) throws {
        try ModelFile.write(kind: kind, payload: NetworkFile(net), metadata: ModelMetadata(features: []), to: path)
    }

    /// A network from file bytes: a model file of kind "nn.network", or a bare network JSON.
    public static func read(_ data: Data, source: String) throws -> Network {
        if data.starts(with: ModelFile.magic) {
            let contents = try ModelFile.decode(data, source: source)
            guard contents.header.kind == kind else {
                throw NNError("'\(source)' holds a '\(contents.header.kind)' model, not a cl.nn network (open it with cl.model.load)")
            }
            return try NetworkFile.decode(contents.payload)
        }
        return try NetworkFile.decode(data)
    }
}
