#include "cluster/jetstream_journal.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <thread>
#include <utility>

#include "cluster/pub_ack.hpp"

namespace declared::cluster {

namespace {

using Clock = std::chrono::steady_clock;

// Room for the headers every publish carries (id, expected sequence and
// stream, the NATS/1.0 line), taken from the server's max payload.
constexpr std::size_t kHeaderRoom = 256;

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

Result<std::unique_ptr<JetStreamJournal>> JetStreamJournal::open(JetStreamJournalOptions options) {
    using R = Result<std::unique_ptr<JetStreamJournal>>;
    if (options.card.empty())
        return R::of_error(Error{"cluster_config", "card", "this node's card, to check the stream's genesis against", "none"});
    std::unique_ptr<JetStreamJournal> j(new JetStreamJournal(std::move(options)));
    auto connected = NatsConnection::connect(j->options_.nats);
    if (!connected.ok()) return R::of_error(connected.error);
    j->conn_ = std::move(*connected.value);
    j->where_ = "stream " + j->spec_.name + " at " + j->conn_->where();

    const std::size_t payload = j->conn_->max_payload();
    if (payload <= kHeaderRoom + j->spec_.name.size())
        return R::of_error(Error{"cluster_config", j->conn_->where(), "a server max_payload over " +
                                                                     std::to_string(kHeaderRoom) + " bytes",
                             std::to_string(payload) + " bytes"});
    j->max_record_ = payload - kHeaderRoom - j->spec_.name.size();

    natsInbox* inbox = nullptr;
    natsStatus s = natsInbox_Create(&inbox);
    if (s == NATS_OK) {
        j->reply_prefix_ = inbox;
        natsInbox_Destroy(inbox);
        const std::string pattern = j->reply_prefix_ + ".*";
        s = natsConnection_Subscribe(&j->reply_sub_, j->conn_->raw(), pattern.c_str(), &JetStreamJournal::on_reply,
                                     j.get());
    }
    // A burst of acknowledgements must never be dropped as a slow consumer.
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(j->reply_sub_, -1, -1);
    if (s == NATS_OK)
        s = natsSubscription_SetOnCompleteCB(j->reply_sub_, &JetStreamJournal::on_reply_complete, j.get());
    if (s != NATS_OK)
        return R::of_error(nats_error("cluster_error", j->where_, "a subscription for publish acknowledgements", s));
    return R{std::move(j), {}};
}

JetStreamJournal::JetStreamJournal(JetStreamJournalOptions options)
    : options_(std::move(options)), spec_(stream_spec(options_.stream, options_.replicas)), writer_id_(random_id()) {}

JetStreamJournal::~JetStreamJournal() {
    if (reply_sub_) {
        // The acknowledgement callback holds `this`: wait (bounded) until libnats
        // says it will not run again before the members it uses go away.
        if (natsSubscription_Unsubscribe(reply_sub_) == NATS_OK) {
            std::unique_lock lock(reply_mutex_);
            reply_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return reply_sub_done_; });
        }
        natsSubscription_Destroy(reply_sub_);
    }
    conn_.reset();
}

