import XCTest
@testable import ChurnCore

/// A small MDP whose optimal Q is computed by value iteration (shared with `FittedQTests`).
struct SmallMDP {
    // 3 states, 2 actions, γ = 0.9. P[s][a] = [(s′, prob)], R[s][a].
    let P: [[[(Int, Double)]]] = [
        [[(0, 0.8), (1, 0.2)], [(1, 0.9), (2, 0.1)]],
        [[(0, 1.0)], [(2, 0.7), (1, 0.3)]],
        [[(2, 1.0)], [(0, 1.0)]],
    ]
    let R: [[Double]] = [[0, -1], [1, 0], [2, 0]]
    let gamma = 0.9

    /// Value iteration to convergence: Q*(s,a) = R + γ Σ P max Q*.
    func valueIteration() -> [Double] {
        var Q = [Double](repeating: 0, count: 6)
        for _ in 0..<2000 {
            var next = Q
            for s in 0..<3 { for a in 0..<2 {
                next[s * 2 + a] = R[s][a] + gamma * P[s][a].reduce(0) { $0 + $1.1 * max(Q[$1.0 * 2], Q[$1.0 * 2 + 1]) }
            } }
            Q = next
        }
        return Q
    }

    /// `perPair` sampled transitions from every (s, a).
    func sample(perPair: Int, seed: UInt64) -> Transitions {
        var rng = SeededRandom(seed: seed)
        var t = Transitions(states: [], actions: [], rewards: [], nextStates: [], done: [])
        for s in 0..<3 { for a in 0..<2 { for _ in 0..<perPair {
            let u = rng.uniform()
            var acc = 0.0, s2 = P[s][a].last!.0
            for (n, p) in P[s][a] { acc += p; if u < acc { s2 = n; break } }
            t.states.append(s); t.actions.append(a); t.rewards.append(R[s][a]); t.nextStates.append(s2); t.done.append(false)
        } } }
        return t
    }
}

/// Q-learning and fitted-Q iteration against the optimal policy of a small MDP
/// computed here by value iteration.
final class QLearningTests: XCTestCase {
    let mdp = SmallMDP()
    var gamma: Double { mdp.gamma }
    func valueIteration() -> [Double] { mdp.valueIteration() }
    func sample(perPair: Int, seed: UInt64) -> Transitions { mdp.sample(perPair: perPair, seed: seed) }

    func testTabularQLearningFindsTheOptimalPolicy() throws {
        let qStar = valueIteration()
        // Hand check of the optimum: in s2 staying (2 per period forever = 20) beats going back.
        XCTAssertEqual(qStar[4], 20, accuracy: 1e-9)
        let Q = try QLearning.tabular(sample(perPair: 2000, seed: 1), states: 3, actions: 2, discount: gamma, epochs: 100, seed: 3)
        XCTAssertEqual(QLearning.greedy(Q, actions: 2), QLearning.greedy(qStar, actions: 2))
        for j in 0..<6 { XCTAssertEqual(Q[j], qStar[j], accuracy: 0.5, "Q[\(j)]") }
        // Deterministic for a seed.
        XCTAssertEqual(Q, try QLearning.tabular(sample(perPair: 2000, seed: 1), states: 3, actions: 2, discount: gamma, epochs: 100, seed: 3))
    }

    func testFittedQWithOneHotFeaturesIsValueIteration() throws {
        let qStar = valueIteration()
        let t = sample(perPair: 2000, seed: 2)
        let n = t.count
        var X = [Double](repeating: 0, count: n * 3), Xn = X
        for i in 0..<n { X[i * 3 + t.states[i]] = 1; Xn[i * 3 + t.nextStates[i]] = 1 }
        let theta = try QLearning.fittedLinear(t, X: X, Xnext: Xn, d: 3, actions: 2, discount: gamma, ridge: 1e-6, iterations: 1000)
        // θ[a][s] is Q(s, a) with one-hot states.
        var Q = [Double](repeating: 0, count: 6)
        for s in 0..<3 { for a in 0..<2 { Q[s * 2 + a] = theta[a * 3 + s] } }
        XCTAssertEqual(QLearning.greedy(Q, actions: 2), QLearning.greedy(qStar, actions: 2))
        for j in 0..<6 { XCTAssertEqual(Q[j], qStar[j], accuracy: 0.5, "Q[\(j)]") }
    }

    func testBadOptions() {
        let t = sample(perPair: 1, seed: 1)
        XCTAssertThrowsError(try QLearning.tabular(t, states: 3, actions: 2, discount: 1))
        XCTAssertThrowsError(try QLearning.tabular(t, states: 2, actions: 2, discount: 0.5))
    }
}
