#pragma once
// Each webhook's counts for /metrics: deliveries, failed attempts, events
// dead-lettered, and whether it has been failing for longer than its
// alert_after (the gauge to alert on).
#include <memory>
#include <string>
#include <vector>

#include "feed/webhook.hpp"

namespace declared {

void render_webhook_metrics(std::string& out, const std::vector<std::unique_ptr<feed::Webhook>>& webhooks);

}  // namespace declared
