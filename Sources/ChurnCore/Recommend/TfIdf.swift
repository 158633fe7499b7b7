import ExecutionControl
import Foundation

/// Tokens for course descriptions: words of two or more word characters
/// (scikit-learn's default `(?u)\b\w\w+\b`, lowercased) for Latin and other
/// spaced scripts, and overlapping character bigrams for runs of CJK
/// characters, which are written without spaces (a lone CJK character is kept
/// as a unigram). Pure-CJK text gives exactly scikit-learn's
/// `analyzer="char", ngram_range=(2, 2)` bigrams.
public enum TextTokenizer {
    @inline(__always) static func isWord(_ s: Unicode.Scalar) -> Bool {
        if s == "_" { return true }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    @inline(__always) static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FA1F: return true
        default: return false
        }
    }

    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var run: [Unicode.Scalar] = []
        var runCJK = false
        func flush() {
            defer { run.removeAll(keepingCapacity: true) }
            if run.isEmpty { return }
            if runCJK {
                if run.count == 1 { out.append(String(String.UnicodeScalarView(run))); return }
                for i in 0..<(run.count - 1) { out.append(String(String.UnicodeScalarView(run[i...i + 1]))) }
            } else if run.count >= 2 {
                out.append(String(String.UnicodeScalarView(run)).lowercased())
            }
        }
        for s in text.unicodeScalars {
            guard isWord(s) else { flush(); continue }
            let cjk = isCJK(s)
            if !run.isEmpty && cjk != runCJK { flush() }
            runCJK = cjk
            run.append(s)
        }
        flush()
        return out
    }
}

/// TF-IDF as scikit-learn's `TfidfVectorizer` (defaults: smooth idf
/// ln((1 + n) / (1 + df)) + 1, raw counts or 1 + ln(tf) with `sublinearTF`,
/// rows L2-normalised); vocabulary sorted by code point like scikit-learn's,
/// terms kept when min_df ≤ df ≤ max_df (min_df below 1 and max_df up to 1
/// are shares of the documents, larger values counts), stop words removed
/// before counting.
public struct TfIdfModel: Codable, Sendable {
    public let vocabulary: [String]
    public let idf: [Double]
    public let sublinearTF: Bool
    let index: [String: Int]

    public static func fit(_ docs: [String], sublinearTF: Bool = false, minDF: Double = 1, maxDF: Double = 1.0,
                           stopWords: Set<String> = []) throws -> TfIdfModel {
        guard !docs.isEmpty else { throw ClusterError.invalid("tfidf needs at least one document") }
        let n = Double(docs.count)
        var df: [String: Int] = [:]
        for (i, doc) in docs.enumerated() {
            if i % 1024 == 1023 { try ExecutionContext.check() }
            for t in Set(TextTokenizer.tokens(doc)) where !stopWords.contains(t) { df[t, default: 0] += 1 }
        }
        let lo = minDF < 1 ? minDF * n : minDF
        let hi = maxDF <= 1 ? maxDF * n : maxDF
        let vocab = df.filter { Double($0.value) >= lo && Double($0.value) <= hi }.keys
            .sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
        guard !vocab.isEmpty else { throw ClusterError.invalid("tfidf: no terms remain (empty documents, or min_df/max_df/stop words removed all)") }
        let idf = vocab.map { log((1 + n) / (1 + Double(df[$0]!))) + 1 }
        var index: [String: Int] = [:]
        for (i, t) in vocab.enumerated() { index[t] = i }
        return TfIdfModel(vocabulary: vocab, idf: idf, sublinearTF: sublinearTF, index: index)
    }

    /// One sparse L2-normalised row per document: (term index ascending, weight).
    public func transform(_ docs: [String]) throws -> [[(Int, Double)]] {
        var out: [[(Int, Double)]] = []
        out.reserveCapacity(docs.count)
        for (i, doc) in docs.enumerated() {
            if i % 1024 == 1023 { try ExecutionContext.check() }
            var tf: [Int: Double] = [:]
            for t in TextTokenizer.tokens(doc) { if let j = index[t] { tf[j, default: 0] += 1 } }
            var row = tf.map { (j, c) in (j, (sublinearTF ? 1 + log(c) : c) * idf[j]) }.sorted { $0.0 < $1.0 }
            let norm = row.reduce(0.0) { $0 + $1.1 * $1.1 }.squareRoot()
            if norm > 0 { row = row.map { ($0.0, $0.1 / norm) } }
            out.append(row)
        }
        return out
    }
}

extension TfIdfModel {
    /// Cosine similarity of two L2-normalised sparse rows (their dot product).
    public static func cosine(_ a: [(Int, Double)], _ b: [(Int, Double)]) -> Double {
        var i = 0, j = 0, s = 0.0
        while i < a.count && j < b.count {
            if a[i].0 == b[j].0 { s += a[i].1 * b[j].1; i += 1; j += 1 } else if a[i].0 < b[j].0 { i += 1 } else { j += 1 }
        }
        return s
    }
}