void JetStreamJournal::on_reply(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<JetStreamJournal*>(closure);
    const std::string_view subject = natsMsg_GetSubject(msg);
    const auto dot = subject.rfind('.');
    std::uint64_t token = 0;
    for (char c : subject.substr(dot + 1)) token = token * 10 + static_cast<std::uint64_t>(c - '0');
    {
        std::lock_guard lock(self->reply_mutex_);
        auto it = self->replies_.find(token);
        // Answers to attempts given up on (a resend replaced them) are dropped.
        if (it != self->replies_.end() && !it->second.arrived) {
            it->second.arrived = true;
            it->second.no_responders = natsMsg_IsNoResponders(msg);
            const char* data = natsMsg_GetData(msg);
            if (data) it->second.body.assign(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
        }
    }
    self->reply_cv_.notify_all();
    natsMsg_Destroy(msg);
}

void JetStreamJournal::on_reply_complete(void* closure) {
    auto* self = static_cast<JetStreamJournal*>(closure);
    {
        std::lock_guard lock(self->reply_mutex_);
        self->reply_sub_done_ = true;
    }
    self->reply_cv_.notify_all();
}

JetStreamStats JetStreamJournal::stats() const {
    return JetStreamStats{counters_.published.load(), counters_.resends.load(), counters_.unknown.load(),
                          counters_.read_back.load(), counters_.acknowledged.load()};
}

void JetStreamJournal::publish(Pending& p) {
    {
        std::lock_guard lock(reply_mutex_);
        replies_.erase(p.token);
        p.token = ++next_token_;
        replies_[p.token] = Reply{};
    }
    p.sent_at = Clock::now();
    const std::string reply = reply_prefix_ + "." + std::to_string(p.token);
    const std::string expected = std::to_string(p.expected);
    natsMsg* m = nullptr;
    natsStatus s = natsMsg_Create(&m, p.subject.c_str(), reply.c_str(), p.bytes.data(), static_cast<int>(p.bytes.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Msg-Id", p.msg_id.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Expected-Last-Sequence", expected.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Expected-Stream", spec_.name.c_str());
    if (s == NATS_OK) s = natsConnection_PublishMsg(conn_->raw(), m);
    if (m) natsMsg_Destroy(m);
    ++counters_.published;
    if (s != NATS_OK) {
        // Not sent, or not known to be: an unknown outcome like any other.
        std::lock_guard lock(reply_mutex_);
        replies_[p.token] = Reply{true, false, true, natsStatus_GetText(s)};
    }
}

// The Nats-Msg-Id of the message at seq; error.code is cluster_diverged when
// there is none (the stream lost messages it acknowledged), another code when
// the stream could not be asked.
std::optional<std::string> JetStreamJournal::msg_id_at(std::uint64_t seq, Error& error) {
    natsMsg* m = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_GetMsg(&m, conn_->js(), spec_.name.c_str(), seq, nullptr, &jerr);
    if (s != NATS_OK) {
        if (jerr == JSNoMessageFoundErr || s == NATS_NOT_FOUND)
            error = Error{"cluster_diverged", where_ + ", sequence " + std::to_string(seq),
                          "a message at this sequence (the stream refused our expected last sequence)",
                          "none: the stream holds fewer messages than it acknowledged"};
        else
            error = nats_error("cluster_unavailable", where_, "the message at sequence " + std::to_string(seq), s, jerr);
        return std::nullopt;
    }
    const char* id = nullptr;
    std::string out;
    if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK && id) out = id;
    natsMsg_Destroy(m);
    ++counters_.read_back;
    return out;
}

// What an answer says about pipeline record p, all before it acknowledged.
// Since they are, a wrong-last-sequence answer is settled by one read: the
// message at p's sequence is ours (an earlier attempt landed) or another
// writer's (fenced).
JetStreamJournal::Verdict JetStreamJournal::judge(const Pending& p, const Reply& r) {
    using Kind = Verdict::Kind;
    const std::uint64_t seq = p.expected + 1;
    const std::string at = where_ + ", sequence " + std::to_string(seq);
    if (!r.arrived) return {Kind::unknown, "no answer within " + ms(options_.ack_timeout), false, {}};
    if (r.no_responders) return {Kind::unknown, "no responders (no stream leader, e.g. during an election)", true, {}};
    if (r.send_failed) return {Kind::unknown, "publish failed: " + r.body, true, {}};
    auto ack = parse_pub_ack(r.body);
    if (!ack.ok()) return {Kind::unknown, ack.error.message(), false, {}};
    if (ack.value->stored()) {
        if (ack.value->seq == seq) return {Kind::acknowledged, {}, false, {}};
        return {Kind::failed, {}, false,
                Error{"cluster_diverged", at, "an acknowledgement at stream sequence " + std::to_string(seq),
                      "one at " + std::to_string(ack.value->seq) +
                          (ack.value->duplicate ? " as a duplicate of message id " + p.msg_id : std::string())}};
    }
    if (ack.value->err_code == kWrongLastSequence) {
        Error read;
        const auto id = msg_id_at(seq, read);
        if (!id) {
            if (read.code == "cluster_diverged") return {Kind::failed, {}, false, read};
            return {Kind::unknown, read.message(), true, {}};
        }
        if (*id == p.msg_id) return {Kind::acknowledged, {}, false, {}};
        return {Kind::fenced, {}, false,
                Error{"cluster_fenced", at, "this writer's record at the stream's next sequence",
                      "another writer's (Nats-Msg-Id \"" + *id +
                          "\"): another primary took over the stream; this node takes no more writes"}};
    }
    if (ack.value->code >= 500)
        return {Kind::unknown, "JetStream answered " + std::to_string(ack.value->code) + ": " + ack.value->description,
                true, {}};
    return {Kind::failed, {}, false,
            Error{"cluster_refused", at, "the record stored",
                  "refused with JetStream error " + std::to_string(ack.value->err_code) + ": " +
                      ack.value->description}};
}

// Waits for every answer of the pipeline, in stream order, resending from
// the first record whose outcome is unknown, for at most retry_for.
JetStreamJournal::Outcome JetStreamJournal::resolve(std::vector<Pending>& pipeline, Error& error) {
    std::size_t k = 0;
    // Since when pipeline[k]'s outcome has been unknown (zero: it is not).
    Clock::time_point unknown_since{};
    auto forget = [this](const Pending& p) {
        std::lock_guard lock(reply_mutex_);
        replies_.erase(p.token);
    };
    auto finish = [&](Outcome o) {
        for (std::size_t j = k; j < pipeline.size(); ++j) forget(pipeline[j]);
        return o;
    };
    while (k < pipeline.size()) {
        Pending& p = pipeline[k];
        Reply r;
        {
            std::unique_lock lock(reply_mutex_);
            reply_cv_.wait_until(lock, p.sent_at + options_.ack_timeout, [&] { return replies_[p.token].arrived; });
            r = replies_[p.token];
        }
        Verdict v = judge(p, r);
        switch (v.kind) {
            case Verdict::Kind::acknowledged:
                forget(p);
                last_seq_ = p.expected + 1;
                ++counters_.acknowledged;
                unknown_since = {};
                ++k;
                continue;
            case Verdict::Kind::fenced: error = std::move(v.error); return finish(Outcome::fenced);
            case Verdict::Kind::failed: error = std::move(v.error); return finish(Outcome::failed);
            case Verdict::Kind::unknown: break;
        }
        ++counters_.unknown;
        const auto now = Clock::now();
        if (unknown_since == Clock::time_point{}) unknown_since = now;
        if (now - unknown_since >= options_.retry_for) {
            error = Error{"cluster_unavailable", where_ + ", sequence " + std::to_string(p.expected + 1),
                          "an acknowledgement within " + ms(options_.retry_for),
                          "none; last: " + v.why + ". The outcome is unknown, so this journal takes no more writes"};
            return finish(Outcome::failed);
        }
        if (v.pause) std::this_thread::sleep_for(options_.retry_wait);
        // Same bytes, id and expected sequence: a copy that already landed
        // comes back as a duplicate with its sequence.
        for (std::size_t j = k; j < pipeline.size(); ++j) {
            publish(pipeline[j]);
            ++counters_.resends;
        }
    }
    return Outcome::acknowledged;
}

Error JetStreamJournal::refuse(Error e) {
    failed_ = e;
    return e;
}

Result<std::uint64_t> JetStreamJournal::failed_result() const {
    // The original reason, code and all (cluster_fenced stays cluster_fenced).
    Error e = *failed_;
    e.got += " (an earlier write failed; this journal takes no more)";
    return Result<std::uint64_t>::of_error(std::move(e));
}

Error JetStreamJournal::write_genesis() {
    genesis_ = make_genesis(options_.card, options_.desk, max_record_, utc_now());
    std::vector<Pending> pipeline(1);
    Pending& p = pipeline[0];
    p.bytes = encode_genesis(genesis_);
    p.subject = spec_.genesis_subject;
    p.msg_id = "genesis." + genesis_.epoch;
    p.expected = 0;  // only into an empty stream: two nodes starting at once write one genesis
    publish(p);
    Error error;
    // Fenced here means another node's genesis came first: load() reads and checks it.
    if (resolve(pipeline, error) == Outcome::failed) return error;
    return {};
}

Result<LoadReport> JetStreamJournal::load(const RecordFn& on_record) {
    using R = Result<LoadReport>;
    if (loaded_ || failed_)
        return R::of_error(Error{"journal_already_loaded", where_, "load() once per journal", "a second load()"});
    const auto deadline = Clock::now() + options_.load_timeout;
    LoadReport report;
    StreamState st;
    for (;;) {
        auto ensured = ensure_stream(*conn_, spec_);
        if (ensured.ok()) {
            st = std::move(*ensured.value);
            break;
        }
        // The meta leader may be being elected: ask again until the deadline.
        if (ensured.error.code != "cluster_unavailable" || Clock::now() >= deadline) return R::of_error(refuse(ensured.error));
        std::this_thread::sleep_for(options_.retry_wait);
    }
    report.warnings = std::move(st.warnings);
    if (st.last_seq == 0)
        if (Error e = write_genesis(); !e.code.empty()) return R::of_error(refuse(e));
    auto loaded = load_stream(on_record, deadline);
    if (!loaded.ok()) return R::of_error(refuse(loaded.error));
    for (auto& w : report.warnings) loaded.value->warnings.push_back(std::move(w));
    return loaded;
}

Result<LoadReport> JetStreamJournal::load_stream(const RecordFn& on_record, Clock::time_point deadline) {
    using R = Result<LoadReport>;
    StreamState st;
    for (;;) {
        auto state = stream_state(*conn_, spec_.name);
        if (state.ok()) {
            st = std::move(*state.value);
            break;
        }
        if (state.error.code != "cluster_unavailable" || Clock::now() >= deadline) return R::of_error(state.error);
        std::this_thread::sleep_for(options_.retry_wait);
    }
    auto damaged = [&](std::string expected, std::string got) {
        return R::of_error(Error{"cluster_stream_damaged", where_, std::move(expected), std::move(got)});
    };
    if (st.last_seq == 0) return damaged("a genesis message at sequence 1", "an empty stream");
    if (st.first_seq != 1 || st.messages != st.last_seq)
        return damaged("messages 1 to " + std::to_string(st.last_seq) + " with none removed",
                       std::to_string(st.messages) + " messages from sequence " + std::to_string(st.first_seq) +
                           " (messages were deleted or purged: the journal cannot be rebuilt from it)");

    auto records = read_records(st.last_seq, deadline);
    if (!records.ok()) return R::of_error(records.error);
    // Nothing is delivered unless the whole stream was usable.
    for (const auto& record : *records.value) on_record(record);
    last_seq_ = durable_seq_ = st.last_seq;
    loaded_ = true;
    LoadReport report;
    report.records = records.value->size();
    return R{std::move(report), {}};
}

// Messages 1 to last_seq through an ordered consumer: in sequence, no acks,
// recreated by libnats after a gap. The genesis is checked, not returned.
Result<std::vector<std::string>> JetStreamJournal::read_records(std::uint64_t last_seq, Clock::time_point deadline) {
    using R = Result<std::vector<std::string>>;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = spec_.name.c_str();
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverAll;
    natsSubscription* sub = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const std::string filter = "declared." + spec_.name + ".*";
    natsStatus s = NATS_OK;
    for (;;) {
        // A stream just created, or electing a leader, may not answer the
        // consumer's creation in time: ask again until the deadline.
        s = js_SubscribeSync(&sub, conn_->js(), filter.c_str(), nullptr, &so, &jerr);
        if (s == NATS_OK) break;
        if (!transient(s) || Clock::now() >= deadline)
            return R::of_error(nats_error("cluster_unavailable", where_, "a consumer to read the stream", s, jerr));
        jerr = static_cast<jsErrCode>(0);
        std::this_thread::sleep_for(options_.retry_wait);
    }
    struct SubGuard {
        natsSubscription* sub;
        ~SubGuard() {
            natsSubscription_Unsubscribe(sub);
            natsSubscription_Destroy(sub);
        }
    } guard{sub};

    std::vector<std::string> records;
    records.reserve(static_cast<std::size_t>(last_seq - 1));
    std::uint64_t next = 1;
    while (next <= last_seq) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return R::of_error(Error{"cluster_unavailable", where_,
                                 "all " + std::to_string(last_seq) + " messages within " + ms(options_.load_timeout),
                                 std::to_string(next - 1) + " of them"});
        natsMsg* m = nullptr;
        s = natsSubscription_NextMsg(&m, sub, std::min<std::int64_t>(left.count(), 1000));
        if (s == NATS_TIMEOUT) continue;
        if (s != NATS_OK) return R::of_error(nats_error("cluster_unavailable", where_, "the stream's messages", s));
        jsMsgMetaData* meta = nullptr;
        if (natsMsg_GetMetaData(&meta, m) != NATS_OK) {  // not a stream message (flow control)
            natsMsg_Destroy(m);
            continue;
        }
        const std::uint64_t seq = meta->Sequence.Stream;
        jsMsgMetaData_Destroy(meta);
        const std::string subject = natsMsg_GetSubject(m);
        const char* data = natsMsg_GetData(m);
        std::string bytes(data ? data : "", static_cast<std::size_t>(natsMsg_GetDataLength(m)));
        natsMsg_Destroy(m);
        if (seq != next)
            return R::of_error(Error{"cluster_stream_damaged", where_ + ", sequence " + std::to_string(seq),
                                 "message " + std::to_string(next),
                                 "message " + std::to_string(seq) + " (a gap in the stream)"});
        if (Error e = take_message(seq, subject, std::move(bytes), records); !e.code.empty()) return R::of_error(e);
        ++next;
    }
    return R{std::move(records), {}};
}

// Message 1 must be a genesis of this card; every later one a record.
Error JetStreamJournal::take_message(std::uint64_t seq, const std::string& subject, std::string bytes,
                                     std::vector<std::string>& records) {
    const std::string at = where_ + ", sequence " + std::to_string(seq);
    if (seq == 1) {
        if (subject != spec_.genesis_subject)
            return Error{"cluster_bad_genesis", at, "a genesis message on " + spec_.genesis_subject,
                         "a message on " + subject + " (this stream was not started by declared)"};
        auto g = decode_genesis(bytes, at);
        if (!g.ok()) return g.error;
        if (Error e = check_genesis(*g.value, options_.card, options_.desk, at); !e.code.empty()) return e;
        genesis_ = std::move(*g.value);
        return {};
    }
    if (subject == spec_.writer_subject) {
        auto claim = decode_claim(bytes, at);
        if (!claim.ok()) return claim.error;
        last_claim_ = std::move(*claim.value);
        return {};
    }
    if (subject != spec_.records_subject)
        return Error{"cluster_stream_damaged", at, "a record on " + spec_.records_subject, "a message on " + subject};
    if (bytes.empty()) return Error{"cluster_stream_damaged", at, "a record of 1 byte or more", "an empty message"};
    records.push_back(std::move(bytes));
    return {};
}

Result<std::uint64_t> JetStreamJournal::append(std::span<const std::string> records) {
    using R = Result<std::uint64_t>;
    if (failed_) return failed_result();
    if (!loaded_) return R::of_error(Error{"journal_not_loaded", where_, "load() before append()", "append() on an unloaded journal"});
    for (const auto& record : records)
        if (record.empty() || record.size() > max_record_)
            return R::of_error(Error{"journal_record_size", where_,
                                 "a record of 1 to " + std::to_string(max_record_) + " bytes (the servers' max_payload less headers)",
                                 std::to_string(record.size()) + " bytes"});
    const std::uint64_t first = last_seq_ + pipeline_.size() - 1;  // position = sequence - 2
    for (const auto& record : records) {
        Pending p;
        p.bytes = record;
        p.subject = spec_.records_subject;
        p.expected = last_seq_ + pipeline_.size();
        p.msg_id = writer_id_ + "." + std::to_string(p.expected + 1);
        publish(p);
        pipeline_.push_back(std::move(p));
    }
    return R{first, {}};
}

Result<std::uint64_t> JetStreamJournal::sync() {
    using R = Result<std::uint64_t>;
    if (failed_) return failed_result();
    if (!loaded_) return R::of_error(Error{"journal_not_loaded", where_, "load() before sync()", "sync() on an unloaded journal"});
    if (!pipeline_.empty()) {
        Error error;
        const Outcome o = resolve(pipeline_, error);
        pipeline_.clear();
        if (o != Outcome::acknowledged) return R::of_error(refuse(error));
    }
    durable_seq_ = last_seq_;
    return R{last_seq_ - 1, {}};
}

Result<std::uint64_t> JetStreamJournal::claim(std::uint64_t after, const std::string& node, const std::string& reason) {
    using R = Result<std::uint64_t>;
    if (!loaded_) return R::of_error(Error{"journal_not_loaded", where_, "load() before claim()", "claim() on an unloaded journal"});
    // What a failed writer had in flight is settled (acknowledged or not)
    // and forgotten: the claim starts from what this node applied.
    pipeline_.clear();
    failed_.reset();
    writer_id_ = random_id();
    last_seq_ = after;
    const WriterClaim mine{writer_id_, node, after, reason, utc_now()};
    std::vector<Pending> pipeline(1);
    Pending& p = pipeline[0];
    p.bytes = encode_claim(mine);
    p.subject = spec_.writer_subject;
    p.msg_id = writer_id_ + ".claim";
    p.expected = after;
    publish(p);
    Error error;
    switch (resolve(pipeline, error)) {
        case Outcome::acknowledged:
            durable_seq_ = last_seq_;
            last_claim_ = mine;
            return R{last_seq_, {}};
        case Outcome::fenced:
            return R::of_error(refuse(Error{"cluster_claim_lost", where_ + ", sequence " + std::to_string(after + 1),
                                            "nothing written after sequence " + std::to_string(after),
                                            "the stream moved on (another writer is live, or claimed first)"}));
        case Outcome::failed: break;
    }
    return R::of_error(refuse(error));
}

}  // namespace declared::cluster
