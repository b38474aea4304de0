#include "ingest/ingest.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ingest/journal_entry.hpp"
#include "model/utc_time.hpp"
#include "model/validate.hpp"

namespace declared {

namespace asio = boost::asio;

namespace {

std::vector<std::string_view> split_lines(std::string_view body) {
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos <= body.size()) {
        std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) end = body.size();
        lines.push_back(body.substr(pos, end - pos));
        pos = end + 1;
    }
    return lines;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

std::string utc_now_iso8601() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return format_utc(std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), true);
}

Ingest::Ingest(asio::io_context& ioc, const Card& card, feed::EventHub& hub, Metrics& metrics)
    : strand_(asio::make_strand(ioc)), tally_(card), hub_(hub), metrics_(metrics),
      embargo_timer_(strand_, [this](const std::string& until) {
          DeskAction lift;
          lift.kind = DeskKind::lift_embargo;
          lift.by = "embargo timer";
          lift.reason = "the embargo's time, " + until + ", has come";
          lift.until = until;
          DeskDone logged = [this, until](DeskResult r) {
              if (r.status == DeskResult::Status::done) return spdlog::info("embargo until {} lifted at its time", until);
              // Not yet open, or the journal queue full: try again shortly, never give up silently.
              const bool transient = r.status == DeskResult::Status::busy ||
                                     (r.status == DeskResult::Status::unavailable && !stopping_ && failure().code != "journal_failed" &&
                                      !failure().code.starts_with("cluster_"));
              spdlog::warn("embargo until {}: not lifted by its timer: {}{}", until, r.error.message(),
                           transient ? "; trying again in a second" : "");
              if (transient) embargo_timer_.retry(until);
          };
          process_desk(lift, logged);
      }) {}

Ingest::~Ingest() = default;

// One journalled entry, applied as when it was accepted: a desk action
// refused then is refused again the same way. Any other refusal means the
// entry does not belong to this card.
std::optional<Error> Ingest::replay(std::string_view bytes) {
    auto entry = decode_entry(bytes, parser_);
    if (!entry.ok()) return entry.error;
    if (entry.value->desk) {
        auto events = tally_.apply(*entry.value->desk, entry.value->received_at);
        if (events.ok()) {
            metrics_.events += events.value->size();
            hub_.publish(*events.value);
        }
        return std::nullopt;
    }
    Assessment a = tally_.assess(entry.value->declaration);
    if (!a.accepted()) {
        if (a.error.code.empty()) return Error{"not_applicable", "", "an entry that applies", std::string(to_string(a.verdict))};
        return a.error;
    }
    auto events = tally_.apply(std::move(entry.value->declaration), entry.value->received_at);
    metrics_.events += events.size();
    hub_.publish(events);
    return std::nullopt;
}

Result<LoadReport> Ingest::load(Journal& journal, bool desk) {
    desk_ = desk;
    std::uint64_t record = 0;
    std::optional<Error> broken;
    auto report = journal.load([&](std::string_view bytes) {
        ++record;
        if (broken) return;
        broken = replay(bytes);
        if (broken) broken->path = fmt::format("journal record {}: {}", record, broken->path);
    });
    if (!report.ok()) return report;
    // Whatever the first entry was started the night; the same bytes whether
    // a desk is configured now or not.
    if (record == 0 && !desk) {
        auto start_events = tally_.start();
        hub_.publish(start_events);
        metrics_.events += start_events.size();
    }
    asio::post(strand_, [this] { embargo_timer_.arm(tally_.embargo_until()); });
    records_ = record;
    if (broken)
        return Result<LoadReport>::of_error(Error{"journal_mismatch", broken->path,
                                              "journal entries that apply to this card (" + broken->expected + ")",
                                              broken->got + "; was the card changed after the night started?"});
    return report;
}

void Ingest::start(GroupCommitter& committer) {
    asio::post(strand_, [this, &committer] {
        committer_ = &committer;
        accepting_ = true;
        ready_ = true;
    });
}

void Ingest::resume(GroupCommitter& committer) {
    asio::post(strand_, [this, &committer] {
        {
            std::lock_guard lock(failure_mutex_);
            failure_ = {};
        }
        committer_ = &committer;
        accepting_ = true;
        ready_ = true;
        embargo_timer_.arm(tally_.embargo_until());  // a follower's timer stood down
    });
}

