import Glibc

/// A system call that failed, with the errno it reported.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// `call` failed just now: takes the thread's current errno.
    public static func last(_ call: String) -> SystemCallError {
        SystemCallError(call: call, errno: Glibc.errno)
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
