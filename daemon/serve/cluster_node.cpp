#include "daemon/serve/cluster_node.hpp"

#include <cstdlib>
#include <utility>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster/writer_claim.hpp"

namespace declared {

using Clock = std::chrono::steady_clock;

std::string_view to_string(ClusterRole r) {
    switch (r) {
        case ClusterRole::primary: return "primary";
        case ClusterRole::standby: return "standby";
        case ClusterRole::edge: return "edge";
    }
    return "?";
}

namespace {

// A core subscription whose callback holds `closure`.
natsSubscription* subscribe(const cluster::NatsConnection& c, const std::string& subject, natsMsgHandler cb,
                            void* closure, Error& error) {
    natsSubscription* sub = nullptr;
    const natsStatus s = natsConnection_Subscribe(&sub, c.raw(), subject.c_str(), cb, closure);
    if (s != NATS_OK) error = cluster::nats_error("cluster_unavailable", c.where(), "a subscription to " + subject, s);
    return sub;
}

std::string error_body(std::string_view code, std::string_view message) {
    return boost::json::serialize(
        boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
}

std::string header(natsMsg* m, const char* name) {
    const char* v = nullptr;
    return natsMsgHeader_Get(m, name, &v) == NATS_OK && v ? v : "";
}

}  // namespace

ClusterNode::ClusterNode(cluster::JetStreamJournal& journal, Ingest& ingest, ClusterNodeOptions options)
    : journal_(journal), ingest_(ingest), options_(std::move(options)), role_(options_.role) {}

ClusterNode::~ClusterNode() { stop(); }

std::optional<Error> ClusterNode::start() {
    const auto& spec = journal_.spec();
    Error error;
    heartbeats_ = subscribe(journal_.connection(), spec.heartbeat_subject, &ClusterNode::on_heartbeat, this, error);
    if (error.code.empty()) claims_ = subscribe(journal_.connection(), spec.writer_subject, &ClusterNode::on_claim, this, error);
    natsInbox* inbox = nullptr;
    if (error.code.empty() && natsInbox_Create(&inbox) == NATS_OK) {
        reply_prefix_ = inbox;
        natsInbox_Destroy(inbox);
        forward_replies_ = subscribe(journal_.connection(), reply_prefix_ + ".*", &ClusterNode::on_forward_reply, this, error);
    }
    if (!error.code.empty()) return stop(), error;
    ingest_.on_fenced([this] {
        std::lock_guard lock(mutex_);
        fenced_ = true;
        cv_.notify_all();
    });
    {
        std::lock_guard lock(mutex_);
        last_heartbeat_ = Clock::now();  // a standby gives a writer one full takeover_after first
        if (journal_.last_claim()) writer_node_ = journal_.last_claim()->node;
    }
    const std::uint64_t after = journal_.durable_sequence();
    if (options_.role == ClusterRole::primary) {
        auto claimed = journal_.claim(after, options_.node, "start");
        if (claimed.ok()) {
            become_primary(*claimed.value, "claimed the stream at start");
        } else if (claimed.error.code == "cluster_claim_lost") {
            spdlog::warn("cluster: {}; starting as standby instead", claimed.error.message());
            role_ = ClusterRole::standby;
        } else {
            return stop(), claimed.error;
        }
    }
    if (role_ != ClusterRole::primary) {
        ingest_.refuse_ingest(not_primary());
        if (auto e = follow_from(after + 1)) return stop(), e;
        spdlog::info("cluster: {} {} following the stream from sequence {}", to_string(role_), options_.node, after + 1);
    }
    thread_ = std::thread([this] { run(); });
    return std::nullopt;
}

void ClusterNode::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (follower_) follower_->stop();
    cluster::close_subscription(heartbeats_);
    cluster::close_subscription(claims_);
    cluster::close_subscription(ingest_requests_);
    cluster::close_subscription(forward_replies_);
    std::unordered_map<std::uint64_t, Waiting> left;
    {
        std::lock_guard lock(forward_mutex_);
        left.swap(waiting_);
    }
    for (auto& [token, w] : left) w.done(503, error_body("unavailable", "this node is shutting down; send again"));
    if (committer_ && role_ == ClusterRole::primary) {
        committer_->stop();  // everything queued is written and answered first
        send_heartbeat(true);  // then a standby need not wait out takeover_after
    }
}

ClusterStatus ClusterNode::status() const {
    ClusterStatus s;
    std::lock_guard lock(mutex_);
    s.role = role_;
    s.writer_node = writer_node_;
    if (follower_) {
        s.applied = follower_->last_seq();
        s.pending = follower_->pending();
    }
    s.takeovers = takeovers_;
    s.step_downs = step_downs_;
    s.broken = broken_;
    return s;
}

SyncStats ClusterNode::sync_stats() const {
    std::lock_guard lock(mutex_);
    return committer_ ? committer_->stats() : SyncStats{};
}

// The node's thread: a heartbeat each interval while primary; a fence or
// another's claim steps it down; a silent writer makes a standby try a claim.
void ClusterNode::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        cv_.wait_for(lock, options_.heartbeat, [this] { return stopping_ || fenced_ || claim_seen_ || resigned_; });
        const bool resigned = std::exchange(resigned_, false);
        if (stopping_) break;
        const bool fenced = std::exchange(fenced_, false);
        const bool claimed = std::exchange(claim_seen_, false);
        const auto silent = Clock::now() - last_heartbeat_;
        lock.unlock();
        expire_forwards();
        switch (role_.load()) {
            case ClusterRole::primary:
                if (claimed) check_claims();  // may step down
                if (fenced && role_ == ClusterRole::primary) step_down();
                if (role_ == ClusterRole::primary) send_heartbeat();
                break;
            case ClusterRole::standby:
                if (resigned || silent >= options_.takeover_after) try_takeover(resigned);
                break;
            case ClusterRole::edge: break;
        }
        lock.lock();
    }
}

