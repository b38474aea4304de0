#include "feed/start_point.hpp"

#include <boost/json.hpp>

#include "feed/feed_context.hpp"

namespace declared::feed {

std::string hello_json(const FeedContext& ctx, const StartPoint& start) {
    const auto& hub = ctx.hub;
    boost::json::object hello{{"type", "hello"},
                              {"election", ctx.options.election},
                              {"test", ctx.options.test},
                              {"seq", hub.last_seq()},
                              {"oldest_seq", hub.oldest_seq()},
                              {"resume", start.snapshot ? "snapshot" : "since"}};
    if (!start.snapshot) hello["since"] = start.since;
    if (!start.notice.empty()) hello["notice"] = start.notice;
    return boost::json::serialize(hello);
}

}  // namespace declared::feed
