#pragma once
// The webhooks file (JSON): which URLs get which events, signed with which
// secret. Cursor files live in a directory beside the journal.
#include <string>
#include <vector>

#include "feed/webhook.hpp"
#include "model/error.hpp"

namespace declared {

// [{"name": "alerts", "url": "http://127.0.0.1:9000/hook", "secret": "...",
//   "types": "control_called,call_retracted", "councils": "", "regions": ""}]
Result<std::vector<feed::WebhookOptions>> parse_webhooks(std::string_view json, const std::string& cursor_dir);

}  // namespace declared
