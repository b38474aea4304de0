#pragma once
// The webhooks file (JSON): which URLs get which events, signed with which
// secret, in which body, given up after how many attempts. Cursor and
// dead-letter files live in one directory (by default beside the journal);
// in cluster mode the cursors are the stream bucket's instead.
#include <string>
#include <vector>

#include "feed/webhook.hpp"
#include "model/error.hpp"

namespace declared {

// [{"name": "alerts", "url": "http://127.0.0.1:9000/hook", "secret": "...",
//   "types": "control_called,call_retracted", "councils": "", "regions": "",
//   "body": "event" | "slack", "max_attempts": 0 (until delivered), "alert_after_seconds": 300}]
Result<std::vector<feed::WebhookOptions>> parse_webhooks(std::string_view json, const std::string& dir);

}  // namespace declared
