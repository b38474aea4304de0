#include "ingest/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace declared {

void setup_logging(std::string_view level) {
    auto logger = spdlog::stderr_logger_mt("declared");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

bool RateLimit::allow() {
    auto now = std::chrono::steady_clock::now();
    if (last_ != std::chrono::steady_clock::time_point{} && now - last_ < interval_) {
        ++suppressed_;
        return false;
    }
    last_ = now;
    reported_suppressed_ = suppressed_;
    suppressed_ = 0;
    return true;
}

}  // namespace declared
