#pragma once
// The daemon's webhooks. In file mode they run for the daemon's life, their
// cursors in files. In cluster mode they run only while this node writes the
// stream: started when it claims the stream and stopped when it steps down,
// each term resuming the cursors kept in the stream's bucket; and each
// delivery waits for the writer's lease, so that two nodes do not deliver
// at once (docs/cluster.md).
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "cluster/cursor_bucket.hpp"
#include "feed/webhook.hpp"

namespace declared {

class WebhookSet {
public:
    WebhookSet(boost::asio::io_context& ioc, feed::EventHub& hub, std::vector<feed::WebhookOptions> options);
    ~WebhookSet();  // stop()
    WebhookSet(const WebhookSet&) = delete;
    WebhookSet& operator=(const WebhookSet&) = delete;

    // Cluster mode, before start(): cursors in the bucket, read and written on
    // a thread of their own, and deliveries only while may_deliver().
    void keep_cursors_in(std::shared_ptr<cluster::CursorBucket> bucket, std::function<bool()> may_deliver);

    // Any thread; each is idempotent. start() after stop() starts a new term;
    // after close() (shutdown) it starts nothing.
    std::optional<Error> start();
    void stop();
    void close();

    // Per webhook, over every term on this node: deliveries, failed attempts,
    // dead letters; whether it is failing now, and whether it runs here.
    void render_metrics(std::string& page) const;

private:
    boost::asio::io_context& ioc_;
    feed::EventHub& hub_;
    std::vector<feed::WebhookOptions> options_;
    std::unique_ptr<boost::asio::thread_pool> cursor_io_;  // cluster mode
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<feed::Webhook>> terms_;  // every one started here; the last options_.size() run while running_
    bool running_ = false;
    bool closed_ = false;
};

}  // namespace declared
