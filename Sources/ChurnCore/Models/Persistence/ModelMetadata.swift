import Foundation

/// What a model file records besides the model: the features it needs (names,
/// types, categorical levels), the target, an optional preprocessing pipeline,
/// and free-form extras.
public struct ModelMetadata: Codable, Sendable, Equatable {
    public struct Feature: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case numeric, categorical }
        public var name: String
        public var type: Kind
        /// Fit-time levels of a categorical feature.
        public var levels: [String]?
        public init(name: String, type: Kind, levels: [String]? = nil) { self.name = name; self.type = type; self.levels = levels }
    }

    /// An opaque, versioned payload for the preprocessing pipeline, written and
    /// read by the prep layer (so the model file does not depend on its types).
    public struct Preprocessing: Codable, Sendable, Equatable {
        public var kind: String
        public var data: Data
        public init(kind: String, data: Data) { self.kind = kind; self.data = data }
    }

    public var features: [Feature]
    public var target: String?
    public var positiveLabel: String?
    public var negativeLabel: String?
    public var preprocessing: Preprocessing?
    public var extra: [String: String]

    public init(features: [Feature], target: String? = nil, positiveLabel: String? = nil, negativeLabel: String? = nil,
                preprocessing: Preprocessing? = nil, extra: [String: String] = [:]) {
        self.features = features; self.target = target; self.positiveLabel = positiveLabel
        self.negativeLabel = negativeLabel; self.preprocessing = preprocessing; self.extra = extra
    }

    /// Feature descriptions of a training matrix (levels as the matrix holds them).
    public init(matrix X: FeatureMatrix, target: BinaryTarget? = nil, targetName: String? = nil) {
        self.init(features: zip(X.names, X.features).map { name, f in
            if case .categorical(_, let levels) = f { return Feature(name: name, type: .categorical, levels: levels) }
            return Feature(name: name, type: .numeric)
        }, target: targetName, positiveLabel: target?.positiveLabel, negativeLabel: target?.negativeLabel)
    }

    public var featureNames: [String] { features.map(\.name) }

    /// Feature names `frame` lacks, in model order.
    public func missingFeatures(in frame: Frame) -> [String] { featureNames.filter { !frame.has($0) } }

    /// The model's input matrix from `frame`: checks every feature is present
    /// (error listing all missing ones). With `recode` (for models that use raw
    /// category codes, like trees) categoricals are re-coded against the
    /// fit-time levels, unseen levels becoming missing; without it they keep the
    /// frame's own levels (linear models map levels by text and report unseen
    /// ones by name).
    public func featureMatrix(from frame: Frame, recode: Bool = true) throws -> FeatureMatrix {
        let frame = try preprocess(frame)
        let missing = missingFeatures(in: frame)
        guard missing.isEmpty else { throw ModelFileError.missingFeatures(missing) }
        var levels: [String: [String]] = [:]
        if recode { for f in features { if let l = f.levels { levels[f.name] = l } } }
        return try FeatureMatrix(frame: frame, columns: featureNames, levels: levels)
    }
}

/// The model kinds this build can read from model files, by kind name. The
/// built-in kinds are known from the start; the binding's kind registry
/// registers each of its kinds too (`register(_:)`), so a new kind is readable
/// as soon as it is listed there.
public enum ModelRegistry {
    public typealias Decoder = @Sendable (ModelFile.Contents) throws -> any ChurnModel
    nonisolated(unsafe) private static var decoders: [String: Decoder] = {
        var d: [String: Decoder] = [:]
        for t in builtIn { d[t.kind] = decoder(t) }
        return d
    }()
    private static let lock = NSLock()

    /// The kinds the core itself defines.
    public static let builtIn: [any ChurnModel.Type] = [LogisticRegression.self, DecisionTree.self, RandomForest.self, GradientBoosting.self]

    private static func decoder<M: ChurnModel>(_ type: M.Type) -> Decoder {
        { try $0.decode(M.self, kind: M.kind) }
    }

    /// Makes files of `type`'s kind readable.
    public static func register(_ type: any ChurnModel.Type) {
        func open<M: ChurnModel>(_ t: M.Type) -> Decoder { decoder(t) }
        let d = open(type)
        lock.lock(); defer { lock.unlock() }
        decoders[type.kind] = d
    }

    public static func register(kind: String, _ decoder: @escaping Decoder) {
        lock.lock(); defer { lock.unlock() }
        decoders[kind] = decoder
    }

    public static var kinds: [String] { lock.lock(); defer { lock.unlock() }; return decoders.keys.sorted() }

    static func decoder(for kind: String) -> Decoder? { lock.lock(); defer { lock.unlock() }; return decoders[kind] }
}

extension ModelFile {
    /// Reads a model file and decodes its model with the registered decoder for its kind.
    public static func loadClassifier(_ path: String) throws -> (model: any BinaryClassifier, contents: Contents) {
        let (m, contents) = try loadModel(path)
        return (m, contents)
    }

    /// Reads a model file and decodes (and validates) its model, whatever its kind.
    public static func loadModel(_ path: String) throws -> (model: any ChurnModel, contents: Contents) {
        let contents = try read(path)
        return (try contents.decodeModel(), contents)
    }
}

extension ModelFile.Contents {
    /// The payload decoded by the registered kind named in the header.
    public func decodeModel() throws -> any ChurnModel {
        guard let decode = ModelRegistry.decoder(for: header.kind) else {
            throw ModelFileError.unknownKind(source, kind: header.kind, known: ModelRegistry.kinds)
        }
        return try decode(self)
    }
}

extension LogisticRegression {
    /// Metadata describing this model's inputs (levels as fitted).
    public func metadata(target: String? = nil, positiveLabel: String? = nil, negativeLabel: String? = nil) -> ModelMetadata {
        ModelMetadata(features: layout.features.map {
            ModelMetadata.Feature(name: $0.name, type: $0.levels == nil ? .numeric : .categorical, levels: $0.levels)
        }, target: target, positiveLabel: positiveLabel, negativeLabel: negativeLabel)
    }

    /// Saves to a model file (kind "logistic"); `metadata` defaults to `metadata()`.
    public func save(to path: String, metadata: ModelMetadata? = nil) throws {
        try ModelFile.write(kind: Self.kind, payload: self, metadata: metadata ?? self.metadata(), to: path)
    }

    public static func load(_ path: String) throws -> LogisticRegression {
        try ModelFile.read(path).decode(LogisticRegression.self, kind: kind)
    }
}

/// A model's own preprocessing: a `PrepPipeline` fitted on the training frame,
/// saved in the model file and applied to every frame before prediction.
extension ModelMetadata {
    public static let prepPipelineKind = "prep_pipeline"

    /// Stores a fitted pipeline with the model.
    public mutating func attach(_ pipeline: PrepPipeline) throws {
        preprocessing = Preprocessing(kind: Self.prepPipelineKind, data: try JSONEncoder().encode(pipeline))
    }

    /// `frame` after the model's pipeline (unchanged when there is none;
    /// other preprocessing kinds are payloads for their owner and left alone).
    public func preprocess(_ frame: Frame) throws -> Frame {
        guard let pre = preprocessing, pre.kind == Self.prepPipelineKind else { return frame }
        return try JSONDecoder().decode(PrepPipeline.self, from: pre.data).transform(frame)
    }
}
