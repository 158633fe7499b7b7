import ExecutionControl
import Foundation
import LuaRuntime
import XCTest

/// The watchdog fires once per top-level call whose token stayed cancelled
/// (or past its deadline) for longer than the grace period — for work no
/// cooperative check reaches. (The CLI's policy ends the process; here the
/// policy releases the simulated stuck native call instead.)
final class WatchdogTests: XCTestCase {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var fired: [(CancellationReason, Double)] = []
        var events: [(CancellationReason, Double)] { lock.lock(); defer { lock.unlock() }; return fired }
        func record(_ r: CancellationReason, _ at: Double) { lock.lock(); fired.append((r, at)); lock.unlock() }
    }

    override func tearDown() { Watchdog.policy = nil }

    /// A Swift function that ignores the token until the watchdog fired.
    private func stuck(_ s: LuaState, _ flag: Flag) {
        s.register(global: "stuck") { _ in
            while flag.events.isEmpty { usleep(1000) }
            return 0
        }
    }

    func testFiresAfterGraceWhenTheTimeLimitIsIgnored() throws {
        let flag = Flag()
        Watchdog.policy = Watchdog.Policy(grace: 0.3) { reason, timeout, _ in
            flag.record(reason, CancellationToken.monotonicNow())
            XCTAssertEqual(timeout, 0.2)
        }
        let s = try LuaState(LuaOptions(limits: LuaLimits(timeout: 0.2)))
        stuck(s, flag)
        let t0 = CancellationToken.monotonicNow()
        XCTAssertThrowsError(try s.run("stuck(); while true do end")) { e in
            XCTAssertEqual((e as? LuaError)?.kind, .timeout)
        }
        let events = flag.events
        XCTAssertEqual(events.map(\.0), [.timeLimit])
        // deadline 0.2 s + grace 0.3 s, seen within one 50 ms period (plus scheduling).
        XCTAssertGreaterThan(events[0].1 - t0, 0.5 - 0.01)
        XCTAssertLessThan(events[0].1 - t0, 0.5 + 0.3)
    }

    func testFiresAfterGraceWhenAnInterruptIsIgnored() throws {
        let flag = Flag()
        Watchdog.policy = Watchdog.Policy(grace: 0.3) { reason, _, _ in flag.record(reason, CancellationToken.monotonicNow()) }
        let s = try LuaState()
        stuck(s, flag)
        var interruptedAt = 0.0
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) {
            interruptedAt = CancellationToken.monotonicNow()
            s.interrupt()
        }
        XCTAssertThrowsError(try s.run("stuck()")) { e in XCTAssertEqual((e as? LuaError)?.kind, .interrupted) }
        let events = flag.events
        XCTAssertEqual(events.map(\.0), [.interrupted])
        XCTAssertGreaterThan(events[0].1 - interruptedAt, 0.3 - 0.01)
        XCTAssertLessThan(events[0].1 - interruptedAt, 0.3 + 0.3)
    }

    /// Work that stops cooperatively within the grace is never reported,
    /// and nothing is watched between calls.
    func testQuietWhenWorkStopsInTime() throws {
        let flag = Flag()
        Watchdog.policy = Watchdog.Policy(grace: 0.3) { reason, _, _ in flag.record(reason, 0) }
        let s = try LuaState(LuaOptions(limits: LuaLimits(timeout: 0.1)))
        XCTAssertThrowsError(try s.run("while true do end"))
        s.interrupt()      // between calls: not watched
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertTrue(flag.events.isEmpty)
    }
}