void ClusterNode::become_primary(std::uint64_t claim_seq, const char* how) {
    auto committer = std::make_unique<GroupCommitter>(journal_, options_.commit);
    {
        std::lock_guard lock(mutex_);
        committer_ = std::move(committer);
        writer_id_ = journal_.writer_id();
        writer_node_ = options_.node;
        follower_.reset();
    }
    role_ = ClusterRole::primary;
    ingest_.resume(*committer_);
    Error error;
    ingest_requests_ = subscribe(journal_.connection(), journal_.spec().ingest_subject, &ClusterNode::on_forwarded, this, error);
    if (!error.code.empty()) spdlog::error("cluster: {}: POSTs to other nodes are not relayed here", error.message());
    send_heartbeat();
    spdlog::info("cluster: {} is the primary: {} (claim at stream sequence {})", options_.node, how, claim_seq);
    if (options_.on_writer) options_.on_writer(true);
}

std::optional<Error> ClusterNode::follow_from(std::uint64_t seq) {
    const auto& spec = journal_.spec();
    auto broken = [this](Error e) { lost_stream(e); };
    auto on_message = [this, spec, broken](cluster::FollowedMessage m) {
        if (m.subject == spec.records_subject) return ingest_.follow(std::move(m.bytes), broken);
        if (m.subject != spec.writer_subject) return;
        auto claim = cluster::decode_claim(m.bytes, "stream " + spec.name + ", sequence " + std::to_string(m.seq));
        if (!claim.ok()) return broken(claim.error);
        spdlog::info("cluster: the writer is now {} ({} after sequence {})", claim.value->node, claim.value->reason,
                     claim.value->after);
        std::lock_guard lock(mutex_);
        writer_node_ = claim.value->node;
    };
    auto started = cluster::StreamFollower::start(journal_.connection(), spec, seq, on_message, broken);
    if (!started.ok()) return started.error;
    std::lock_guard lock(mutex_);
    follower_ = std::move(*started.value);
    return std::nullopt;
}

// This node cannot follow the stream any more: said, and shown in /readyz.
void ClusterNode::lost_stream(const Error& e) {
    spdlog::critical("cluster: {} [{}]; this node serves what it has and applies nothing more", e.message(), e.code);
    {
        std::lock_guard lock(mutex_);
        if (!broken_.code.empty()) return;
        broken_ = e;
    }
    if (options_.on_lost_stream) options_.on_lost_stream(e);
}

// Fenced: another node writes now. What this node had acknowledged it
// keeps; what it had in flight is answered 503 by the committer's stop, and
// whatever of it landed comes back through the follower.
void ClusterNode::step_down() {
    lease_until_ = 0;
    if (options_.on_writer) options_.on_writer(false);
    cluster::close_subscription(ingest_requests_);  // relayed POSTs still queued are answered 503 by ingest
    committer_->stop();
    {
        std::lock_guard lock(mutex_);
        retired_.push_back(std::move(committer_));
        writer_id_.clear();
        last_heartbeat_ = Clock::now();
    }
    role_ = ClusterRole::standby;
    ++step_downs_;
    ingest_.refuse_ingest(not_primary());
    const std::uint64_t from = journal_.durable_sequence() + 1;
    spdlog::warn("cluster: {} stepped down to standby (another node claimed the stream); following from sequence {}",
                 options_.node, from);
    if (auto e = follow_from(from)) lost_stream(*e);
}

