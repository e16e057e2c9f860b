/// Answers requests on one worker thread. The server calls `makeHandler` on the worker's
/// own thread and uses the handler only there, so a handler may own a resource that
/// must not cross threads (a PostgreSQL connection) and need not be Sendable.
/// `handle` may block (on the database); it never blocks the socket loop.
public protocol HTTPRequestHandler: AnyObject {
    func handle(_ request: HTTPRequest) -> HTTPResponse
}
