/// Shared pieces of the `ChurnModel` conformance of the tree kinds.
extension TreeInputSchema {
    /// Feature descriptions for model metadata (fit-time levels of categoricals).
    var modelFeatures: [ModelMetadata.Feature] {
        names.indices.map { k in
            isCategorical[k] ? .init(name: names[k], type: .categorical, levels: levels[k]) : .init(name: names[k], type: .numeric)
        }
    }
}

enum TreeImportanceTypes {
    static let all = [TreeImportanceKind.gain.rawValue, TreeImportanceKind.split.rawValue]

    static func parse(_ type: String?) throws -> TreeImportanceKind {
        guard let t = type else { return .gain }
        guard let k = TreeImportanceKind(rawValue: t) else {
            throw TreeModelError.invalidOption("importance type must be 'gain' or 'split', got '\(t)'")
        }
        return k
    }
}
