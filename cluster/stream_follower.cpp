#include "cluster/stream_follower.hpp"

#include <chrono>
#include <thread>

namespace declared::cluster {

namespace {
constexpr std::chrono::milliseconds kHeartbeat{1000};
constexpr std::chrono::seconds kCreateFor{30};
}  // namespace

Result<std::unique_ptr<StreamFollower>> StreamFollower::start(const NatsConnection& conn, const StreamSpec& spec,
                                                              std::uint64_t from, OnMessage on_message,
                                                              OnBroken on_broken) {
    using R = Result<std::unique_ptr<StreamFollower>>;
    std::unique_ptr<StreamFollower> f(new StreamFollower("stream " + spec.name + " at " + conn.where(), from,
                                                         std::move(on_message), std::move(on_broken)));
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = spec.name.c_str();
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = from;
    // The consumer lives on the stream's leader and dies with it. libnats
    // notices by missed idle heartbeats, checked every two intervals, and
    // recreates it then, trying again at each check while there is no leader:
    // with its 5 s default a follower (and so a takeover) lagged an election by
    // 20 s or more. A heartbeat a second costs a small message per second.
    so.Config.Heartbeat = static_cast<int64_t>(kHeartbeat.count()) * 1'000'000;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const std::string filter = "declared." + spec.name + ".*";
    // Just after an election the new leader may not answer the consumer's
    // creation in time: ask again, for a bounded time, rather than give up.
    natsStatus s = NATS_OK;
    for (const auto until = std::chrono::steady_clock::now() + kCreateFor;;) {
        s = js_Subscribe(&f->sub_, conn.js(), filter.c_str(), &StreamFollower::on_msg, f.get(), nullptr, &so, &jerr);
        if (s == NATS_OK || !transient(s) || std::chrono::steady_clock::now() >= until)
            break;
        jerr = static_cast<jsErrCode>(0);
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    // A night's burst must never be dropped as a slow consumer: the ingest strand
    // takes them as fast as it applies them.
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(f->sub_, -1, -1);
    if (s != NATS_OK)
        return R::of_error(nats_error("cluster_unavailable", f->where_,
                                      "a consumer following the stream from sequence " + std::to_string(from), s, jerr));
    return R{std::move(f), {}};
}

StreamFollower::StreamFollower(std::string where, std::uint64_t from, OnMessage on_message, OnBroken on_broken)
    : where_(std::move(where)), on_message_(std::move(on_message)), on_broken_(std::move(on_broken)), last_(from - 1) {}

StreamFollower::~StreamFollower() { stop(); }

void StreamFollower::stop() {
    stopping_ = true;  // what the drain still delivers is dropped
    close_subscription(sub_);  // the callback holds `this`
}

void StreamFollower::on_msg(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    static_cast<StreamFollower*>(closure)->take(msg);
    natsMsg_Destroy(msg);
}

void StreamFollower::take(natsMsg* msg) {
    if (stopping_ || broken_) return;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) return;  // not a stream message (flow control)
    FollowedMessage m;
    m.seq = meta->Sequence.Stream;
    m.pending = meta->NumPending;
    jsMsgMetaData_Destroy(meta);
    const std::uint64_t next = last_.load() + 1;
    if (m.seq < next) return;  // redelivered after a consumer reset: already handed on
    if (m.seq > next) {
        broken_ = true;
        on_broken_(Error{"cluster_stream_gap", where_ + ", sequence " + std::to_string(m.seq),
                         "message " + std::to_string(next),
                         "message " + std::to_string(m.seq) + ": the stream lost messages; this node stops following"});
        return;
    }
    m.subject = natsMsg_GetSubject(msg);
    const char* data = natsMsg_GetData(msg);
    m.bytes.assign(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    last_ = m.seq;
    pending_ = m.pending;
    on_message_(std::move(m));
}

}  // namespace declared::cluster
