import Foundation

/// The simulated platform's course catalogue and the latent tastes that drive
/// which course each simulated view lands on.
///
/// Courses cycle through 8 topics × 5 subjects × 3 levels (a repeat of the
/// cycle gets a "(2)", "(3)"… suffix); about a third are written in Chinese
/// (title and description). Each course has a latent popularity
/// (log-normal, σ = 1) and a number of lessons (3–12). Drawn from its own
/// stream of the seed, so adding the catalogue left the users, subscriptions
/// and events tables unchanged.
struct Catalogue: Sendable {
    static let topics = ["programming", "data", "business", "design", "languages", "psychology", "finance", "history"]
    static let levels = ["beginner", "intermediate", "advanced"]
    /// Share of users whose favourite topic is each topic.
    static let topicWeights = [0.22, 0.18, 0.14, 0.10, 0.12, 0.10, 0.08, 0.06]
    static let subjects: [[String]] = [
        ["Python", "JavaScript", "SQL", "Go", "Swift"],
        ["Statistics", "Data Analysis", "Machine Learning", "Excel", "Visualization"],
        ["Marketing", "Management", "Negotiation", "Startups", "Sales"],
        ["Graphic Design", "UX Design", "Photography", "Illustration", "Typography"],
        ["English", "Japanese", "Spanish", "French", "Writing"],
        ["Psychology", "Mindfulness", "Habits", "Communication", "Parenting"],
        ["Investing", "Personal Finance", "Accounting", "Economics", "Crypto"],
        ["World History", "Philosophy", "Art History", "Chinese History", "Literature"],
    ]
    static let subjectsZH: [[String]] = [
        ["Python", "JavaScript", "SQL", "Go语言", "Swift"],
        ["统计学", "数据分析", "机器学习", "Excel", "数据可视化"],
        ["市场营销", "管理", "谈判", "创业", "销售"],
        ["平面设计", "用户体验设计", "摄影", "插画", "字体设计"],
        ["英语", "日语", "西班牙语", "法语", "写作"],
        ["心理学", "正念", "习惯养成", "沟通", "亲子教育"],
        ["投资", "个人理财", "会计", "经济学", "加密货币"],
        ["世界史", "哲学", "艺术史", "中国历史", "文学"],
    ]
    static let keywords: [[String]] = [
        ["variables", "functions", "loops", "debugging", "testing", "APIs"],
        ["regression", "charts", "datasets", "models", "probability", "dashboards"],
        ["strategy", "customers", "teams", "branding", "pricing", "leadership"],
        ["layout", "colour", "composition", "sketching", "prototypes", "lighting"],
        ["grammar", "vocabulary", "pronunciation", "conversation", "reading", "listening"],
        ["emotions", "stress", "relationships", "motivation", "focus", "sleep"],
        ["stocks", "budgets", "funds", "interest", "risk", "taxes"],
        ["empires", "ideas", "revolutions", "dynasties", "poetry", "culture"],
    ]
    static let keywordsZH: [[String]] = [
        ["变量", "函数", "循环", "调试", "测试", "接口"],
        ["回归", "图表", "数据集", "模型", "概率", "仪表盘"],
        ["战略", "客户", "团队", "品牌", "定价", "领导力"],
        ["版式", "色彩", "构图", "素描", "原型", "光线"],
        ["语法", "词汇", "发音", "会话", "阅读", "听力"],
        ["情绪", "压力", "人际关系", "动机", "专注", "睡眠"],
        ["股票", "预算", "基金", "利息", "风险", "税务"],
        ["帝国", "思想", "革命", "朝代", "诗歌", "文化"],
    ]
    /// Interaction actions, in dictionary order.
    static let actions = ["view", "start", "finish", "purchase", "rate"]

    let title: [String], description: [String]
    let topic: [Int], level: [Int], lessons: [Int]
    let price: [Double]
    /// Cumulative popularity weights (browsing without a taste).
    let popularityCDF: [Double]
    let popularity: [Double]

    var count: Int { title.count }

    init(courses n: Int, seed: UInt64) {
        // A stream no user index reaches (users draw streams 0…n−1).
        var r = SeededRandom(seed: seed, stream: UInt64.max)
        var title: [String] = [], desc: [String] = [], topic: [Int] = [], level: [Int] = []
        var lessons: [Int] = [], price: [Double] = [], pop: [Double] = []
        for i in 0..<n {
            let t = i % 8, s = (i / 8) % 5, l = (i / 40) % 3, rep = i / 120
            let zh = r.uniform() < 0.35
            var kw = Array(0..<6)
            r.shuffle(&kw)
            let suffix = rep > 0 ? " (\(rep + 1))" : ""
            if zh {
                let subj = Self.subjectsZH[t][s], k = Self.keywordsZH[t]
                title.append(subj + ["入门", "实战", "进阶"][l] + suffix)
                desc.append("\(["零基础", "实战", "进阶"][l])课程：\(subj)的\(k[kw[0]])、\(k[kw[1]])与\(k[kw[2]])。")
            } else {
                let subj = Self.subjects[t][s], k = Self.keywords[t]
                title.append(["\(subj) Basics", "\(subj) in Practice", "Advanced \(subj)"][l] + suffix)
                desc.append("\(["A beginner-friendly", "A hands-on", "An advanced"][l]) course on \(subj): \(k[kw[0]]), \(k[kw[1]]) and \(k[kw[2]]).")
            }
            topic.append(t); level.append(l)
            lessons.append(3 + r.below(10))
            price.append(r.uniform() < 0.2 ? 0 : Double(10 + r.below(40)) - 0.01)
            pop.append(Foundation.exp(r.normal()))
        }
        self.title = title; description = desc; self.topic = topic; self.level = level
        self.lessons = lessons; self.price = price; popularity = pop
        var acc = 0.0
        popularityCDF = pop.map { acc += $0; return acc }
    }

