/// Structural validation of models read from files.
///
/// A model file's SHA-256 only detects accidental corruption: whoever edits a
/// file can recompute it. Prediction code indexes flat arrays without bounds
/// checks (trees are walked by raw child indices, categorical splits read
/// bitset words by offset), so a decoded model must be proven well-formed
/// before it is used: every index in range, array lengths consistent, trees
/// acyclic with every node reachable from the root exactly once, and the
/// numbers predictions read finite. Each model kind states its invariants in
/// its own `validate()`; `ModelFile.Contents.decode` is the one place that
/// calls it, so no decoded model reaches a caller unchecked.
public protocol StructurallyValidated {
    /// Throws `ModelStructureError` naming the first defect found.
    func validate() throws
}

/// A structural defect of a decoded model: where it is ("tree 3 node 17",
/// "coef", "preprocessing step 2") and what is wrong.
public struct ModelStructureError: Error, CustomStringConvertible, Equatable {
    public let location: String
    public let reason: String

    public init(_ location: String, _ reason: String) { self.location = location; self.reason = reason }

    public var description: String { location.isEmpty ? reason : "\(location): \(reason)" }

    /// The same defect seen from an enclosing part ("tree 3" + "node 17: …").
    func inside(_ outer: String) -> ModelStructureError {
        ModelStructureError(location.isEmpty ? outer : "\(outer) \(location)", reason)
    }
}

/// Small checks shared by the models' `validate()` methods.
enum StructureCheck {
    /// `count` elements in `what`, as `expected` says.
    static func length(_ what: String, _ count: Int, expected: Int, _ why: String) throws {
        guard count == expected else {
            throw ModelStructureError(what, "has \(count) entr\(count == 1 ? "y" : "ies"), expected \(expected) (\(why))")
        }
    }

    /// Every value of `values` finite (the first offender is named by index).
    static func finite(_ what: String, _ values: [Double]) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw ModelStructureError(what, "entry \(i + 1) is \(values[i]); must be finite")
        }
    }

    static func finite(_ what: String, _ value: Double) throws {
        guard value.isFinite else { throw ModelStructureError(what, "is \(value); must be finite") }
    }

    /// No name twice (names are looked up in dictionaries; a repeat would
    /// silently shadow the first).
    static func unique(_ what: String, _ names: [String]) throws {
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted { throw ModelStructureError(what, "'\(n)' appears twice") }
    }
}

extension ModelMetadata: StructurallyValidated {
    /// Feature descriptions used to build the input matrix (names looked up
    /// by name, categorical levels used to re-code) and the preprocessing
    /// pipeline applied before every prediction.
    public func validate() throws {
        try StructureCheck.unique("metadata features", featureNames)
        for (i, f) in features.enumerated() {
            let at = "metadata feature \(i + 1) ('\(f.name)')"
            switch f.type {
            case .numeric:
                if f.levels != nil { throw ModelStructureError(at, "a numeric feature cannot have levels") }
            case .categorical:
                try StructureCheck.unique("\(at) levels", f.levels ?? [])
            }
        }
        if let pre = preprocessing, pre.kind == Self.prepPipelineKind {
            let pipeline: PrepPipeline
            do { pipeline = try JSONDecoder().decode(PrepPipeline.self, from: pre.data) }
            catch { throw ModelStructureError("preprocessing", "unreadable pipeline (\(ModelFile.describe(error)))") }
            do { try pipeline.validate() } catch let e as ModelStructureError { throw e.inside("preprocessing") }
        }
    }
}

import Foundation