// Only from a follower that has every message the stream holds: a claim
// made behind would be refused anyway, and would lose the race to no one.
void ClusterNode::try_takeover(bool resigned) {
    auto st = cluster::stream_state(journal_.connection(), journal_.spec().name);
    if (!st.ok()) return;  // the stream has no leader right now: next tick
    std::uint64_t after = 0;
    {
        std::lock_guard lock(mutex_);
        if (!follower_ || follower_->broken() || !broken_.code.empty()) return;
        if (follower_->last_seq() < st.value->last_seq) return;  // still catching up
    }
    follower_->stop();
    after = follower_->last_seq();
    const auto started = Clock::now();
    auto claimed = journal_.claim(after, options_.node, "takeover");
    if (claimed.ok()) {
        ++takeovers_;
        become_primary(*claimed.value, resigned ? "took over from a writer that stepped down" : "took over from a silent writer");
        spdlog::info("cluster: takeover claimed in {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
        return;
    }
    spdlog::warn("cluster: takeover not made: {}; following again", claimed.error.message());
    {
        std::lock_guard lock(mutex_);
        last_heartbeat_ = Clock::now();
    }
    if (auto e = follow_from(after + 1)) lost_stream(*e);
}

// A claim went by on the writer subject. Seen on core NATS it may be one the
// stream refused, so the stream's last claim decides.
void ClusterNode::check_claims() {
    natsMsg* m = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const auto& spec = journal_.spec();
    if (js_GetLastMsg(&m, journal_.connection().js(), spec.name.c_str(), spec.writer_subject.c_str(), nullptr, &jerr) != NATS_OK)
        return;  // unknown now; an append would find out anyway
    const char* data = natsMsg_GetData(m);
    auto claim = cluster::decode_claim(std::string_view(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(m))),
                                       "stream " + spec.name);
    natsMsg_Destroy(m);
    bool theirs = false;
    {
        std::lock_guard lock(mutex_);
        theirs = claim.ok() && claim.value->writer != writer_id_;
        if (theirs) writer_node_ = claim.value->node;
    }
    if (theirs) step_down();
}

void ClusterNode::send_heartbeat(bool resigning) {
    std::string bytes;
    {
        std::lock_guard lock(mutex_);
        bytes = cluster::encode_heartbeat({writer_id_, options_.node, resigning});
    }
    const auto sent = Clock::now();
    if (resigning) lease_until_ = 0;
    natsConnection_Publish(journal_.connection().raw(), journal_.spec().heartbeat_subject.c_str(), bytes.data(),
                           static_cast<int>(bytes.size()));
    // The servers' answer to a flush proves they had the heartbeat; the lease
    // runs from before it was sent.
    const auto wait = resigning ? std::chrono::milliseconds(1000) : options_.heartbeat;
    if (natsConnection_FlushTimeout(journal_.connection().raw(), wait.count()) == NATS_OK && !resigning &&
        role_ == ClusterRole::primary)
        lease_until_ = (sent + options_.takeover_after / 2).time_since_epoch().count();
}

bool ClusterNode::holds_lease() const {
    return role_ == ClusterRole::primary && Clock::now().time_since_epoch().count() < lease_until_.load();
}

Error ClusterNode::not_primary() const {
    std::string writer;
    {
        std::lock_guard lock(mutex_);
        writer = writer_node_;
    }
    return Error{"cluster_not_primary", "this node (" + options_.node + ")", "the stream's writer (the primary) to take ingest",
                 std::string(to_string(role_.load())) + " following the stream" +
                     (writer.empty() ? std::string() : "; the writer is " + writer) + ": send to the primary"};
}

void ClusterNode::on_heartbeat(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<ClusterNode*>(closure);
    const char* data = natsMsg_GetData(msg);
    auto h = cluster::decode_heartbeat(std::string_view(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(msg))));
    natsMsg_Destroy(msg);
    if (!h) return;
    std::lock_guard lock(self->mutex_);
    if (h->writer == self->writer_id_) return;  // our own
    self->writer_node_ = h->node;
    if (!h->resigning) {
        self->last_heartbeat_ = Clock::now();
        return;
    }
    self->last_heartbeat_ = Clock::time_point{};  // silent from now on
    self->resigned_ = true;
    self->cv_.notify_all();
}

void ClusterNode::on_claim(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<ClusterNode*>(closure);
    const char* data = natsMsg_GetData(msg);
    auto claim = cluster::decode_claim(std::string_view(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(msg))), "");
    natsMsg_Destroy(msg);
    if (!claim.ok()) return;
    std::lock_guard lock(self->mutex_);
    if (claim.value->writer == self->writer_id_) return;
    self->claim_seen_ = true;
    self->cv_.notify_all();
}

