import XCTest
@testable import ChurnCore

/// Logistic regression vs scikit-learn / statsmodels on mlc_churn.csv (first 4000 rows).
/// Numbers printed by Tests/ChurnCoreTests/References/linear_reference.py
/// (scikit-learn 1.9.1, statsmodels 0.15.0); vectors are intercept first.
/// `flatStd` compares on the standardised scale where sklearn was fed StandardScaler output.
final class LinearReferenceTests: XCTestCase {
    // statsmodels Logit(method="newton", tol=1e-12), SMALL columns + plan indicators.
    let smParams = [-8.579525862754881, 0.0014620843402803419, 0.04030995379132167, 0.013623610559299539, 0.0029354233218859102, 0.0069346050078403195, -0.0005063701873364081, 0.0037373628163551676, -9.040704296507027e-05, 0.08219007951581397, -0.07115427010769032, 0.5300222825080046, 1.9644391043013103, -2.2676599584998707]
    let smBse = [0.6654576153815112, 0.0012881496982866275, 0.016328241777085778, 0.0010027866858692159, 0.0025440099893156492, 0.0010505764485179982, 0.002576630227519485, 0.0010156494174300723, 0.002594734401733569, 0.0188808948151428, 0.022529867974302984, 0.03657416879966753, 0.1351862024643147, 0.5249212427867597]
    let smP = [4.949946893265568e-38, 0.25636411873831955, 0.013559502738744001, 4.8651369756527333e-42, 0.2485588672243153, 4.090500276616362e-11, 0.8441998951800339, 0.00023343849542181803, 0.9722053281492665, 1.3423703650351004e-05, 0.0015873594583383401, 1.3669497008857396e-47, 7.668496840941789e-48, 1.560289452948553e-05]
    let smCiLow = [-9.88379882214055, -0.0010626426750575848, 0.008307187977371254, 0.011658184770819594, -0.00205074463348289, 0.004875513005739044, -0.005556472634751844, 0.0017467265372731384, -0.00517599301980995, 0.04518420568224504, -0.11531199991376656, 0.45833822889616777, 1.6994790162645135, -3.2964866890819255]
    let smCiHigh = [-7.2752529033692115, 0.003986811355618269, 0.07231271960527208, 0.015589036347779483, 0.007921591277254711, 0.008993697009941595, 0.004543732260079027, 0.005727999095437197, 0.004995178933879809, 0.1191959533493829, -0.026996540301614087, 0.6017063361198416, 2.229399192338107, -1.238833227917816]

    private func flat(_ m: LogisticRegression) -> [Double] { [m.intercept] + m.coef }
    private func flatStd(_ m: LogisticRegression) -> [Double] {
        // Intercept on the standardised scale: b_std = b + Σ coef·mean.
        var b = m.intercept
        for j in 0..<m.coef.count { b += m.coef[j] * m.columnMean[j] }
        return [b] + m.standardizedCoef
    }

