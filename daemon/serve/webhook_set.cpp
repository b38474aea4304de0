#include "daemon/serve/webhook_set.hpp"

#include <map>

#include "ingest/metrics.hpp"

namespace declared {

namespace {

// A webhook's cursor as a key of the stream's bucket.
class BucketCursor final : public feed::WebhookCursor {
public:
    BucketCursor(std::shared_ptr<cluster::CursorBucket> bucket, std::string name)
        : bucket_(std::move(bucket)), name_(std::move(name)) {}
    Result<std::optional<std::uint64_t>> load() override { return bucket_->load(name_); }
    std::optional<Error> save(std::uint64_t seq) override { return bucket_->save(name_, seq); }

private:
    std::shared_ptr<cluster::CursorBucket> bucket_;
    std::string name_;
};

}  // namespace

WebhookSet::WebhookSet(boost::asio::io_context& ioc, feed::EventHub& hub, std::vector<feed::WebhookOptions> options)
    : ioc_(ioc), hub_(hub), options_(std::move(options)) {}

WebhookSet::~WebhookSet() {
    close();
    if (cursor_io_) cursor_io_->join();
}

void WebhookSet::keep_cursors_in(std::shared_ptr<cluster::CursorBucket> bucket, std::function<bool()> may_deliver) {
    cursor_io_ = std::make_unique<boost::asio::thread_pool>(1);
    for (auto& o : options_) {
        o.cursor = std::make_shared<BucketCursor>(bucket, o.name);
        o.cursor_executor = cursor_io_->get_executor();
        o.may_deliver = may_deliver;
    }
}

std::optional<Error> WebhookSet::start() {
    std::lock_guard lock(mutex_);
    if (running_ || closed_) return std::nullopt;
    const std::size_t first = terms_.size();
    for (const auto& o : options_) {
        terms_.push_back(std::make_unique<feed::Webhook>(ioc_, hub_, o));
        if (auto e = terms_.back()->start()) {
            terms_.resize(first);  // all of a term or none of it
            return e;
        }
    }
    running_ = true;
    return std::nullopt;
}

void WebhookSet::stop() {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    for (std::size_t i = terms_.size() - options_.size(); i < terms_.size(); ++i) terms_[i]->stop();
    running_ = false;
}

void WebhookSet::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;  // a takeover during shutdown starts no new term
    }
    stop();
}

void WebhookSet::render_metrics(std::string& page) const {
    struct Totals {
        feed::WebhookStats sum;
        bool failing = false, running = false;
    };
    std::map<std::string, Totals> by_name;
    {
        std::lock_guard lock(mutex_);
        for (const auto& o : options_) by_name[o.name];
        for (std::size_t i = 0; i < terms_.size(); ++i) {
            const auto s = terms_[i]->stats();
            auto& t = by_name[terms_[i]->name()];
            t.sum.delivered += s.delivered;
            t.sum.failures += s.failures;
            t.sum.dead_letters += s.dead_letters;
            const bool current = running_ && i + options_.size() >= terms_.size();
            t.failing = t.failing || (current && s.failing);
            t.running = t.running || current;
        }
    }
    std::vector<std::pair<std::string, double>> delivered, failures, dead, failing, running;
    for (const auto& [name, t] : by_name) {
        delivered.emplace_back(name, static_cast<double>(t.sum.delivered));
        failures.emplace_back(name, static_cast<double>(t.sum.failures));
        dead.emplace_back(name, static_cast<double>(t.sum.dead_letters));
        failing.emplace_back(name, t.failing ? 1.0 : 0.0);
        running.emplace_back(name, t.running ? 1.0 : 0.0);
    }
    render_labelled(page, "declared_webhook_delivered_total", "counter", "Events a webhook endpoint took.", "webhook", delivered);
    render_labelled(page, "declared_webhook_failures_total", "counter", "Failed delivery attempts.", "webhook", failures);
    render_labelled(page, "declared_webhook_dead_letters_total", "counter",
                    "Events given up on after the retry limit, written to the dead-letter file.", "webhook", dead);
    render_labelled(page, "declared_webhook_failing", "gauge",
                    "1 while the endpoint has been failing for longer than its alert_after_seconds.", "webhook", failing);
    render_labelled(page, "declared_webhook_running", "gauge",
                    "1 while this node delivers the webhook (always in file mode; on the writer only in cluster mode).",
                    "webhook", running);
}

}  // namespace declared
