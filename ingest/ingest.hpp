#pragma once
// The one writer. Every source (HTTP push, drop directory, upstream poll)
// hands its declarations here; on one strand, in arrival order, each batch is
// parsed and validated, judged against what is held (and what waits for the
// journal), journalled, and only once durable applied to the tally, published
// and acknowledged. So the tally, and every read of it, holds only what the
// journal holds: a seq anyone has seen means the same thing after a crash, and
// a failed journal write leaves nothing half-applied (ingest then refuses with
// the reason, and reads go on).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "ingest/embargo_timer.hpp"
#include "ingest/metrics.hpp"
#include "journal/group_commit.hpp"
#include "journal/journal.hpp"
#include "feed/event_hub.hpp"
#include "model/card.hpp"
#include "model/declaration_json.hpp"
#include "model/desk_action.hpp"
#include "model/tally.hpp"

namespace declared {

// What became of one declaration of a batch.
struct LineResult {
    std::size_t line = 0;  // 1-based within the batch
    Verdict verdict = Verdict::rejected;
    Error error;           // rejected, conflict, stale
    std::string ward;
    std::int64_t revision = 0;
    std::vector<std::uint64_t> seqs;  // events it caused
};

struct BatchResult {
    enum class Status {
        done,         // every line accepted, duplicate or stale (see lines)
        rejected,     // a line failed parsing or validation: nothing applied (each_line: the rest was)
        conflict,     // a line repeated a revision with a different result; others applied
        busy,         // the journal queue is full: nothing applied, retry shortly
        unavailable,  // starting or stopping: nothing applied
    };
    Status status = Status::done;
    std::vector<LineResult> lines;
    Error error;  // busy, unavailable: why (e.g. the journal's failure)
};

// What became of one desk action.
struct DeskResult {
    enum class Status {
        done,         // journalled and applied (seqs: the events it caused, maybe none)
        rejected,     // does not apply to what is held: nothing journalled, nothing changed
        conflict,     // what is held moved while it waited for the journal: journalled, changed nothing
        busy,         // the journal queue is full: nothing changed, retry shortly
        unavailable,  // starting or stopping, or the journal failed: nothing changed
    };
    Status status = Status::done;
    Error error;
    std::string received_at;
    std::vector<std::uint64_t> seqs;
};

class Ingest {
public:
    // Format of a batch: one JSON declaration, or JSON lines.
    enum class Format { single, lines };
    // all_or_nothing: one invalid line refuses the batch (HTTP push, files).
    // each_line: invalid lines are refused alone and the rest applied (an
    // upstream feed must not stall on one bad record).
    enum class Mode { all_or_nothing, each_line };
    using Done = std::function<void(BatchResult)>;

    Ingest(boost::asio::io_context& ioc, const Card& card, feed::EventHub& hub, Metrics& metrics);
    ~Ingest();

    // Before serving: rebuild from every journalled entry. An entry that no
    // longer applies (a different card) refuses the start with its record
    // number. The calls knowable before counting come with the first entry;
    // on an empty journal they are published at once, unless desk is set (a
    // results desk is configured): then they wait for the desk's first action
    // or the first result, so a desk that sets policy approve or hold first
    // sees them proposed or held, never published. Without desk, submit_desk()
    // refuses every action (no_desk).
    Result<LoadReport> load(Journal& journal, bool desk = false);
    // From now on accepted declarations go to this committer.
    void start(GroupCommitter& committer);
    // Refuse new batches (unavailable); those in flight still complete.
    void stop();

    // Cluster roles (docs/cluster.md). A standby or an edge refuses ingest
    // with why, and follows: each record another node journalled is applied
    // on the strand exactly as a restart applies it (broken, once, if one
    // does not apply: nothing more is applied after it). resume() makes this
    // node the writer again, through committer. on_fenced runs on the strand
    // when the journal reports that another writer took over.
    void refuse_ingest(Error why);
    void follow(std::string record, std::function<void(Error)> broken);
    void resume(GroupCommitter& committer);
    void on_fenced(std::function<void()> fn) { on_fenced_ = std::move(fn); }

    // Thread-safe: queues the batch on the ingest strand; done is called once,
    // on the strand, when the outcome is final (after fsync where anything was accepted).
    void submit(std::string body, Format format, std::string source, Done done, Mode mode = Mode::all_or_nothing);

    // Thread-safe: a desk action (its "by" already set from the desk token)
    // to the same strand and journal as declarations. Checked against what is
    // held, journalled, and only once durable applied and published; done is
    // called once, on the strand.
    using DeskDone = std::function<void(DeskResult)>;
    void submit_desk(DeskAction action, DeskDone done);

    // Runs fn on the ingest strand with read access to the tally.
    void read(std::function<void(const Tally&)> fn);

    bool ready() const { return ready_.load(); }

    // Why ingest refuses now, if the journal failed (empty code otherwise).
    // Thread-safe.
    Error failure() const;

private:
    struct Batch;  // one submitted batch on its way to the journal

    void process(std::string& body, Format format, Mode mode, const std::string& source, Done& done,
                 std::chrono::steady_clock::time_point received);
    void parse(Batch& b, std::string_view body, Format format, const std::string& source);
    void judge(Batch& b);
    void commit(std::shared_ptr<Batch> b);
    void apply(Batch& b);
    std::optional<Error> replay(std::string_view bytes);
    void journal_failed(const Error& e);
    void process_desk(DeskAction& action, DeskDone& done);
    void apply_desk(const DeskAction& action, const std::string& received_at, DeskResult& r);

    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    Tally tally_;
    DeclarationParser parser_;
    feed::EventHub& hub_;
    Metrics& metrics_;
    GroupCommitter* committer_ = nullptr;
    std::atomic<bool> ready_{false};
    bool accepting_ = false;
    std::uint64_t records_ = 0;  // journal records applied: loaded and followed
    bool following_broken_ = false;
    std::function<void()> on_fenced_;
    bool stopping_ = false;  // stop() was called: the embargo timer retries no more
    bool desk_ = false;      // load()'s: a results desk is configured (desk actions are taken)
    // Per contest, the newest accepted declaration still waiting for the
    // journal (it lives in its Batch until applied): the next one is judged
    // against it, not against the tally.
    std::unordered_map<std::string_view, const Declaration*> pending_;
    EmbargoTimer embargo_timer_;  // lifts a timed embargo through the journal
    mutable std::mutex failure_mutex_;
    Error failure_;
};

// "2022-05-06T01:23:45.678Z" for the current time (UTC).
std::string utc_now_iso8601();

}  // namespace declared
