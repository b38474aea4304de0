#pragma once
// JetStreamJournal: the Journal (journal/journal.hpp) on a replicated NATS
// JetStream stream, so losing one machine loses no acknowledged record
// (docs/cluster.md says exactly what an acknowledgement means there).
//
// The stream holds the same record bytes a FileJournal would, one message
// each, after a genesis message at stream sequence 1 naming the card
// (cluster/genesis.hpp). load() refuses a stream whose genesis is not this
// node's card. Neither the genesis nor a writer claim (cluster/writer_claim.hpp)
// is ever handed to on_record: callers see only their own records. A
// position append() returns is the record's stream sequence less 2 (claims
// take sequences too, so positions are not dense). The genesis and the last
// claim are available after load().
//
// One writer, fenced: every publish carries Nats-Expected-Last-Sequence (the
// last stream sequence this writer knows, plus its place in the pipeline) and
// a unique Nats-Msg-Id. append() only publishes, many messages in flight;
// sync() waits for every acknowledgement, so the GroupCommitter keeps group
// commit. A wrong-last-sequence answer (10071) that is not our own earlier
// attempt means another writer appended: cluster_fenced, and this journal
// refuses every later write, until claim() makes it the writer again. An
// answer that never comes (a timeout, no
// responders during a leader election, a dropped connection) is never
// guessed at: the same bytes are sent again with the same id and expected
// sequence, which the stream's duplicate window turns into the original
// acknowledgement, or the stream is read at that sequence. If no outcome is
// known within retry_for the journal fails (cluster_unavailable).
//
// Not thread-safe, like every Journal: one owner calls load, append and sync.
// stats() and max_record_size() are safe from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/genesis.hpp"
#include "cluster/nats_connection.hpp"
#include "cluster/stream_setup.hpp"
#include "cluster/writer_claim.hpp"
#include "journal/journal.hpp"

namespace declared::cluster {

struct JetStreamJournalOptions {
    NatsOptions nats;
    std::string stream = "DECLARED";
    int replicas = 3;   // for a stream created here; 1 for a single server
    std::string card;   // this node's card, byte for byte: the genesis is made from it or checked against it
    bool desk = false;  // this node has desk tokens: recorded in the genesis, or checked against it
    std::chrono::milliseconds ack_timeout{2000};   // one publish attempt waits this long for its answer
    std::chrono::milliseconds retry_for{30000};    // an unknown outcome is resolved within this or the journal fails
    std::chrono::milliseconds retry_wait{250};     // pause before resending after "no responders"
    std::chrono::milliseconds load_timeout{60000};  // load() as a whole, including waiting for a stream leader
};

struct JetStreamStats {
    std::uint64_t published = 0;  // publish attempts, resends included
    std::uint64_t resends = 0;    // attempts after an unknown outcome
    std::uint64_t unknown = 0;    // outcomes that were unknown at first (timeouts, no responders)
    std::uint64_t read_back = 0;  // outcomes settled by reading the stream
    std::uint64_t acknowledged = 0;  // messages, the genesis this journal wrote included
};

class JetStreamJournal final : public Journal {
public:
    // Connects (no stream I/O until load()).
    static Result<std::unique_ptr<JetStreamJournal>> open(JetStreamJournalOptions options);
    ~JetStreamJournal() override;
    JetStreamJournal(const JetStreamJournal&) = delete;
    JetStreamJournal& operator=(const JetStreamJournal&) = delete;

    Result<LoadReport> load(const RecordFn& on_record) override;
    Result<std::uint64_t> append(std::span<const std::string> records) override;
    Result<std::uint64_t> sync() override;
    std::size_t max_record_size() const override { return max_record_; }

    // Makes this journal the stream's writer: a claim appended with the
    // expected last sequence `after` (the last one this node applied), under
    // a new writer id. Returns the claim's sequence; cluster_claim_lost when
    // anything was written after `after` (another writer is live, or claimed
    // first): the journal then stays refusing writes. Also after a fence.
    Result<std::uint64_t> claim(std::uint64_t after, const std::string& node, const std::string& reason);

