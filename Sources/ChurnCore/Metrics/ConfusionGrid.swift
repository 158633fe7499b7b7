import Foundation

extension ConfusionMatrix {
    /// The matrix as a text grid, actual classes as rows and predicted as
    /// columns (scikit-learn's layout: negatives first), with row shares:
    ///
    ///                   predicted 0    predicted 1
    ///     actual 0      850 (94.4%)     50 (5.6%)
    ///     actual 1       30 (30.0%)     70 (70.0%)
    public func grid(negative: String = "0", positive: String = "1", threshold: Double? = nil) -> String {
        func count(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v) }
        func cell(_ v: Double, _ rowTotal: Double) -> String {
            rowTotal > 0 ? "\(count(v)) (\(String(format: "%.1f", 100 * v / rowTotal))%)" : count(v)
        }
        let rows = [("actual \(negative)", cell(tn, tn + fp), cell(fp, tn + fp)),
                    ("actual \(positive)", cell(fn, fn + tp), cell(tp, fn + tp))]
        let head = ("", "predicted \(negative)", "predicted \(positive)")
        let w0 = max(head.0.count, rows.map { $0.0.count }.max()!)
        let w1 = max(head.1.count, rows.map { $0.1.count }.max()!), w2 = max(head.2.count, rows.map { $0.2.count }.max()!)
        func pad(_ s: String, _ w: Int, right: Bool) -> String {
            let p = String(repeating: " ", count: max(0, w - s.count)); return right ? p + s : s + p
        }
        var out = threshold.map { "Confusion matrix at threshold \(MetricsReport.format($0)) (\(count(total)) rows)\n" } ?? ""
        out += pad(head.0, w0, right: false) + "  " + pad(head.1, w1, right: true) + "  " + pad(head.2, w2, right: true) + "\n"
        for r in rows { out += pad(r.0, w0, right: false) + "  " + pad(r.1, w1, right: true) + "  " + pad(r.2, w2, right: true) + "\n" }
        return out
    }
}
