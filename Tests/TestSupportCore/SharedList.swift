import Synchronization

/// A list that several test threads append to, read once they are done.
public final class SharedList<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    public init() {}

    public func append(_ item: Element) { items.withLock { $0.append(item) } }

    public func append(contentsOf more: [Element]) { items.withLock { $0.append(contentsOf: more) } }

    public var all: [Element] { items.withLock { $0 } }
}
