import Glibc

/// Why the server could not start or had to stop.
public enum HTTPServerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Another process (or server) already listens on the address.
    case addressInUse(host: String, port: Int)
    /// The host could not be resolved to an address.
    case invalidAddress(host: String, detail: String)
    /// A system call failed; `errno` is kept for the log.
    case systemCallFailed(call: String, errno: Int32)
    /// `run()` was called twice.
    case alreadyRunning

    public var description: String {
        switch self {
        case .addressInUse(let host, let port):
            return "Cannot listen on \(host):\(port): the address is already in use."
        case .invalidAddress(let host, let detail):
            return "Cannot listen on \"\(host)\": \(detail)."
        case .systemCallFailed(let call, let code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))."
        case .alreadyRunning:
            return "HTTPServer.run() was already called."
        }
    }
}
