import XCTest
@testable import ChurnCore

/// Vectors: NIST FIPS 180-4 examples / CAVP SHA256ShortMsg, and RFC 4231 for HMAC-SHA256.
final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(Hex.encode(SHA256.hash("")),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Hex.encode(SHA256.hash("abc")),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Hex.encode(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(Hex.encode(SHA256.hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        // CAVP SHA256ShortMsg Len=8, Msg=d3
        XCTAssertEqual(Hex.encode(SHA256.hash([0xd3])),
                       "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1")
    }

    func testMillionAsStreamedInOddPieces() {
        var h = SHA256()
        let piece = [UInt8](repeating: 0x61, count: 997)
        var left = 1_000_000
        while left > 0 { let n = min(left, piece.count); h.update(Array(piece[0..<n])); left -= n }
        XCTAssertEqual(Hex.encode(h.finalize()),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testStreamingEqualsOneShotAtEveryBoundary() {
        var rng = SeededRandom(seed: 7)
        let msg = (0..<200).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for len in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
            let m = Array(msg[0..<len])
            for cut in Set([0, len / 3, len / 2, len]) {
                var h = SHA256(); h.update(Array(m[0..<cut])); h.update(Array(m[cut...]))
                XCTAssertEqual(h.finalize(), SHA256.hash(m), "len \(len) cut \(cut)")
            }
        }
    }

    func testFileHash() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try Data("abc".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(Hex.encode(try SHA256.hashFile(atPath: url.path)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertThrowsError(try SHA256.hashFile(atPath: "/nonexistent/x")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/x"))
        }
    }

    func testHMACRFC4231() {
        func h(_ key: [UInt8], _ msg: [UInt8]) -> String { Hex.encode(HMACSHA256.authenticate(key: key, message: msg)) }
        // Test case 1
        XCTAssertEqual(h([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8)),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // Test case 2
        XCTAssertEqual(h(Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 3
        XCTAssertEqual(h([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50)),
                       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
        // Test case 4
        XCTAssertEqual(h(Array(1...25), [UInt8](repeating: 0xcd, count: 50)),
                       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
        // Test case 6: key longer than the block size
        XCTAssertEqual(h([UInt8](repeating: 0xaa, count: 131),
                         Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        // Test case 7
        XCTAssertEqual(h([UInt8](repeating: 0xaa, count: 131),
                         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8)),
                       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    func testHexRoundTripAndConstantTimeEqual() {
        XCTAssertEqual(Hex.decode("00ff10Ab"), [0, 255, 16, 171])
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
        XCTAssertTrue(HMACSHA256.equal([1, 2], [1, 2]))
        XCTAssertFalse(HMACSHA256.equal([1, 2], [1, 3]))
        XCTAssertFalse(HMACSHA256.equal([1], [1, 2]))
    }
}
