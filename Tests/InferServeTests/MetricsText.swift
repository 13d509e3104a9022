/// Reads one sample from Prometheus text: `name` alone matches the series with any labels
/// (the first one), `name{labels}` exactly that series.
enum MetricsText {
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let key = line[..<space]
            let name = key.split(separator: "{", maxSplits: 1).first.map(String.init) ?? ""
            if key == series || (!series.contains("{") && name == series) { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }
}
