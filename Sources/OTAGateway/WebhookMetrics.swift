import OTAStore
import Postgres

/// The webhook gauges of /metrics, read from the database at scrape time (any gateway
/// answers for every worker): deliveries by status, the queue due now, the oldest
/// delivery still under way, disabled endpoints. Empty when the read fails.
enum WebhookMetrics {
    static func text(_ db: PostgresConnection) -> String {
        guard let g = try? WebhookDeliveryStore(db).gauges() else { return "" }
        var text = """
            # HELP ota_webhook_deliveries Webhook deliveries kept (finished ones until the retention), by status.
            # TYPE ota_webhook_deliveries gauge

            """
        for (status, n) in g.byStatus { text += "ota_webhook_deliveries{status=\"\(status)\"} \(n)\n" }
        text += """
            # HELP ota_webhook_queue_depth Webhook deliveries due now, waiting for a worker.
            # TYPE ota_webhook_queue_depth gauge
            ota_webhook_queue_depth \(g.queueDepth)
            # HELP ota_webhook_oldest_pending_seconds Age of the oldest webhook delivery not yet delivered or failed.
            # TYPE ota_webhook_oldest_pending_seconds gauge
            ota_webhook_oldest_pending_seconds \(Metrics.number(g.oldestPendingSeconds))
            # HELP ota_webhook_endpoints_disabled Webhook endpoints disabled (410, 3 days of failures, partner, operator).
            # TYPE ota_webhook_endpoints_disabled gauge
            ota_webhook_endpoints_disabled \(g.disabledEndpoints)

            """
        return text
    }
}
