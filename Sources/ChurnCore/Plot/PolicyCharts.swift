extension Plot {
    /// Regret curves of policies learning online: cumulative regret (against the simulator's
    /// per-user oracle) after each batch, one line per policy; x is rounds (batch × `batchSize`).
    /// A fixed policy's regret grows linearly, a learner's bends as it improves.
    public static func regret(series: [(name: String, values: [Double])], batchSize: Double = 1,
                              options: PlotOptions = PlotOptions()) throws -> String {
        try options.check()
        guard !series.isEmpty, series.contains(where: { !$0.values.isEmpty }) else { throw PlotError.invalid("regret curves: no values") }
        guard batchSize > 0, batchSize.isFinite else { throw PlotError.invalid("regret curves: batch must be > 0") }
        var chart = XYChart(options: titled(options, "Cumulative regret", "Rounds", "Cumulative regret"))
        for (i, s) in series.enumerated() {
            chart.series.append(Series(name: s.name, xs: (0..<s.values.count).map { Double($0 + 1) * batchSize },
                                       ys: s.values, color: Style.color(i)))
        }
        return chart.render()
    }
}
