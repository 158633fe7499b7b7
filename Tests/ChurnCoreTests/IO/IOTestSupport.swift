import Foundation
import XCTest
@testable import ChurnCore

enum IOFixture {
    static func path(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)").path
    }

    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("churnlab-io-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}

/// Asserts two frames have the same names, types, nulls and values (floats bit-exact, NaN = NaN).
func assertFramesEqual(_ a: Frame, _ b: Frame, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.names, b.names, file: file, line: line)
    XCTAssertEqual(a.nrow, b.nrow, file: file, line: line)
    guard a.names == b.names, a.nrow == b.nrow else { return }
    for (x, y) in zip(a.columns, b.columns) {
        XCTAssertEqual(x.dtype, y.dtype, "type of \(x.name)", file: file, line: line)
        for i in 0..<a.nrow {
            XCTAssertEqual(x.isNull(i), y.isNull(i), "null at \(x.name)[\(i)]", file: file, line: line)
            if case .float64(let u) = x.data, case .float64(let v) = y.data {
                XCTAssertTrue(u[i].bitPattern == v[i].bitPattern || (u[i].isNaN && v[i].isNaN) || x.isNull(i),
                              "\(x.name)[\(i)]: \(u[i]) vs \(v[i])", file: file, line: line)
            } else {
                XCTAssertEqual(CellText.plain(x, i), CellText.plain(y, i), "\(x.name)[\(i)]", file: file, line: line)
            }
        }
    }
}