    func testUnpenalisedMatchesStatsmodels() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small)
        for solver in [LogisticRegression.Solver.newton, .lbfgs] {
            for standardize in [false, true] {
                let m = try LogisticRegression.fit(X, y, options: .init(penalty: .none, standardize: standardize, solver: solver, tol: 1e-10))
                let tag = "\(solver) standardize=\(standardize)"
                XCTAssertTrue(m.info.converged, tag + ": " + m.info.message)
                assertClose(flat(m), smParams, rel: 1e-4, tag + " coef")
                let table = m.coefficientTable()
                XCTAssertEqual(table.map(\.name), ["const"] + LinearTestData.small.prefix(11) + ["international_plan=yes", "voice_mail_plan=yes"])
                assertClose(table.map { $0.stdErr! }, smBse, rel: 1e-4, tag + " std err")
                assertClose(table.map { $0.pValue! }, smP, rel: 1e-3, tag + " p")
                assertClose(table.map { $0.ciLow! }, smCiLow, rel: 1e-4, abs: 1e-7, tag + " ci low")
                assertClose(table.map { $0.ciHigh! }, smCiHigh, rel: 1e-4, abs: 1e-7, tag + " ci high")
            }
        }
    }

    func testL2StandardisedMatchesSklearn() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.all)
        let expected = [-2.323625884449321, 0.05684649207412443, 0.17351255332626064, 0.36165002934467705, 0.05648979030232612, 0.36154723061289235, 0.16977763811900018, -0.010086247955737392, 0.16987329249836203, 0.09057285190600833, -0.004109234688830443, 0.09093271633439669, 0.10992246762122364, -0.16805781765954578, 0.11114151387034207, 0.6705432772087999, 0.5624789691920523, -0.6104006908463515]
        for solver in [LogisticRegression.Solver.lbfgs, .newton] {
            let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 0.1, standardize: true, solver: solver, tol: 1e-10))
            XCTAssertTrue(m.info.converged)
            XCTAssertNil(m.covariance)
            XCTAssertNil(m.coefficientTable()[1].stdErr)
            assertClose(flatStd(m), expected, rel: 1e-4, "\(solver)")
        }
    }

    func testL2RawFeaturesMatchesSklearn() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small)
        let expected = [-8.489694417923287, 0.0014862574458669817, 0.016845247510542602, 0.01351923876346492, 0.002919868154766604, 0.006850847140722672, -0.0005258472451052375, 0.0036361578890986984, -0.00018257330358329685, 0.0814502077716316, -0.07028275163855874, 0.5234326751297852, 1.8904194834932537, -1.4879305294908198]
        for solver in [LogisticRegression.Solver.lbfgs, .newton] {
            let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 0.5, solver: solver, tol: 1e-10))
            assertClose(flat(m), expected, rel: 1e-4, "\(solver)")
        }
    }

    func testBalancedClassWeightMatchesSklearn() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.all)
        let expected = [-0.583573935240591, 0.06537018776539531, 0.5742717259364951, 0.35618614718818964, 0.05343484721138753, 0.3496927757541612, 0.16227692386865442, 0.013015665554949476, 0.1563279327008671, 0.08958720976128558, -0.024510427532136465, 0.09046924552110344, 0.10207270936295024, -0.11389166783517035, 0.08594698311835249, 0.7917519399142628, 0.6682047980497435, -0.996081079616926]
        for solver in [LogisticRegression.Solver.lbfgs, .newton] {
            let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 1, classWeight: .balanced, standardize: true, solver: solver, tol: 1e-10))
            assertClose(flatStd(m), expected, rel: 1e-4, "\(solver)")
        }
    }

    func testL1AndElasticNetMatchSklearnSaga() throws {
        // Reference fitted on the SMALL columns (see the script for why).
        let (X, y) = try LinearTestData.split(LinearTestData.small)
        let l1 = [-2.2294994470772362, 0.006138323226158876, 0.0, 0.657799014706516, 0.007750363538687197, 0.27178433866396506, 0.0, 0.12285085452628283, 0.0, 0.16277297962130496, -0.10925199223489222, 0.6174462517236416, 0.5260602574133314, -0.3779031495932883]
        let en = [-2.2578391608107564, 0.030944693170277104, 0.0, 0.6729515158836568, 0.03145112046651445, 0.29680446208550293, 0.0, 0.14692104994600783, 0.0, 0.18638796425926013, -0.13530042715421234, 0.6329769367964885, 0.5373534454625699, -0.4026880988209207]
        XCTAssertEqual(try LogisticRegression.fit(X, y, options: .init(penalty: .l1, C: 0.05)).info.solver, .newton)   // auto, few columns
        for solver in [LogisticRegression.Solver.newton, .owlqn] {
            let m1 = try LogisticRegression.fit(X, y, options: .init(penalty: .l1, C: 0.05, standardize: true, solver: solver, tol: 1e-10))
            XCTAssertTrue(m1.info.converged, "\(solver): \(m1.info.message)")
            assertClose(flatStd(m1), l1, rel: 1e-4, abs: 1e-9, "l1 \(solver)")
            // Exact zeros where sklearn has them.
            for (a, e) in zip(flatStd(m1), l1) where e == 0 { XCTAssertEqual(a, 0, "\(solver)") }
            let m2 = try LogisticRegression.fit(X, y, options: .init(penalty: .elasticnet, C: 0.05, l1Ratio: 0.5, standardize: true, solver: solver, tol: 1e-10))
            assertClose(flatStd(m2), en, rel: 1e-4, abs: 1e-9, "elasticnet \(solver)")
            for (a, e) in zip(flatStd(m2), en) where e == 0 { XCTAssertEqual(a, 0, "\(solver)") }
        }
    }

    func testNoInterceptMatchesSklearn() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small)
        let expected = [-0.0019910226081804538, 0.014767966358538708, 0.009517228114933775, -0.010699605166230764, 0.0013215900287708172, -0.014271776547992193, -0.0009696123204776481, -0.013603418438252222, 0.00040774891800010306, -0.10843410975148543, 0.43809499827906967, 1.8289493255896758, -1.4042210054939075]
        for solver in [LogisticRegression.Solver.lbfgs, .newton] {
            let m = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 0.5, fitIntercept: false, solver: solver, tol: 1e-10))
            XCTAssertEqual(m.intercept, 0)
            XCTAssertEqual(m.coefficientTable().first?.name, "account_length")
            assertClose(m.coef, expected, rel: 1e-4, "\(solver)")
        }
    }

    func testSampleWeightsMatchSklearn() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.all)
        let expected = [-2.326480388290029, 0.08243544797557391, 0.3530305123204353, 0.3597738446440449, 0.07747619959882066, 0.3594556119707933, 0.1585553893822638, -0.025999688786849526, 0.15980877385379796, 0.07344898291118653, 0.026054010964855087, 0.07361357742013269, 0.12150413116218933, -0.15386208230718537, 0.12269249930555783, 0.6859092897373431, 0.5819301308916757, -0.7702114895423441]
        let w = (0..<4000).map { 1 + Double($0 % 3) }
        let m = try LogisticRegression.fit(X, y, weights: w, options: .init(penalty: .l2, C: 0.1, standardize: true, solver: .newton, tol: 1e-10))
        assertClose(flatStd(m), expected, rel: 1e-4)
    }
}