void Ingest::refuse_ingest(Error why) {
    asio::post(strand_, [this, why = std::move(why)] {
        accepting_ = false;
        ready_ = false;
        std::lock_guard lock(failure_mutex_);
        failure_ = why;
    });
}

void Ingest::follow(std::string record, std::function<void(Error)> broken) {
    asio::post(strand_, [this, record = std::move(record), broken = std::move(broken)] {
        if (following_broken_) return;
        ++records_;
        auto e = replay(record);
        if (!e) return;
        following_broken_ = true;
        e->path = fmt::format("journal record {}: {}", records_, e->path);
        broken(Error{"journal_mismatch", e->path, "journal entries that apply to this card (" + e->expected + ")",
                     e->got + "; does this node have the writer's card?"});
    });
}

void Ingest::stop() {
    asio::post(strand_, [this] {
        accepting_ = false;
        ready_ = false;
        stopping_ = true;
        embargo_timer_.cancel();  // a waiting timer would keep the loop from ending
    });
}

void Ingest::submit_desk(DeskAction action, DeskDone done) {
    asio::post(strand_, [this, action = std::move(action), done = std::move(done)]() mutable {
        process_desk(action, done);
    });
}

// Checked, journalled, then applied: the same steps as a declaration's.
void Ingest::process_desk(DeskAction& action, DeskDone& done) {
    DeskResult r;
    auto answer = [&](DeskResult::Status status, Error e) {
        r.status = status;
        r.error = std::move(e);
        done(std::move(r));
    };
    if (!accepting_) return answer(DeskResult::Status::unavailable, failure());
    // Without a desk the start-up calls went out before any input, which a
    // replay of a desk action could not reproduce: no desk, no desk actions.
    if (!desk_)
        return answer(DeskResult::Status::rejected,
                      Error{"no_desk", "", "a daemon started with a results desk (--desk-token)", "none configured"});
    r.received_at = utc_now_iso8601();
    if (auto e = tally_.check(action, r.received_at)) return answer(DeskResult::Status::rejected, std::move(*e));
    std::vector<std::string> record{encode_entry(r.received_at, action)};
    auto queued = committer_->append(std::move(record), [this, action, r, done](const Result<std::uint64_t>& res) mutable {
        asio::post(strand_, [this, action = std::move(action), r = std::move(r), done = std::move(done), ok = res.ok(),
                            err = res.error]() mutable {
            if (!ok) {
                journal_failed(err);
                r.status = DeskResult::Status::unavailable;
                r.error = failure();
            } else {
                apply_desk(action, r.received_at, r);
            }
            done(std::move(r));
        });
    });
    if (!queued.ok()) {
        const bool busy = queued.error.code == "journal_busy";
        return answer(busy ? DeskResult::Status::busy : DeskResult::Status::unavailable,
                      queued.error.code == "journal_failed" ? failure() : queued.error);
    }
}

void Ingest::apply_desk(const DeskAction& action, const std::string& received_at, DeskResult& r) {
    auto events = tally_.apply(action, received_at);
    if (!events.ok()) {  // journalled, and a restart refuses it the same way
        r.status = DeskResult::Status::conflict;
        r.error = events.error;
        return;
    }
    for (const auto& e : *events.value) r.seqs.push_back(e.seq);
    ++metrics_.desk_actions;
    metrics_.events += events.value->size();
    hub_.publish(*events.value);
    embargo_timer_.arm(tally_.embargo_until());
    spdlog::info("desk: {} by {}{}{}: {} events", to_string(action.kind), action.by,
                 action.council.empty() ? "" : " on ", action.council, events.value->size());
}

void Ingest::submit(std::string body, Format format, std::string source, Done done, Mode mode) {
    auto received = std::chrono::steady_clock::now();
    asio::post(strand_, [this, body = std::move(body), format, mode, source = std::move(source),
                        done = std::move(done), received]() mutable { process(body, format, mode, source, done, received); });
}

void Ingest::read(std::function<void(const Tally&)> fn) {
    asio::post(strand_, [this, fn = std::move(fn)] { fn(tally_); });
}

// One batch from submit() to its answer. It owns the parsed declarations
// until they are applied, so pending_ can point at them meanwhile.
struct Ingest::Batch {
    Mode mode = Mode::all_or_nothing;
    std::chrono::steady_clock::time_point received;
    std::string received_at;
    Done done;
    BatchResult result;
    std::vector<Declaration> parsed;         // the valid lines, in order
    std::vector<std::size_t> parsed_line;    // each one's index in result.lines
    std::vector<std::size_t> accepted;       // indexes into parsed: fresh or corrections, to apply
    std::vector<std::string> records;        // their journal entries

