import XCTest
@testable import ChurnCore

/// Penalized and stratified Cox fits, text features, predictions, the baseline,
/// the proportional-hazards test and model-file validation, against lifelines 0.30.3
/// on mlc_churn; every value below is printed by scripts/reference/cox_lifelines_reference.py.
final class CoxCompleteTests: XCTestCase {
    static let names = ["total_day_minutes", "number_customer_service_calls", "number_vmail_messages", "total_intl_calls", "intl"]

    /// T, E, the five covariates, plus the text columns area_code and voice.
    static func frame() throws -> Frame {
        let f = try Frame.readCSV(path: IOFixture.path("mlc_churn.csv")).frame
        let n = f.nrow
        func text(_ c: String) throws -> [String] { let col = try f.column(c); return (0..<n).map { col.string(at: $0)! } }
        var cols: [Column] = [.float("T", try f.column("account_length").toDoubles()!),
                              .bool("E", try text("churn").map { $0 == "yes" })]
        for name in names.dropLast() { cols.append(.float(name, try f.column(name).toDoubles()!)) }
        cols.append(.float("intl", try text("international_plan").map { $0 == "yes" ? 1 : 0 }))
        cols.append(.string("area_code", try text("area_code")))
        cols.append(.string("voice", try text("voice_mail_plan")))
        return try Frame(cols)
    }
    static let cols = SurvivalColumns(duration: "T", event: "E")

    func check(_ m: CoxPHModel, coef: [Double], se: [Double], ll: Double, c: Double, tol: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(m.coef.count, coef.count, file: file, line: line)
        for j in 0..<coef.count {
            XCTAssertEqual(m.coef[j], coef[j], accuracy: tol * max(abs(coef[j]), 1e-3), "coef \(m.features[j])", file: file, line: line)
            XCTAssertEqual(m.standardErrors[j] / se[j], 1, accuracy: tol, "se \(m.features[j])", file: file, line: line)
        }
        XCTAssertEqual(m.logPartialLikelihood, ll, accuracy: 1e-7 * abs(ll), file: file, line: line)
        XCTAssertEqual(m.concordance, c, accuracy: 1e-12, file: file, line: line)
    }

    func testL2PenalizerMatchesLifelines() throws {
        let m = try CoxPHModel.fit(try Self.frame(), Self.cols, features: Self.names, options: .init(penalizer: 0.1))
        check(m, coef: [0.0054555158617948804, 0.20402145111572656, -0.011321106600491241, -0.028456578512586636, 0.9705137882347158],
              se: [0.0005347534698471198, 0.019555589537785918, 0.0022604084052895296, 0.012132938449898443, 0.07795520855448977],
              ll: -5105.152535148531, c: 0.7686163690826443)
        XCTAssertEqual(m.aicPartial, 10220.305070297061, accuracy: 1e-6)
    }

    func testElasticNetMatchesLifelines() throws {
        let f = try Self.frame()
        let m = try CoxPHModel.fit(f, Self.cols, features: Self.names, options: .init(penalizer: 0.05, l1Ratio: 0.5))
        check(m, coef: [0.005110147183776887, 0.1876026208262029, -0.004398632332289923, -1.4944544070529594e-07, 0.930234456246565],
              se: [0.0006450223352278224, 0.02285181788061669, 0.0026530441279950436, 3.3783011890693364e-05, 0.08781508985586445],
              ll: -5179.9122259582255, c: 0.7663183274616553)
        let l1 = try CoxPHModel.fit(f, Self.cols, features: Self.names, options: .init(penalizer: 0.01, l1Ratio: 1))
        check(l1, coef: [0.007935243809442733, 0.25924943734627737, -0.015570273632344814, -0.016492239340797958, 1.1731522743721625],
              se: [0.0006997544907664291, 0.022457041314152132, 0.00323034118519255, 0.016057153294165762, 0.0860896582367651],
              ll: -5078.589188040812, c: 0.7657878763811294)
    }

    func testPredictionsAndBaseline() throws {
        let f = try Self.frame()
        let m = try CoxPHModel.fit(f, Self.cols, features: Self.names)
        let rows = try f.take(rows: [0, 1, 2, 9])
        let (eta, _) = try m.logPartialHazard(rows)
        let ph = [1.1708246179905255, 0.44031238291886965, 1.1795512997120332, 2.0180314433385487]
        for i in 0..<4 { XCTAssertEqual(exp(eta[i]) / ph[i], 1, accuracy: 1e-6) }
        let s = try m.survival(rows, times: [50, 100, 150.5])
        let ref = [[0.9886059814849147, 0.9259660980846058, 0.7780311201782375], [0.995699722214955, 0.971487917517381, 0.9099283486670015],
                   [0.9885215460186708, 0.9254353921617263, 0.7765769930931917], [0.9804423307484311, 0.8758371130002122, 0.6488174905265893]]
        for i in 0..<4 { for k in 0..<3 { XCTAssertEqual(s[i * 3 + k], ref[i][k], accuracy: 1e-7) } }
        XCTAssertEqual(try m.medianSurvival(rows), [212, .infinity, 212, 175])
        let b = m.baselines[0]
        XCTAssertEqual(b.times[0], 1); XCTAssertEqual(b.cumulativeHazard[0], 0.0001387183589581415, accuracy: 1e-10)
        XCTAssertEqual(b.times[99], 100); XCTAssertEqual(b.cumulativeHazard[99], 0.06569528430134082, accuracy: 1e-8)
        XCTAssertEqual(b.times.last, 243); XCTAssertEqual(b.cumulativeHazard.last!, 0.9099343702066698, accuracy: 1e-7)
    }

