#include "daemon/ingest.hpp"

#include <algorithm>
#include <cstdlib>

#include <boost/asio/post.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/journal_entry.hpp"
#include "model/validate.hpp"

namespace declared {

namespace net = boost::asio;

namespace {

// Leaves room in the committer's queue: a batch is applied only when its
// records are sure to be queued, since the tally cannot take them back.
constexpr std::size_t kQueueHeadroom = 32768;

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
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                       static_cast<int>(ms));
}

Ingest::Ingest(net::io_context& ioc, const Card& card, feed::EventHub& hub, Metrics& metrics)
    : strand_(net::make_strand(ioc)), tally_(card), hub_(hub), metrics_(metrics) {}

Ingest::~Ingest() = default;

Result<LoadReport> Ingest::load(Journal& journal) {
    auto start_events = tally_.start();
    hub_.publish(start_events);
    metrics_.events += start_events.size();
    std::uint64_t record = 0;
    std::optional<Error> broken;
    auto report = journal.load([&](std::string_view bytes) {
        ++record;
        if (broken) return;
        auto entry = decode_entry(bytes, parser_);
        if (!entry.ok()) {
            broken = entry.error;
        } else {
            Assessment a = tally_.assess(entry.value->declaration);
            if (!a.accepted()) {
                broken = a.error;
                if (broken->code.empty()) broken = Error{"not_applicable", "", "an entry that applies", std::string(to_string(a.verdict))};
            } else {
                auto events = tally_.apply(std::move(entry.value->declaration), entry.value->received_at);
                metrics_.events += events.size();
                hub_.publish(events);
            }
        }
        if (broken) broken->path = fmt::format("journal record {}: {}", record, broken->path);
    });
    if (!report.ok()) return report;
    if (broken)
        return Result<LoadReport>::fail(Error{"journal_mismatch", broken->path,
                                              "journal entries that apply to this card (" + broken->expected + ")",
                                              broken->got + "; was the card changed after the night started?"});
    return report;
}

void Ingest::start(GroupCommitter& committer) {
    net::post(strand_, [this, &committer] {
        committer_ = &committer;
        accepting_ = true;
        ready_ = true;
    });
}

void Ingest::stop() {
    net::post(strand_, [this] {
        accepting_ = false;
        ready_ = false;
    });
}

void Ingest::submit(std::string body, Format format, std::string source, Done done, Mode mode) {
    auto received = std::chrono::steady_clock::now();
    net::post(strand_, [this, body = std::move(body), format, mode, source = std::move(source),
                        done = std::move(done), received]() mutable { process(body, format, mode, source, done, received); });
}

void Ingest::read(std::function<void(const Tally&)> fn) {
    net::post(strand_, [this, fn = std::move(fn)] { fn(tally_); });
}

void Ingest::process(std::string& body, Format format, Mode mode, const std::string& source, Done& done,
                     std::chrono::steady_clock::time_point received) {
    BatchResult result;
    if (!accepting_) {
        result.status = BatchResult::Status::unavailable;
        return done(std::move(result));
    }

    // Pass 1: parse and validate every line; one bad line refuses the batch.
    std::vector<std::string_view> texts;
    std::vector<std::size_t> line_numbers;
    if (format == Format::single) {
        texts.push_back(body);
        line_numbers.push_back(1);
    } else {
        auto lines = split_lines(body);
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (!blank(lines[i])) texts.push_back(lines[i]), line_numbers.push_back(i + 1);
    }
    if (texts.empty() || (format == Format::single && blank(body))) {
        result.status = BatchResult::Status::rejected;
        result.lines.push_back({1, Verdict::rejected, Error{"empty_body", "", "at least one declaration", "an empty body"}, {}, 0, {}});
        metrics_.rejected("empty_body");
        return done(std::move(result));
    }
    std::vector<Declaration> decls;
    std::vector<std::size_t> decl_lines;
    decls.reserve(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto parsed = parser_.parse(texts[i]);
        std::optional<Error> error;
        if (!parsed.ok()) error = parsed.error;
        else if (auto e = validate(tally_.card(), *parsed.value)) error = *e;
        if (error) {
            metrics_.rejected(error->code);
            result.lines.push_back({line_numbers[i], Verdict::rejected, *error, parsed.ok() ? parsed.value->ward : "",
                                    parsed.ok() ? parsed.value->revision : 0, {}});
            continue;
        }
        if (!source.empty()) parsed.value->source = source;
        decls.push_back(std::move(*parsed.value));
        decl_lines.push_back(line_numbers[i]);
    }
    if (!result.lines.empty()) {
        result.status = BatchResult::Status::rejected;
        if (mode == Mode::all_or_nothing || decls.empty()) return done(std::move(result));
    }
    if (committer_->queued_records() + decls.size() > kQueueHeadroom) {
        result.status = BatchResult::Status::busy;
        return done(std::move(result));
    }

    // Pass 2: apply in order; journal what was applied.
    const std::string received_at = utc_now_iso8601();
    std::vector<std::string> records;
    auto events = std::make_shared<std::vector<Event>>();
    for (std::size_t i = 0; i < decls.size(); ++i) {
        Declaration& d = decls[i];
        LineResult line{decl_lines[i], Verdict::rejected, {}, d.ward, d.revision, {}};
        Assessment a = tally_.judge(d);  // validated in pass 1
        line.verdict = a.verdict;
        line.error = a.error;
        switch (a.verdict) {
            case Verdict::fresh:
            case Verdict::correction: {
                records.push_back(encode_entry(received_at, d));
                auto evs = tally_.apply(std::move(d), received_at);  // the tally keeps d itself
                for (const auto& e : evs) line.seqs.push_back(e.seq);
                events->insert(events->end(), std::make_move_iterator(evs.begin()), std::make_move_iterator(evs.end()));
                ++metrics_.accepted;
                if (a.verdict == Verdict::correction) ++metrics_.corrections;
                break;
            }
            case Verdict::duplicate: ++metrics_.duplicates; break;
            case Verdict::stale: ++metrics_.stale; break;
            case Verdict::conflict:
            case Verdict::rejected:
                if (result.status == BatchResult::Status::done) result.status = BatchResult::Status::conflict;
                metrics_.rejected(a.error.code);
                break;
        }
        result.lines.push_back(std::move(line));
    }

    std::stable_sort(result.lines.begin(), result.lines.end(),
                     [](const LineResult& a, const LineResult& b) { return a.line < b.line; });

    // Acknowledge (and publish) only once durable. An empty append is a barrier:
    // a duplicate of something not yet on disk waits for it too.
    auto shared_done = std::make_shared<Done>(std::move(done));
    auto shared_result = std::make_shared<BatchResult>(std::move(result));
    auto queued = committer_->append(std::move(records), [this, events, shared_done, shared_result,
                                                          received](const Result<std::uint64_t>& r) {
        net::post(strand_, [this, events, shared_done, shared_result, received, ok = r.ok(), err = r.error] {
            if (!ok) return fatal(err);
            metrics_.events += events->size();
            hub_.publish(*events);
            metrics_.ingest_latency.observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
            (*shared_done)(std::move(*shared_result));
        });
    });
    if (!queued.ok()) fatal(queued.error);
}

void Ingest::fatal(const Error& e) {
    // The tally holds declarations the journal could not keep: serving on would
    // publish what a restart cannot reproduce. Stop; the journal is the truth.
    spdlog::critical("journal write failed: {} ({}); exiting so a restart rebuilds from the journal", e.message(), e.code);
    std::_Exit(70);
}

}  // namespace declared
