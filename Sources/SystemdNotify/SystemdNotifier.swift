public import Glibc
public import Posix

/// One assignment of the sd_notify protocol (see sd_notify(3)).
public enum SystemdState: Sendable, Equatable {
    /// Start-up finished: with Type=notify, systemd counts the service as started only now.
    case ready
    /// Shutdown began.
    case stopping
    /// Alive: resets the watchdog timer (WatchdogSec=).
    case watchdog
    /// A one-line status shown by `systemctl status`.
    case status(String)

    var assignment: String {
        switch self {
        case .ready: return "READY=1"
        case .stopping: return "STOPPING=1"
        case .watchdog: return "WATCHDOG=1"
        case let .status(text):
            // One assignment per line: a newline in the text would start a new one.
            return "STATUS=" + String(text.map { $0.isNewline ? " " : $0 })
        }
    }
}

public enum SystemdNotifyError: Error, Sendable, CustomStringConvertible {
    /// NOTIFY_SOCKET is neither an absolute path nor an abstract '@' name (or too long).
    case unsupportedAddress(String)
    case systemCallFailed(call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .unsupportedAddress(address):
            return "NOTIFY_SOCKET=\(address) is not an absolute path or an '@' abstract socket name of at most 107 bytes"
        case let .systemCallFailed(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

/// Tells systemd about the service's state over the NOTIFY_SOCKET datagram socket, as
/// libsystemd's sd_notify does, without linking libsystemd. Every call is a no-op when
/// NOTIFY_SOCKET is unset (not started by systemd with Type=notify).
///
/// Each message opens, sends on and closes its own socket: messages are rare, and no
/// descriptor has to be shared between threads.
public struct SystemdNotifier: Sendable {
    /// NOTIFY_SOCKET as given; nil when unset or empty.
    public let socketAddress: String?
    /// How often to send WATCHDOG=1: half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
    /// advises. nil when the watchdog is off, or meant for another process
    /// (WATCHDOG_PID names another pid).
    public let watchdogInterval: Duration?

    public init(environment: [String: String], processID: Int32 = getpid()) {
        let address = environment["NOTIFY_SOCKET"] ?? ""
        socketAddress = address.isEmpty ? nil : address
        watchdogInterval = Self.watchdogInterval(environment: environment, processID: processID)
    }

    public var isEnabled: Bool { socketAddress != nil }

    public func notify(_ states: SystemdState...) throws(SystemdNotifyError) {
        try notify(states)
    }

    /// Sends the states as one datagram ("READY=1\nSTATUS=...").
    public func notify(_ states: [SystemdState]) throws(SystemdNotifyError) {
        guard let socketAddress, !states.isEmpty else { return }
        let message = states.map(\.assignment).joined(separator: "\n")
        try Self.send(message, to: socketAddress)
    }

    static func watchdogInterval(environment: [String: String], processID: Int32) -> Duration? {
        if let pid = environment["WATCHDOG_PID"], !pid.isEmpty, Int32(pid) != processID { return nil }
        guard let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 else { return nil }
        return .microseconds(usec / 2)
    }

    static func send(_ message: String, to address: String) throws(SystemdNotifyError) {
        var (socketAddress, length) = try Self.address(address)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .systemCallFailed(call: "socket(AF_UNIX, SOCK_DGRAM)", errno: errno) }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &socketAddress) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    Syscall.retryingInterrupts {
                        sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), address, length)
                    }
                }
            }
        }
        guard sent >= 0 else { throw .systemCallFailed(call: "sendto(\(address))", errno: errno) }
    }

    /// The sockaddr_un for an absolute path, or for an abstract name given as "@name"
    /// (a leading NUL byte, and a length that covers the name only).
    static func address(_ text: String) throws(SystemdNotifyError) -> (sockaddr_un, socklen_t) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(text.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let abstract = bytes.first == UInt8(ascii: "@")
        guard abstract || bytes.first == UInt8(ascii: "/"), bytes.count < capacity, !bytes.dropFirst().contains(0)
        else { throw .unsupportedAddress(text) }
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? MemoryLayout<sa_family_t>.size
        // A path includes its terminating NUL; an abstract name is exactly its bytes.
        let length = offset + bytes.count + (abstract ? 0 : 1)
        return (address, socklen_t(length))
    }
}
