import XCTest
@testable import ChurnCore

/// Fitted-Q iteration with GBDT function approximation: recovers value iteration's optimal
/// policy on the small MDP of `QLearningTests`, and beats linear fitted-Q where Q is not linear.
final class FittedQTests: XCTestCase {
    var gbdtOptions: GradientBoostingOptions {
        var o = GradientBoostingOptions()
        o.nIterations = 30; o.learningRate = 0.5; o.numLeaves = 4; o.minDataInLeaf = 5; o.seed = 1
        return o
    }

    func testGBDTFittedQFindsTheOptimalPolicyOfASmallMDP() throws {
        let mdp = SmallMDP()
        let qStar = mdp.valueIteration()
        let t = mdp.sample(perPair: 300, seed: 4)
        let n = t.count
        // One-hot state features (a tree splits them exactly).
        func oneHot(_ s: [Int]) throws -> FeatureMatrix {
            try FeatureMatrix(names: ["s0", "s1", "s2"], features: (0..<3).map { j in .numeric(s.map { $0 == j ? 1 : 0 }) })
        }
        let m = try FittedQ.fit(t, X: try oneHot(t.states), Xnext: try oneHot(t.nextStates), actions: 2, discount: mdp.gamma,
                                iterations: 200, tolerance: 1e-3, regressor: FittedQ.gbdt(gbdtOptions))
        XCTAssertLessThan(m.lastChange, 1e-3)
        let Q = try m.values(try oneHot([0, 1, 2]))
        XCTAssertEqual(QLearning.greedy(Q, actions: 2), QLearning.greedy(qStar, actions: 2))
        // The sampled transitions' empirical MDP differs a little from the true one (300 draws a pair).
        for j in 0..<6 { XCTAssertEqual(Q[j], qStar[j], accuracy: 1.0, "Q[\(j)]") }
        XCTAssertEqual(n, 1800)
    }

    /// One continuous state x ∈ [0, 1], next state uniform and independent: action 1 earns +1 inside
    /// (0.3, 0.7) and −1 outside, action 0 earns 0. Q(x, a) = r(x, a) + γ·const, so the optimal policy
    /// is "act inside the band" — a bump a linear Q in x cannot represent.
    func testGBDTBeatsLinearFittedQOnANonLinearQ() throws {
        var rng = SeededRandom(seed: 9)
        let n = 4000
        var t = Transitions(states: [], actions: [], rewards: [], nextStates: [], done: [])
        var x = [Double](), xn = [Double]()
        for i in 0..<n {
            let s = rng.uniform(), a = i % 2
            x.append(s); xn.append(rng.uniform())
            t.states.append(i); t.actions.append(a); t.nextStates.append(i); t.done.append(false)
            t.rewards.append(a == 0 ? 0 : (s > 0.3 && s < 0.7 ? 1 : -1))
        }
        let gamma = 0.5
        let g = try FittedQ.fit(t, X: try FeatureMatrix(names: ["x"], features: [.numeric(x)]),
                                Xnext: try FeatureMatrix(names: ["x"], features: [.numeric(xn)]), actions: 2, discount: gamma,
                                iterations: 40, tolerance: 1e-3, regressor: FittedQ.gbdt(gbdtOptions))
        var X = [Double](), Xn = [Double]()
        for i in 0..<n { X += [1, x[i]]; Xn += [1, xn[i]] }
        let theta = try QLearning.fittedLinear(t, X: X, Xnext: Xn, d: 2, actions: 2, discount: gamma, ridge: 1e-6, iterations: 200)
        let grid = (0..<100).map { (Double($0) + 0.5) / 100 }
        let qg = try g.values(try FeatureMatrix(names: ["x"], features: [.numeric(grid)]))
        var rightG = 0, rightL = 0
        for (i, s) in grid.enumerated() {
            let best = s > 0.3 && s < 0.7 ? 1 : 0
            if (qg[i * 2 + 1] > qg[i * 2] ? 1 : 0) == best { rightG += 1 }
            let ql0 = theta[0] + theta[1] * s, ql1 = theta[2] + theta[3] * s
            if (ql1 > ql0 ? 1 : 0) == best { rightL += 1 }
        }
        // Linear: at best one threshold, so it is wrong on one side of the band (≥ 30 of 100 points).
        XCTAssertGreaterThanOrEqual(rightG, 97, "GBDT right on \(rightG)/100")
        XCTAssertLessThanOrEqual(rightL, 70, "linear right on \(rightL)/100")
        // Q inside the band: 1 + γ·E[max_b Q(x′, b)] = 1 + γ·0.4/(1 − γ) (the band is 40 % of states).
        XCTAssertEqual(qg[50 * 2 + 1], 1 + gamma * 0.4 / (1 - gamma), accuracy: 0.1)
    }

    func testBadInput() throws {
        let t = Transitions(states: [0], actions: [0], rewards: [1], nextStates: [0], done: [true])
        let X = try FeatureMatrix(names: ["x"], features: [.numeric([0])])
        XCTAssertThrowsError(try FittedQ.fit(t, X: X, Xnext: X, actions: 2, discount: 0.5, regressor: FittedQ.gbdt(gbdtOptions))) {
            XCTAssertTrue("\($0)".contains("action 2 has no transitions"), "\($0)")
        }
        XCTAssertThrowsError(try FittedQ.fit(t, X: X, Xnext: X, actions: 1, discount: 1, regressor: FittedQ.gbdt(gbdtOptions)))
    }
}
