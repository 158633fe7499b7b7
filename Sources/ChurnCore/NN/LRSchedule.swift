import Foundation

/// Learning rate per epoch (`torch.optim.lr_scheduler`, stepped once per
/// epoch): constant; `step` (StepLR: lr·γ^⌊epoch/step_size⌋); `cosine`
/// (CosineAnnealingLR: η_min + (lr − η_min)(1 + cos(π·epoch/T_max))/2).
public enum LRSchedule: Codable, Equatable, Sendable {
    case constant
    case step(every: Int, gamma: Double)
    case cosine(tMax: Int, minLR: Double)

    /// The rate for 0-based `epoch`.
    public func rate(_ base: Double, epoch: Int) -> Double {
        switch self {
        case .constant: return base
        case let .step(every, gamma): return base * pow(gamma, Double(epoch / max(1, every)))
        case let .cosine(tMax, minLR):
            let e = Double(min(epoch, max(1, tMax)))
            return minLR + (base - minLR) * (1 + cos(Double.pi * e / Double(max(1, tMax)))) / 2
        }
    }

    public func validate() throws {
        switch self {
        case .constant: return
        case let .step(every, gamma):
            guard every >= 1, gamma.isFinite, gamma > 0, gamma <= 1 else { throw NNError("step schedule: step_size ≥ 1 and gamma in (0, 1]") }
        case let .cosine(tMax, minLR):
            guard tMax >= 1, minLR.isFinite, minLR >= 0 else { throw NNError("cosine schedule: t_max ≥ 1 and min_lr ≥ 0") }
        }
    }
}
