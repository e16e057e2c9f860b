import CLibPQ

extension PostgresConnection {
    /// The session's socket, for a caller that waits on it together with other descriptors
    /// (a signalfd) and then collects with `waitForNotifications(timeout: .zero)`. -1 when
    /// not connected. A reconnect may change it: ask again before every wait.
    public var socketDescriptor: Int32 {
        guard let handle, !needsReconnect, !isClosed else { return -1 }
        return PQsocket(handle)
    }
}