    /// Index drawn from cumulative weights.
    static func draw(_ cdf: [Double], _ r: inout SeededRandom) -> Int {
        let x = r.uniform() * cdf[cdf.count - 1]
        var lo = 0, hi = cdf.count - 1
        while lo < hi { let m = (lo + hi) / 2; if cdf[m] > x { hi = m } else { lo = m + 1 } }
        return lo
    }

    func frame() throws -> Frame {
        try Frame([
            Column(name: "course_id", data: .int64((1...max(1, count)).prefix(count).map { Int64($0) })),
            Column.string("title", title),
            Column(name: "topic", data: .string(codes: topic.map { Int32($0) }, dictionary: Self.topics)),
            Column(name: "level", data: .string(codes: level.map { Int32($0) }, dictionary: Self.levels)),
            Column(name: "price", data: .float64(price)),
            Column(name: "lessons", data: .int64(lessons.map { Int64($0) })),
            Column.string("description", description),
        ])
    }
}

/// One user's latent taste and course progress. The taste is a favourite
/// topic, a second topic and a preferred level; affinity(course) = 1 for the
/// favourite topic, 0.5 for the second, + 0.4 at the preferred level.
///
/// How tastes meet churn: the simulator first decides (from engagement, as
/// before) whether a view finishes a lesson; a view that finishes lands on a
/// course drawn by taste (weights popularity^0.3 · e^(3·affinity)) — the
/// user found something relevant — and one that does not lands on a course
/// drawn mostly by popularity (browsing: popularity · e^affinity). Finishing is the user's
/// satisfaction, which enters the churn hazard, so users whose views stop
/// landing on relevant courses are the ones who fade. Half of the views
/// continue the course in progress. Draws come from a stream of their own.
struct TasteState {
    var r: SeededRandom
    let tasteCDF: [Double], browseCDF: [Double]
    let favourite: Int, second: Int, preferredLevel: Int
    /// course → lessons finished (absent: never viewed).
    var progress: [Int: Int] = [:]
    var current: Int?

    init(user i: Int, seed: UInt64, catalogue c: Catalogue) {
        r = SeededRandom(seed: seed ^ 0x5EED_C0_55E5, stream: UInt64(i))
        var acc = 0.0
        let topicCDF = Catalogue.topicWeights.map { acc += $0; return acc }
        favourite = Catalogue.draw(topicCDF, &r)
        var s = Catalogue.draw(topicCDF, &r)
        if s == favourite { s = (s + 1 + r.below(7)) % 8 }
        second = s
        preferredLevel = r.below(3)
        var a = 0.0, b = 0.0
        let fav = favourite, sec = second, lvl = preferredLevel
        tasteCDF = (0..<c.count).map { j in
            a += Foundation.pow(c.popularity[j], 0.3) * Foundation.exp(3 * TasteState.affinity(fav, sec, lvl, c, j))
            return a
        }
        browseCDF = (0..<c.count).map { j in
            b += c.popularity[j] * Foundation.exp(TasteState.affinity(fav, sec, lvl, c, j))
            return b
        }
    }

    static func affinity(_ fav: Int, _ sec: Int, _ lvl: Int, _ c: Catalogue, _ j: Int) -> Double {
        (c.topic[j] == fav ? 1 : c.topic[j] == sec ? 0.5 : 0) + (c.level[j] == lvl ? 0.4 : 0)
    }
    func affinity(_ c: Catalogue, _ j: Int) -> Double { Self.affinity(favourite, second, preferredLevel, c, j) }
}

extension SimChunk {
    /// A view at time `t` (and, when `finishedAt` is set, the lesson it finished).
    mutating func courseView(_ s: inout TasteState, _ c: Catalogue, user uid: Int64, at t: Int64, finishedAt: Int64?) {
        var course: Int
        if let cur = s.current, s.r.uniform() < 0.5 {
            course = cur
        } else {
            course = Catalogue.draw(finishedAt != nil ? s.tasteCDF : s.browseCDF, &s.r)
        }
        let seen = s.progress[course]
        interaction(uid, t, course, 0)
        if seen == nil { interaction(uid, t, course, 1); s.progress[course] = 0 }
        guard let tf = finishedAt else { return }
        let done = s.progress[course, default: 0]
        if done >= c.lessons[course] { return }            // a finished course re-watched
        s.progress[course] = done + 1
        s.current = course
        if done + 1 == c.lessons[course] {
            interaction(uid, tf, course, 2)
            s.current = nil
            if s.r.uniform() < 0.6 {
                let stars = (3 + 1.5 * s.affinity(c, course) - 0.6 + 0.8 * s.r.normal()).rounded()
                interaction(uid, tf, course, 4, rating: min(5, max(1, stars)))
            }
        }
    }

    /// A one-off purchase: a paid course drawn by taste.
    mutating func coursePurchase(_ s: inout TasteState, _ c: Catalogue, user uid: Int64, at t: Int64) {
        var course = Catalogue.draw(s.tasteCDF, &s.r)
        for _ in 0..<8 where c.price[course] == 0 { course = Catalogue.draw(s.tasteCDF, &s.r) }
        interaction(uid, t, course, 3)
    }

    mutating func interaction(_ uid: Int64, _ t: Int64, _ course: Int, _ action: Int32, rating: Double = .nan) {
        iUser.append(uid); iTime.append(t); iCourse.append(Int64(course + 1)); iAction.append(action); iRating.append(rating)
    }
}
