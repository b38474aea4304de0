#include "daemon/serve/webhook_metrics.hpp"

#include "ingest/metrics.hpp"

namespace declared {

void render_webhook_metrics(std::string& out, const std::vector<std::unique_ptr<feed::Webhook>>& webhooks) {
    std::vector<std::pair<std::string, double>> delivered, failures, dead, failing;
    for (const auto& w : webhooks) {
        const auto s = w->stats();
        delivered.emplace_back(w->name(), static_cast<double>(s.delivered));
        failures.emplace_back(w->name(), static_cast<double>(s.failures));
        dead.emplace_back(w->name(), static_cast<double>(s.dead_letters));
        failing.emplace_back(w->name(), s.failing ? 1.0 : 0.0);
    }
    render_labelled(out, "declared_webhook_delivered_total", "counter", "Events a webhook endpoint took.", "webhook", delivered);
    render_labelled(out, "declared_webhook_failures_total", "counter", "Failed delivery attempts.", "webhook", failures);
    render_labelled(out, "declared_webhook_dead_letters_total", "counter",
                    "Events given up on after the retry limit, written to the dead-letter file.", "webhook", dead);
    render_labelled(out, "declared_webhook_failing", "gauge",
                    "1 while the endpoint has been failing for longer than its alert_after_seconds.", "webhook", failing);
}

}  // namespace declared