    const Genesis& genesis() const { return genesis_; }          // after load()
    const std::optional<WriterClaim>& last_claim() const { return last_claim_; }  // after load(): the stream's, if any
    // The last stream sequence of the last successful load, sync or claim:
    // everything up to it was acknowledged to the caller. After a fence a
    // pipeline may have landed partly beyond it.
    std::uint64_t durable_sequence() const { return durable_seq_; }
    const NatsConnection& connection() const { return *conn_; }
    const StreamSpec& spec() const { return spec_; }
    std::uint64_t last_sequence() const { return last_seq_; }    // last acknowledged stream sequence
    const std::string& writer_id() const { return writer_id_; }  // the prefix of this writer's Nats-Msg-Ids
    const std::string& where() const { return where_; }
    JetStreamStats stats() const;

private:
    struct Pending {
        std::string bytes;
        std::string subject;
        std::string msg_id;
        std::uint64_t expected = 0;  // Nats-Expected-Last-Sequence
        std::uint64_t token = 0;     // of the current attempt's reply subject
        std::chrono::steady_clock::time_point sent_at;
    };
    struct Reply {
        bool arrived = false;
        bool no_responders = false;
        bool send_failed = false;
        std::string body;  // the answer, or why the send failed
    };
    // How resolving a pipeline ended.
    enum class Outcome { acknowledged, fenced, failed };
    // What one answer (or its absence) says about its record.
    struct Verdict {
        enum class Kind { acknowledged, unknown, fenced, failed };
        Kind kind = Kind::unknown;
        std::string why;     // unknown: what happened instead of an answer
        bool pause = false;  // unknown: the cluster said "not now", so do not resend at once
        Error error;         // fenced, failed
    };

    explicit JetStreamJournal(JetStreamJournalOptions options);
    static void on_reply(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);
    static void on_reply_complete(void* closure);

    void publish(Pending& p);
    Outcome resolve(std::vector<Pending>& pipeline, Error& error);
    Verdict judge(const Pending& p, const Reply& r);
    std::optional<std::string> msg_id_at(std::uint64_t seq, Error& error);
    Result<LoadReport> load_stream(const RecordFn& on_record, std::chrono::steady_clock::time_point deadline);
    Result<std::vector<std::string>> read_records(std::uint64_t last_seq, std::chrono::steady_clock::time_point deadline);
    Error take_message(std::uint64_t seq, const std::string& subject, std::string bytes, std::vector<std::string>& records);
    Error write_genesis();
    Error refuse(Error e);
    Result<std::uint64_t> failed_result() const;

    JetStreamJournalOptions options_;
    StreamSpec spec_;
    std::unique_ptr<NatsConnection> conn_;
    std::string where_;
    std::string writer_id_;
    std::size_t max_record_ = 0;
    Genesis genesis_;
    bool loaded_ = false;
    std::uint64_t last_seq_ = 0;  // last stream sequence acknowledged to this writer
    std::uint64_t durable_seq_ = 0;
    std::optional<WriterClaim> last_claim_;
    std::vector<Pending> pipeline_;  // appended, not yet acknowledged, in stream order
    std::optional<Error> failed_;

    // Answers arrive on a libnats thread.
    std::string reply_prefix_;
    natsSubscription* reply_sub_ = nullptr;
    std::mutex reply_mutex_;
    std::condition_variable reply_cv_;
    std::unordered_map<std::uint64_t, Reply> replies_;  // awaited tokens only
    std::uint64_t next_token_ = 0;
    bool reply_sub_done_ = false;

    struct Counters {
        std::atomic<std::uint64_t> published{0}, resends{0}, unknown{0}, read_back{0}, acknowledged{0};
    } counters_;
};

}  // namespace declared::cluster