    void reject(std::size_t line, Error e, std::string ward = {}, std::int64_t revision = 0) {
        result.status = BatchResult::Status::rejected;
        result.lines.push_back({line, Verdict::rejected, std::move(e), std::move(ward), revision, {}});
    }
    void refuse(BatchResult::Status status, Error why) {
        result.status = status;
        result.error = std::move(why);
    }
    void finish() {
        std::stable_sort(result.lines.begin(), result.lines.end(),
                         [](const LineResult& x, const LineResult& y) { return x.line < y.line; });
        done(std::move(result));
    }
};

void Ingest::process(std::string& body, Format format, Mode mode, const std::string& source, Done& done,
                     std::chrono::steady_clock::time_point received) {
    auto b = std::make_shared<Batch>();
    b->mode = mode;
    b->received = received;
    b->done = std::move(done);
    if (!accepting_) return b->refuse(BatchResult::Status::unavailable, failure()), b->finish();
    parse(*b, body, format, source);
    if (b->result.status == BatchResult::Status::rejected && (mode == Mode::all_or_nothing || b->parsed.empty()))
        return b->finish();
    judge(*b);
    if (b->result.status == BatchResult::Status::rejected && mode == Mode::all_or_nothing) return b->finish();
    commit(std::move(b));
}

// Step 1: every line parsed and validated against the card; nothing held is looked at.
void Ingest::parse(Batch& b, std::string_view body, Format format, const std::string& source) {
    std::vector<std::string_view> texts;
    std::vector<std::size_t> line_numbers;
    if (format == Format::single) {
        if (!blank(body)) texts.push_back(body), line_numbers.push_back(1);
    } else {
        auto lines = split_lines(body);
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (!blank(lines[i])) texts.push_back(lines[i]), line_numbers.push_back(i + 1);
    }
    if (texts.empty()) {
        metrics_.rejected("empty_body");
        return b.reject(1, Error{"empty_body", "", "at least one declaration", "an empty body"});
    }
    b.parsed.reserve(texts.size());  // pending_ points into it: it never reallocates
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto parsed = parser_.parse(texts[i]);
        std::optional<Error> error;
        if (!parsed.ok()) error = parsed.error;
        else if (auto e = validate(tally_.card(), *parsed.value)) error = *e;
        else if (!source.empty()) error = DeclarationParser::check_source(source);
        if (error) {
            metrics_.rejected(error->code);
            b.reject(line_numbers[i], *error, parsed.ok() ? parsed.value->ward : "",
                     parsed.ok() ? parsed.value->revision : 0);
            continue;
        }
        if (!source.empty()) parsed.value->source = source;
        b.result.lines.push_back({line_numbers[i], Verdict::rejected, {}, parsed.value->ward, parsed.value->revision, {}});
        b.parsed_line.push_back(b.result.lines.size() - 1);
        b.parsed.push_back(std::move(*parsed.value));
    }
}

// Step 2: each declaration against what will be held once everything before
// it is durable (this batch's earlier lines, then batches in flight, then the
// tally), and the journal entries of those to apply, within the journal's sizes.
void Ingest::judge(Batch& b) {
    b.received_at = utc_now_iso8601();
    std::unordered_map<std::string_view, const Declaration*> in_batch;
    const std::size_t max_record = committer_->max_record_size();
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < b.parsed.size(); ++i) {
        const Declaration& d = b.parsed[i];
        LineResult& line = b.result.lines[b.parsed_line[i]];
        const Declaration* pending = nullptr;
        if (auto it = in_batch.find(d.ward); it != in_batch.end()) pending = it->second;
        else if (auto p = pending_.find(d.ward); p != pending_.end()) pending = p->second;
        Assessment a = tally_.judge(d, pending);
        line.verdict = a.verdict;
        line.error = a.error;
        if (a.accepted()) {
            std::string record = encode_entry(b.received_at, d);
            if (record.size() > max_record) {
                line.verdict = Verdict::rejected;
                line.error = Error{"declaration_too_large", "", "a declaration of at most " + std::to_string(max_record) +
                                   " bytes as journalled", std::to_string(record.size()) + " bytes"};
                b.result.status = BatchResult::Status::rejected;
                metrics_.rejected(line.error.code);
                continue;
            }
            bytes += record.size();
            b.records.push_back(std::move(record));
            b.accepted.push_back(i);
            in_batch[d.ward] = &d;
        }
        switch (a.verdict) {
            case Verdict::duplicate: ++metrics_.duplicates; break;
            case Verdict::stale: ++metrics_.stale; break;
            case Verdict::conflict:
            case Verdict::rejected:
                if (b.result.status == BatchResult::Status::done) b.result.status = BatchResult::Status::conflict;
                metrics_.rejected(a.error.code);
                break;
            default: break;
        }
    }
    if (bytes > committer_->max_append_bytes()) {
        metrics_.rejected("batch_too_large");
        b.accepted.clear();
        b.records.clear();
        b.result.lines.clear();
        b.reject(1, Error{"batch_too_large", "", "at most " + std::to_string(committer_->max_append_bytes()) +
                          " bytes of declarations in one batch", std::to_string(bytes) + " bytes; split it into smaller batches"});
    }
}

