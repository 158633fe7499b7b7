import XCTest
@testable import ChurnCore

/// TF-IDF against scikit-learn 1.9.1 TfidfVectorizer (scripts/reference/tfidf_reference.py).
final class TfIdfTests: XCTestCase {
    let latin = ["Python Basics: variables, loops and functions",
                 "Advanced Python: decorators, generators and async",
                 "Data analysis with pandas and Python",
                 "Marketing basics for small business owners",
                 "python python python loops"]

    func check(_ got: [(Int, Double)], _ want: [(Int, Double)], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.map(\.0), want.map(\.0), file: file, line: line)
        for (a, b) in zip(got, want) { XCTAssertEqual(a.1, b.1, accuracy: 1e-15, file: file, line: line) }
    }

    func testLatinWordsMatchScikitLearn() throws {
        let m = try TfIdfModel.fit(latin)
        XCTAssertEqual(m.vocabulary, ["advanced", "analysis", "and", "async", "basics", "business", "data", "decorators", "for",
                                      "functions", "generators", "loops", "marketing", "owners", "pandas", "python", "small",
                                      "variables", "with"])
        XCTAssertEqual(m.idf[2], 1.4054651081081644, accuracy: 1e-15)
        XCTAssertEqual(m.idf[15], 1.1823215567939547, accuracy: 1e-15)
        let rows = try m.transform(latin)
        check(rows[0], [(2, 0.33205571244078924), (4, 0.4000235865440481), (9, 0.4958189247321069), (11, 0.4000235865440481),
                        (15, 0.2793357334952107), (17, 0.4958189247321069)])
        check(rows[3], [(4, 0.3393931489111758), (5, 0.4206690600631704), (8, 0.4206690600631704), (12, 0.4206690600631704),
                        (13, 0.4206690600631704), (16, 0.4206690600631704)])
        check(rows[4], [(11, 0.43078712759480253), (15, 0.9024535726000642)])
        // sublinear_tf = True: 1 + ln(3) for "python" ×3.
        check(try TfIdfModel.fit(latin, sublinearTF: true).transform([latin[4]])[0], [(11, 0.5636541137798601), (15, 0.8260109200361946)])
    }

    func testCJKBigramsMatchScikitLearnCharBigrams() throws {
        let cjk = ["机器学习入门", "深度学习实战", "机器学习与深度学习", "产品经理入门"]
        let m = try TfIdfModel.fit(cjk)
        XCTAssertEqual(m.vocabulary, ["与深", "习与", "习入", "习实", "产品", "入门", "品经", "器学", "学习", "实战", "度学", "机器", "深度", "理入", "经理"])
        let rows = try m.transform(cjk)
        check(rows[0], [(2, 0.5528163151092931), (5, 0.43584673254990375), (7, 0.43584673254990375), (8, 0.3528554929793508),
                        (11, 0.43584673254990375)])
        check(rows[2], [(0, 0.4043578065274807), (1, 0.4043578065274807), (7, 0.3188003391708979), (8, 0.5161927000439378),
                        (10, 0.3188003391708979), (11, 0.3188003391708979), (12, 0.3188003391708979)])
    }

    func testMixedScriptsStopWordsAndCosine() throws {
        XCTAssertEqual(TextTokenizer.tokens("Python 数据分析 入门, a b SQL!"), ["python", "数据", "据分", "分析", "入门", "sql"])
        XCTAssertEqual(TextTokenizer.tokens("学 AI"), ["学", "ai"])
        let m = try TfIdfModel.fit(latin, stopWords: ["and"])
        XCTAssertFalse(m.vocabulary.contains("and"))
        let r = try m.transform(latin)
        XCTAssertEqual(TfIdfModel.cosine(r[0], r[0]), 1, accuracy: 1e-15)
        XCTAssertEqual(TfIdfModel.cosine(r[0], r[3]), r[0][0].1 * r[3][0].1, accuracy: 1e-15)  // only "basics" shared
        XCTAssertThrowsError(try TfIdfModel.fit(["a", "b"]))
    }
}
