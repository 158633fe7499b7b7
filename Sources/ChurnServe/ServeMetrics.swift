import Foundation
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`): requests by route and
/// status, latency histograms by route, rows scored, events ingested, the
/// model version (an info gauge) and the online state's size.
final class ServeMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let lock = NSLock()
    private struct Key: Hashable { let route: String; let status: Int }
    private var counters: [Key: Counter] = [:]
    private var histograms: [String: DurationHistogram] = [:]
    private var modelInfo: Gauge?
    let rowsScored: Counter
    let eventsIngested: Counter
    let termsIngested: Counter
    let reloads: Counter
    let stateUsers: Gauge, stateEvents: Gauge, stateBytes: Gauge

    static let buckets: [Duration] = [50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 100_000, 1_000_000].map { .microseconds($0) }

    init() {
        func d(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "churnlab", metricName: name, unitName: unit, helpText: help)
        }
        rowsScored = registry.makeCounter(descriptor: d("scored_rows", "total", "Rows scored by /v1/score and /v1/users/{id}/risk"))
        eventsIngested = registry.makeCounter(descriptor: d("events_ingested", "total", "Events accepted by /v1/events"))
        termsIngested = registry.makeCounter(descriptor: d("subscriptions_ingested", "total", "Subscription terms accepted by /v1/subscriptions"))
        reloads = registry.makeCounter(descriptor: d("model_reloads", "total", "Successful model reloads"))
        stateUsers = registry.makeGauge(descriptor: d("state_users", "count", "Users in the online feature state"))
        stateEvents = registry.makeGauge(descriptor: d("state_events", "count", "Events held by the online feature state"))
        stateBytes = registry.makeGauge(descriptor: d("state", "bytes", "Approximate bytes held by the online feature state"))
    }

    func request(route: String, status: Int, duration: Duration) {
        recorder(route: route, status: status).record(duration)
    }

    /// The counter and latency histogram of one route and status: `request(…)` without the
    /// lookup, for a caller that records many (the score fast path keeps one per connection).
    struct Recorder {
        let counter: Counter
        let histogram: DurationHistogram
        func record(_ duration: Duration) {
            counter.increment()
            histogram.record(duration)
        }
    }

    func recorder(route: String, status: Int) -> Recorder {
        let key = Key(route: route, status: status)
        return lock.withLock {
            let c = counters[key] ?? {
                let c = registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "churnlab", metricName: "http_requests", unitName: "total",
                                                                              helpText: "HTTP requests by route and status"),
                                             labels: [("route", route), ("status", String(status))])
                counters[key] = c
                return c
            }()
            let h = histograms[route] ?? {
                let h = registry.makeDurationHistogram(descriptor: MetricNameDescriptor(namespace: "churnlab", metricName: "http_request_duration",
                                                                                        unitName: "seconds", helpText: "Request latency by route"),
                                                       labels: [("route", route)], buckets: ServeMetrics.buckets)
                histograms[route] = h
                return h
            }()
            return Recorder(counter: c, histogram: h)
        }
    }

    func setModel(version: String, kind: String) {
        lock.withLock {
            if let old = modelInfo { registry.unregisterGauge(old) }
            let g = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "churnlab", metricName: "model", unitName: "info",
                                                                         helpText: "The model being served (value 1)"),
                                       labels: [("version", version), ("kind", kind)])
            g.set(1.0)
            modelInfo = g
        }
    }
}