    func testProportionalHazardTest() throws {
        let f = try Self.frame()
        let m = try CoxPHModel.fit(f, Self.cols, features: Self.names)
        let rank = try m.proportionalHazardTest(f, transform: .rank)
        let km = try m.proportionalHazardTest(f, transform: .km)
        let rs = [1.5904907621324949, 0.7728568878211137, 1.2346800703761747, 1.0718435776678479, 1.5311037545111303]
        let rp = [0.20725603161946815, 0.37933469968343303, 0.2664988027493305, 0.30052939630706466, 0.2159468664355792]
        let ks = [1.9100552706471665, 1.3973973944955194, 1.3683089940814175, 1.060864738012361, 2.104004385041581]
        for j in 0..<5 {
            XCTAssertEqual(rank.statistic[j] / rs[j], 1, accuracy: 1e-5, "rank \(j)")
            XCTAssertEqual(rank.pValue[j], rp[j], accuracy: 1e-6)
            XCTAssertEqual(km.statistic[j] / ks[j], 1, accuracy: 1e-5, "km \(j)")
        }
    }

    func testTextFeatureAndStrata() throws {
        let f = try Self.frame()
        let m = try CoxPHModel.fit(f, Self.cols, features: Self.names + ["area_code"])
        XCTAssertEqual(m.features.suffix(2), ["area_code=area_code_415", "area_code=area_code_510"])
        check(m, coef: [0.009212073429129667, 0.28829348883197753, -0.02362450884693501, -0.04802181035092789, 1.2712770376807099, 0.02929984764085553, 0.045699715432028325],
              se: [0.00070067941387148, 0.02165291419084548, 0.0035356861008166854, 0.016798970462798483, 0.08424571281621962, 0.09261526260132866, 0.10560045359987602],
              ll: -5002.456639159018, c: 0.7625153120646605)
        let st = try CoxPHModel.fit(f, Self.cols, features: Self.names, strata: ["voice"])
        check(st, coef: [0.009120839476313492, 0.29713351858211756, 0.03326416492604578, -0.047706560216483944, 1.283564743684266],
              se: [0.0006991612829903102, 0.022337028801022847, 0.012839414365578597, 0.01669089984022345, 0.08415871139506975],
              ll: -4701.678262860885, c: 0.7599329468524185)
        let rows = try f.take(rows: [0, 1])
        let (eta, _) = try st.logPartialHazard(rows)
        XCTAssertEqual(exp(eta[0]) / 3.0794178571335964, 1, accuracy: 1e-6)
        XCTAssertEqual(exp(eta[1]) / 1.238619992779185, 1, accuracy: 1e-6)
        let s = try st.survival(rows, times: [100])
        XCTAssertEqual(s[0], 0.9548279123931849, accuracy: 1e-7)
        XCTAssertEqual(s[1], 0.9815792483950047, accuracy: 1e-7)
        let ph = try st.proportionalHazardTest(f, transform: .rank)
        let ref = [11.817667205706469, 0.024909742335522254, 0.02617874956005588, 0.04822379031400998, 7.554544148338946]
        for j in 0..<5 { XCTAssertEqual(ph.statistic[j] / ref[j], 1, accuracy: 1e-4, "strata rank \(j)") }
    }

    func testSaveLoadValidates() throws {
        let f = try Self.frame()
        let m = try CoxPHModel.fit(f, Self.cols, features: Self.names + ["area_code"], strata: ["voice"])
        let data = try ModelFile.encode(kind: CoxPHModel.kind, payload: m, metadata: ModelMetadata(features: []))
        let back = try ModelFile.decode(data, source: "mem").decode(CoxPHModel.self, kind: CoxPHModel.kind)
        XCTAssertEqual(back.coef, m.coef)
        XCTAssertEqual(try back.survival(try f.take(rows: [0, 5]), times: [80]), try m.survival(try f.take(rows: [0, 5]), times: [80]))
        var broken = m; broken.baselines[0].times.reverse()
        XCTAssertThrowsError(try broken.validate())
        broken = m; broken.coef.removeLast()
        XCTAssertThrowsError(try broken.validate())
        // Unseen level / stratum at prediction time are errors naming them.
        let other = try Frame([.float("T", [1]), .bool("E", [true]), .float("total_day_minutes", [1]), .float("number_customer_service_calls", [1]),
                               .float("number_vmail_messages", [1]), .float("total_intl_calls", [1]), .float("intl", [0]),
                               .string("area_code", ["area_code_999"]), .string("voice", ["no"])])
        XCTAssertThrowsError(try m.survival(other, times: [1])) { XCTAssertTrue("\($0)".contains("area_code_999")) }
    }
}