void ClusterNode::forward(ForwardedRequest req, ForwardDone done) {
    const auto& conn = journal_.connection();
    if (req.body.size() + 1024 > conn.max_payload())
        return done(413, error_body("too_large_to_relay",
                                    fmt::format("this node relays POSTs of at most {} bytes to the primary (the NATS "
                                                "max_payload); send this one to the primary directly",
                                                conn.max_payload() - 1024)));
    std::uint64_t token = 0;
    {
        std::lock_guard lock(forward_mutex_);
        token = ++next_token_;
        waiting_[token] = Waiting{std::move(done), Clock::now() + options_.forward_timeout};
    }
    const std::string reply = reply_prefix_ + "." + std::to_string(token);
    natsMsg* m = nullptr;
    natsStatus s = natsMsg_Create(&m, journal_.spec().ingest_subject.c_str(), reply.c_str(), req.body.data(),
                                  static_cast<int>(req.body.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Declared-Kind", req.kind.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Declared-Principal", req.principal.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Content-Type", req.content_type.c_str());
    if (s == NATS_OK) s = natsConnection_PublishMsg(conn.raw(), m);
    if (m) natsMsg_Destroy(m);
    if (s == NATS_OK) return;
    ForwardDone failed;
    {
        std::lock_guard lock(forward_mutex_);
        auto it = waiting_.find(token);
        if (it == waiting_.end()) return;  // answered meanwhile
        failed = std::move(it->second.done);
        waiting_.erase(it);
    }
    failed(503, error_body("cluster_unavailable", std::string("could not relay to the primary: ") + natsStatus_GetText(s)));
}

// A POST relayed by a follower, handled here as if it had come over HTTP.
void ClusterNode::on_forwarded(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<ClusterNode*>(closure);
    ForwardedRequest req;
    req.kind = header(msg, "Declared-Kind");
    req.principal = header(msg, "Declared-Principal");
    req.content_type = header(msg, "Content-Type");
    const char* data = natsMsg_GetData(msg);
    req.body.assign(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    const std::string reply = natsMsg_GetReply(msg) ? natsMsg_GetReply(msg) : "";
    natsMsg_Destroy(msg);
    if (reply.empty() || !self->forward_handler_) return;
    self->forward_handler_(std::move(req), [nc, reply](int status, std::string body) {
        natsMsg* m = nullptr;
        const std::string code = std::to_string(status);
        if (natsMsg_Create(&m, reply.c_str(), nullptr, body.data(), static_cast<int>(body.size())) != NATS_OK) return;
        if (natsMsgHeader_Set(m, "Declared-Status", code.c_str()) == NATS_OK) natsConnection_PublishMsg(nc, m);
        natsMsg_Destroy(m);
    });
}

void ClusterNode::on_forward_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<ClusterNode*>(closure);
    const std::string_view subject = natsMsg_GetSubject(msg);
    std::uint64_t token = 0;
    for (char c : subject.substr(subject.rfind('.') + 1)) token = token * 10 + static_cast<std::uint64_t>(c - '0');
    ForwardDone done;
    {
        std::lock_guard lock(self->forward_mutex_);
        auto it = self->waiting_.find(token);
        if (it != self->waiting_.end()) {
            done = std::move(it->second.done);
            self->waiting_.erase(it);
        }
    }
    if (!done) return natsMsg_Destroy(msg);  // given up on already
    if (natsMsg_IsNoResponders(msg)) {
        natsMsg_Destroy(msg);
        return done(503, error_body("cluster_no_primary",
                                    "no node is the stream's writer right now (a takeover may be under way); send again shortly"));
    }
    const std::string status = header(msg, "Declared-Status");
    const char* data = natsMsg_GetData(msg);
    std::string body(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    natsMsg_Destroy(msg);
    const int code = status.empty() ? 0 : std::atoi(status.c_str());
    if (code < 100 || code > 599) return done(502, error_body("cluster_bad_answer", "the primary's answer had no status"));
    done(code, std::move(body));
}

// Relayed POSTs the primary has not answered in forward_timeout: whether it
// took them is unknown to this node, and it says so.
void ClusterNode::expire_forwards() {
    std::vector<ForwardDone> expired;
    {
        std::lock_guard lock(forward_mutex_);
        const auto now = Clock::now();
        for (auto it = waiting_.begin(); it != waiting_.end();) {
            if (it->second.deadline > now) {
                ++it;
                continue;
            }
            expired.push_back(std::move(it->second.done));
            it = waiting_.erase(it);
        }
    }
    for (auto& done : expired)
        done(503, error_body("cluster_forward_timeout",
                             fmt::format("the primary did not answer within {} ms, so whether it took this is unknown; "
                                         "send it again (a repeat is answered duplicate)",
                                         options_.forward_timeout.count())));
}

}  // namespace declared
