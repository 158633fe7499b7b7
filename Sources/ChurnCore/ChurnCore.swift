/// ChurnCore: the numeric core of ChurnLab — frames and I/O, features and labels,
/// models, metrics, retention rules, charts. It knows nothing of Lua.
public enum ChurnCore {
    public static let version = "0.1.0"
}