// Step 3: to the journal. Answered once durable; an empty append is a barrier,
// so a duplicate of something still in flight is answered after it too.
void Ingest::commit(std::shared_ptr<Batch> b) {
    auto queued = committer_->append(std::move(b->records), [this, b](const Result<std::uint64_t>& r) {
        asio::post(strand_, [this, b, ok = r.ok(), err = r.error] {
            if (ok) {
                apply(*b);
            } else {
                journal_failed(err);
                for (auto i : b->accepted)
                    if (auto p = pending_.find(b->parsed[i].ward); p != pending_.end() && p->second == &b->parsed[i])
                        pending_.erase(p);
                b->refuse(BatchResult::Status::unavailable, failure());
            }
            b->finish();
        });
    });
    if (!queued.ok()) {
        const auto& code = queued.error.code;
        if (code == "journal_busy") b->refuse(BatchResult::Status::busy, queued.error);
        else if (code == "journal_record_size") b->reject(1, queued.error);
        else b->refuse(BatchResult::Status::unavailable, code == "journal_failed" ? failure() : queued.error);
        return b->finish();
    }
    for (auto i : b->accepted) {
        // Erase first: assigning would keep the old key, a view into an older
        // declaration that is moved into the tally when it is applied.
        const Declaration& d = b->parsed[i];
        pending_.erase(d.ward);
        pending_.emplace(d.ward, &d);
    }
}

// Step 4: durable, so applied to the tally, published, counted.
void Ingest::apply(Batch& b) {
    std::vector<Event> events;
    for (auto i : b.accepted) {
        Declaration& d = b.parsed[i];
        LineResult& line = b.result.lines[b.parsed_line[i]];
        if (auto p = pending_.find(d.ward); p != pending_.end() && p->second == &d) pending_.erase(p);
        auto evs = tally_.apply(std::move(d), b.received_at);  // the tally keeps d itself
        for (const auto& e : evs) line.seqs.push_back(e.seq);
        events.insert(events.end(), std::make_move_iterator(evs.begin()), std::make_move_iterator(evs.end()));
        ++metrics_.accepted;
        if (line.verdict == Verdict::correction) ++metrics_.corrections;
    }
    metrics_.events += events.size();
    hub_.publish(events);
    metrics_.ingest_latency.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - b.received).count());
}

void Ingest::journal_failed(const Error& e) {
    accepting_ = false;
    ready_ = false;
    std::lock_guard lock(failure_mutex_);
    if (!failure_.code.empty()) return;
    if (e.code == "cluster_fenced") {
        // Not a fault to fix here: another node is the writer now. Say so in
        // every 503, under its own code, so a client or balancer can tell.
        failure_ = Error{"cluster_fenced", e.path, "this node to be the stream's one writer",
                         e.got + "; ingest is refused here (503): send to the new primary"};
        spdlog::error("journal fenced: {}; refusing ingest (503) from now on, reads go on", e.message());
        if (on_fenced_) on_fenced_();
        return;
    }
    failure_ = Error{"journal_failed", e.path, "a journal that accepts writes",
                     e.message() + "; ingest is refused until the daemon is restarted with the disk fixed"};
    spdlog::error("journal write failed: {} ({}); refusing ingest (503) from now on, reads go on; "
                  "fix the disk and restart: the journal holds everything acknowledged",
                  e.message(), e.code);
}

Error Ingest::failure() const {
    std::lock_guard lock(failure_mutex_);
    if (!failure_.code.empty()) return failure_;
    return Error{"unavailable", "", "a running daemon", "one that is starting or shutting down; retry shortly"};
}

}  // namespace declared
