#include "daemon/tools/push_replay.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "daemon/tools/fault_plan.hpp"
#include "daemon/tools/night_file.hpp"
#include "ingest/read_file.hpp"
#include "daemon/tools/rehearsal_report.hpp"
#include "daemon/tools/state_compare.hpp"
#include "model/card_json.hpp"
#include "model/declaration_json.hpp"

namespace declared {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// The night's clock for progress lines: UK local time (BST from April to
// October, near enough for a display; English local elections are in May).
std::string night_clock(long long t) {
    const long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    long z = static_cast<long>(days) + 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const bool bst = m >= 4 && m <= 10;
    const long long local = t + (bst ? 3600 : 0);
    const long long s = ((local % 86400) + 86400) % 86400;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld %s", s / 3600, s / 60 % 60, s % 60, bst ? "BST" : "GMT");
    return buf;
}

// ---------------------------------------------------------------------------

struct Line {
    std::string_view text;
    std::size_t line_no = 0;
    long long at = 0;                         // declared_at, seconds
    std::size_t council = SIZE_MAX;           // index on the card, SIZE_MAX when unknown
    std::string ward;
    std::size_t index = 0;                    // in the plan: where its answer is kept
    int burst = -1;                           // lines of one burst go at once, concurrently
    std::chrono::milliseconds pause_before{0};
    bool desk = false;                        // a desk action, sent alone to the desk's route
};

struct Endpoint {
    std::string host, port, target, desk_target, host_header;
};

std::optional<Endpoint> parse_endpoint(const std::string& url, std::string& error) {
    auto u = boost::urls::parse_uri(url);
    if (!u) return error = "--to: expected http://HOST:PORT, got '" + url + "'", std::nullopt;
    if (u->scheme() != "http") return error = "--to: only http:// is supported (put a TLS proxy's plain side here), got '" + url + "'", std::nullopt;
    Endpoint e;
    e.host = std::string(u->host());
    if (e.host.size() > 2 && e.host.front() == '[') e.host = e.host.substr(1, e.host.size() - 2);
    e.port = u->has_port() ? std::string(u->port()) : "80";
    if (e.host.empty()) return error = "--to: no host in '" + url + "'", std::nullopt;
    std::string path(u->encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    e.target = path + "/v1/declarations";
    e.desk_target = path + "/v1/desk/actions";
    e.host_header = std::string(u->encoded_host_and_port());
    return e;
}

struct Tally {  // what the daemon said about the lines sent
    std::size_t accepted = 0, corrected = 0, duplicate = 0, stale = 0, refused = 0;
    Tally& operator+=(const Tally& o) {
        accepted += o.accepted, corrected += o.corrected, duplicate += o.duplicate, stale += o.stale, refused += o.refused;
        return *this;
    }
};

class Pusher {
public:
    Pusher(const PushOptions& o, Endpoint e, std::vector<LineAnswer>& answers)
        : opt_(o), ep_(std::move(e)), stream_(ioc_), answers_(answers) {}

    // Sends lines [first, last) until the daemon has answered every one.
    // Returns false on a fatal refusal or when the daemon stays unreachable.
    bool send(std::vector<const Line*> batch) {
        auto down_since = Clock::now();
        bool down = false;
        int attempt = 0;
        while (!batch.empty()) {
            std::string body;
            for (const Line* l : batch) {
                body.append(l->text);
                body += '\n';
            }
            int status = 0;
            std::string answer, failure;
            if (!post(ep_.target, opt_.token, "application/x-ndjson", body, status, answer, failure)) {
                // Connection refused, reset or timed out: the daemon may be restarting.
            } else if (status == 200 || status == 409) {
                if (down) std::cerr << "\nreplay: daemon is back; resending\n";
                account(batch, answer);
                return true;
            } else if (status == 400) {
                if (!drop_refused(batch, answer)) return fatal(status, answer);
                attempt = 0;
                continue;
            } else if (status == 413 && batch.size() > 1) {
                // Too big for the daemon's limit: send in halves.
                std::vector<const Line*> rest(batch.begin() + static_cast<std::ptrdiff_t>(batch.size() / 2), batch.end());
                batch.resize(batch.size() / 2);
                if (!send(std::move(batch))) return false;
                batch = std::move(rest);
                continue;
            } else if (status < 500) {
                return fatal(status, answer);
            } else {
                failure = "HTTP " + std::to_string(status);
            }
            if (!down) {
                down = true;
                down_since = Clock::now();
                std::cerr << "\nreplay: daemon unavailable (" << failure << "); retrying " << batch.size()
                          << " unacknowledged declaration" << (batch.size() == 1 ? "" : "s") << '\n';
            }
            if (Clock::now() - down_since > opt_.give_up_after) {
                std::cerr << "replay: giving up: the daemon has been unavailable for "
                          << opt_.give_up_after.count() << " s (" << failure << ")\n";
                return false;
            }
            const int ms = std::min(3000, 50 << std::min(attempt++, 6));
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        }
        return true;
    }

    // Sends one desk action (a rehearsal's withdrawal) until the daemon
    // answers it. Unlike a declaration it is not resent once answered: a 409
    // is the desk's refusal, kept as the line's answer.
    bool send_desk(const Line& l) {
        const auto since = Clock::now();
        for (int attempt = 0;; ++attempt) {
            int status = 0;
            std::string answer, failure;
            if (post(ep_.desk_target, opt_.desk_token, "application/json", std::string(l.text), status, answer, failure)) {
                if (status == 200 || status == 409) return account_desk(l, status, answer), true;
                if (status < 500) return fatal(status, answer);
                failure = "HTTP " + std::to_string(status);
            }
            if (Clock::now() - since > opt_.give_up_after) {
                std::cerr << "replay: giving up on a desk action: " << failure << '\n';
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(3000, 50 << std::min(attempt, 6))));
        }
    }

    const Tally& tally() const { return tally_; }
    const std::vector<const Line*>& acknowledged() const { return acked_; }
    void clear_acknowledged() { acked_.clear(); }

private:
    // Runs one asynchronous operation to completion: tcp_stream's timeouts
    // apply only to asynchronous operations, and a daemon that accepts but
    // never answers must not hang the replay.
    template <class Start>
    beast::error_code run(std::chrono::seconds timeout, Start&& start) {
        beast::error_code ec;
        stream_.expires_after(timeout);
        start([&ec](beast::error_code e, auto&&...) { ec = e; });
        ioc_.restart();
        ioc_.run();
        return ec;
    }

    bool post(const std::string& target, const std::string& token, const char* type, const std::string& body,
              int& status, std::string& answer, std::string& failure) {
        const bool reused = connected_;
        if (exchange(target, token, type, body, status, answer, failure)) return true;
        // A kept-alive connection that the daemon closed while it sat idle
        // fails on first use: reconnect once, quietly. Resending is safe, since
        // the daemon answers a declaration it holds as a duplicate.
        return reused && exchange(target, token, type, body, status, answer, failure);
    }

    bool exchange(const std::string& target, const std::string& token, const char* type, const std::string& body,
                  int& status, std::string& answer, std::string& failure) {
        beast::error_code ec;
        if (!connected_) {
            tcp::resolver resolver(ioc_);
            auto results = resolver.resolve(ep_.host, ep_.port, ec);
            if (ec) return failure = "resolve " + ep_.host + ": " + ec.message(), false;
            ec = run(std::chrono::seconds(5), [&](auto handler) { stream_.async_connect(results, handler); });
            if (ec) return failure = "connect: " + ec.message(), close(), false;
            connected_ = true;
        }
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, ep_.host_header);
        req.set(http::field::user_agent, "declared-replay");
        req.set(http::field::content_type, type);
        if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
        req.keep_alive(true);
        req.body() = body;
        req.prepare_payload();
        ec = run(std::chrono::seconds(30), [&](auto handler) { http::async_write(stream_, req, handler); });
        if (ec) return failure = "send: " + ec.message(), close(), false;
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        ec = run(std::chrono::seconds(60), [&](auto handler) { http::async_read(stream_, buffer, res, handler); });
        if (ec) return failure = "answer: " + ec.message(), close(), false;
        status = static_cast<int>(res.result_int());
        answer = std::move(res.body());
        if (!res.keep_alive()) close();
        return true;
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
        connected_ = false;
    }

    static const boost::json::array* results_of(const boost::json::value& v) {
        if (!v.is_object()) return nullptr;
        auto* r = v.as_object().if_contains("results");
        return r && r->is_array() ? &r->as_array() : nullptr;
    }

    void account(const std::vector<const Line*>& batch, const std::string& answer) {
        boost::system::error_code ec;
        auto v = boost::json::parse(answer, ec);
        const auto* results = ec ? nullptr : results_of(v);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            std::string status = "accepted", message;
            if (results && i < results->size() && (*results)[i].is_object()) {
                const auto& o = (*results)[i].as_object();
                if (auto* s = o.if_contains("status"); s && s->is_string()) status = std::string(s->as_string());
                if (auto* e = o.if_contains("error"); e && e->is_object())
                    if (auto* m = e->as_object().if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
            }
            answers_[batch[i]->index] = {status, message};
            if (status == "accepted") ++tally_.accepted;
            else if (status == "corrected") ++tally_.corrected;
            else if (status == "duplicate") ++tally_.duplicate;
            else if (status == "stale") ++tally_.stale;
            else {
                ++tally_.refused;
                std::cerr << "\n" << opt_.declarations_path << ':' << batch[i]->line_no << ": " << status
                          << (message.empty() ? "" : ": " + message) << '\n';
                continue;
            }
            acked_.push_back(batch[i]);
        }
    }

    // The desk's answer: "applied", or its refusal ("refused") with the reason.
    void account_desk(const Line& l, int status, const std::string& answer) {
        boost::system::error_code ec;
        auto v = boost::json::parse(answer, ec);
        LineAnswer a{status == 200 ? "applied" : "refused", {}};
        if (!ec && v.is_object())
            if (auto* e = v.as_object().if_contains("error"); e && e->is_object())
                if (auto* m = e->as_object().if_contains("message"); m && m->is_string()) a.message = std::string(m->as_string());
        if (status != 200)
            std::cerr << "\nreplay: the desk action after line " << l.line_no << " was refused: " << a.message << '\n';
        answers_[l.index] = std::move(a);
    }

    // A 400 names the invalid lines; report them and keep the rest.
    bool drop_refused(std::vector<const Line*>& batch, const std::string& answer) {
        boost::system::error_code ec;
        auto v = boost::json::parse(answer, ec);
        const auto* results = ec ? nullptr : results_of(v);
        if (!results) return false;
        std::vector<const Line*> keep;
        bool dropped = false;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            bool bad = false;
            std::string message;
            for (const auto& r : *results) {
                if (!r.is_object()) continue;
                const auto& o = r.as_object();
                auto* line = o.if_contains("line");
                if (!line || !line->is_number() || line->to_number<std::int64_t>() != static_cast<std::int64_t>(i + 1)) continue;
                if (auto* e = o.if_contains("error"); e && e->is_object()) {
                    bad = true;
                    if (auto* m = e->as_object().if_contains("message"); m && m->is_string()) message = std::string(m->as_string());
                }
            }
            if (bad) {
                answers_[batch[i]->index] = {"rejected", message};
                ++tally_.refused;
                dropped = true;
                std::cerr << "\n" << opt_.declarations_path << ':' << batch[i]->line_no << ": rejected: " << message << '\n';
            } else {
                keep.push_back(batch[i]);
            }
        }
        if (!dropped) return false;
        batch = std::move(keep);
        return true;
    }

    bool fatal(int status, const std::string& answer) {
        std::cerr << "\nreplay: the daemon refused the declarations: HTTP " << status << ": " << answer.substr(0, 500) << '\n';
        return false;
    }

    const PushOptions& opt_;
    Endpoint ep_;
    asio::io_context ioc_;
    beast::tcp_stream stream_;
    bool connected_ = false;
    Tally tally_;
    std::vector<const Line*> acked_;
    std::vector<LineAnswer>& answers_;  // by Line::index; each Pusher writes only its own lines'
};

}  // namespace

bool parse_speed(const std::string& text, std::optional<double>& speed) {
    if (text == "max") return speed.reset(), true;
    double v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !(v > 0)) return false;
    speed = v;
    return true;
}

namespace {

std::vector<Line> lines_of(const FaultPlan& plan, const Card& c, DeclarationParser& parser) {
    std::vector<Line> lines;
    for (std::size_t k = 0; k < plan.lines.size(); ++k) {
        const PlannedLine& p = plan.lines[k];
        Line l{p.text, p.line_no, p.at, SIZE_MAX, {}, k, p.burst, p.pause_before, p.desk};
        if (l.desk) {
            lines.push_back(std::move(l));
            continue;
        }
        if (auto d = parser.parse(l.text); d.ok())
            if (const Council* council = c.council(d.value->council)) {
                l.council = c.council_index(*council);
                l.ward = d.value->ward;
            }
        lines.push_back(std::move(l));
    }
    return lines;
}

// A burst: every line in its own request, all at once, as a rush of sources
// would. Each request has its own connection and its own answers.
bool send_burst(const PushOptions& opt, const Endpoint& ep, const std::vector<const Line*>& burst,
                std::vector<LineAnswer>& answers, Tally& total, std::vector<const Line*>& acked) {
    std::vector<std::unique_ptr<Pusher>> pushers;
    for (std::size_t i = 0; i < burst.size(); ++i) pushers.push_back(std::make_unique<Pusher>(opt, ep, answers));
    std::vector<char> ok(burst.size(), 0);
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < burst.size(); ++i)
            threads.emplace_back([&, i] { ok[i] = pushers[i]->send({burst[i]}); });
    }
    for (const auto& p : pushers) {
        total += p->tally();
        acked.insert(acked.end(), p->acknowledged().begin(), p->acknowledged().end());
    }
    return std::all_of(ok.begin(), ok.end(), [](char c) { return c != 0; });
}

// The next batch from lines[i]: a whole burst, or lines up to the batch limits
// that are due, stopping before a burst or a pause.
std::vector<const Line*> next_batch(const PushOptions& opt, const std::vector<Line>& lines, std::size_t& i,
                                    const std::function<bool(const Line&)>& due_now) {
    std::vector<const Line*> batch;
    if (lines[i].burst >= 0) {
        const int id = lines[i].burst;
        while (i < lines.size() && lines[i].burst == id) batch.push_back(&lines[i++]);
        return batch;
    }
    std::size_t bytes = 0;
    while (i < lines.size() && batch.size() < opt.batch_lines && !lines[i].desk &&
           (batch.empty() || (bytes + lines[i].text.size() + 1 <= opt.batch_bytes && lines[i].burst < 0 &&
                              lines[i].pause_before.count() == 0 && due_now(lines[i])))) {
        bytes += lines[i].text.size() + 1;
        batch.push_back(&lines[i++]);
    }
    return batch;
}

bool write_text(const std::string& path, const char* option, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (out.flush()) return true;
    std::cerr << "declared replay: " << option << ": cannot write " << path << '\n';
    return false;
}

// With --faults: compare with the fault-free night, print the report and
// write it as JSON. The exit code: 0 only when the final state is equal.
int finish_rehearsal(const PushOptions& opt, const Card& card, const FaultPlan& plan, const std::vector<LineAnswer>& answers,
                     bool all_sent) {
    const StateComparison state = compare_with_offline(opt.url, opt.read_token, card, plan.intended);
    const RehearsalOutcome outcome{plan, *opt.faults, answers, state, all_sent};
    std::cout << rehearsal_report_text(outcome) << std::flush;
    bool written = opt.report_path.empty() || write_text(opt.report_path, "--report", rehearsal_report_json(outcome));
    if (!opt.intended_path.empty()) {
        std::string night;
        for (const auto& l : plan.intended)
            if (!l.desk) night += l.text + "\n";
        written = write_text(opt.intended_path, "--intended", night) && written;
    }
    return all_sent && state.equal() && written ? 0 : 1;
}

// What the progress lines say: lines sent, councils complete (every ward
// that polls tonight acknowledged; council results only, not a mayor-only or
// PCC-only area), and the night's clock.
class Progress {
public:
    Progress(const Card& c, std::size_t lines, bool quiet)
        : card_(c), to_declare_(c.councils.size()), declared_(c.councils.size()), lines_(lines), quiet_(quiet) {
        for (std::size_t i = 0; i < c.councils.size(); ++i) {
            for (const auto& w : c.councils[i].wards) to_declare_[i] += w.postponed ? 0 : 1;
            if (!c.councils[i].holds_election()) continue;
            ++results_;
            complete_ += to_declare_[i] == 0;
        }
    }

    void sent(std::size_t n) { sent_ += n; }
    void clock(long long night_seconds) { clock_ = night_seconds; }
    long long clock() const { return clock_; }

    void count_declared(const std::vector<const Line*>& acked) {
        for (const Line* l : acked)
            if (l->council != SIZE_MAX && card_.ward(card_.councils[l->council], l->ward) && done_.insert(l->ward).second &&
                ++declared_[l->council] == to_declare_[l->council] && card_.councils[l->council].holds_election())
                ++complete_;
    }

    // A line every 200 ms on a terminal (redrawn in place), every 5 s to a
    // file; force: now, and on a line of its own.
    void print(bool force) {
        const auto now = Clock::now();
        if (quiet_ && !force) return;
        if (!force && now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000))) return;
        last_ = now;
        std::cerr << (tty_ && !force ? "\r" : "") << "replay: " << sent_ << "/" << lines_ << " declarations sent, "
                  << complete_ << "/" << results_ << " councils complete, night clock "
                  << (lines_ == 0 ? std::string("-") : night_clock(clock_)) << (tty_ && !force ? "  " : "\n");
    }
    void end_line() const {
        if (tty_ && !quiet_) std::cerr << '\n';
    }

private:
    const Card& card_;
    std::vector<std::size_t> to_declare_, declared_;
    std::unordered_set<std::string> done_;
    std::size_t complete_ = 0, results_ = 0, sent_ = 0;
    const std::size_t lines_;
    const bool quiet_;
    const bool tty_ = isatty(STDERR_FILENO) != 0;
    Clock::time_point last_ = Clock::now() - std::chrono::hours(1);
    long long clock_ = 0;
};

}  // namespace

int push_replay(const PushOptions& opt) {
    std::string error;
    auto ep = parse_endpoint(opt.url, error);
    if (!ep) return std::cerr << "declared replay: " << error << '\n', 2;

    auto files = read_night_files(opt.card_path, opt.declarations_path, error);
    if (!files) return std::cerr << "declared replay: " << error << '\n', 1;

    const Card& c = files->card;
    DeclarationParser parser;
    const auto night = read_night(files->declarations, parser);
    if (opt.faults && opt.faults->contains("withdrawal") && opt.desk_token.empty())
        return std::cerr << "declared replay: --faults withdrawal acts as the results desk: it needs --desk-token "
                            "(the token of one of the daemon's --desk-token NAME:TOKEN)\n",
               2;
    const FaultPlan plan = opt.faults ? plan_faults(c, night, *opt.faults, opt.seed) : plan_without_faults(night);
    if (opt.faults) std::cerr << "replay: rehearsal with seed " << opt.seed << ": " << plan.faults.size() << " faults planned\n";
    const std::vector<Line> lines = lines_of(plan, c, parser);
    std::vector<LineAnswer> answers(lines.size());

    Pusher pusher(opt, *ep, answers);
    Tally bursts;
    std::vector<const Line*> burst_acked;
    Progress progress(c, lines.size(), opt.quiet);
    progress.clock(lines.empty() ? 0 : lines.front().at);
    const auto wall0 = Clock::now();
    const long long night0 = lines.empty() ? 0 : lines.front().at;
    auto due = [&](const Line& l) {
        return wall0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                           static_cast<double>(l.at - night0) / *opt.speed));
    };
    bool ok = true;
    for (std::size_t i = 0; i < lines.size() && ok;) {
        while (opt.speed && Clock::now() < due(lines[i])) {
            std::this_thread::sleep_until(std::min(due(lines[i]), Clock::now() + std::chrono::milliseconds(200)));
            // The night's clock runs on between declarations.
            const double night_s = std::chrono::duration<double>(Clock::now() - wall0).count() * *opt.speed;
            progress.clock(std::min(lines[i].at, night0 + static_cast<long long>(night_s)));
            progress.print(false);
        }
        // A pause holds back what falls due meanwhile: it goes out together after.
        if (lines[i].pause_before.count() > 0) std::this_thread::sleep_for(lines[i].pause_before);
        if (lines[i].desk) {
            ok = pusher.send_desk(lines[i++]);
            continue;
        }
        const auto now = Clock::now();
        auto batch = next_batch(opt, lines, i, [&](const Line& l) { return !opt.speed || due(l) <= now; });
        ok = batch.front()->burst >= 0 ? send_burst(opt, *ep, batch, answers, bursts, burst_acked) : pusher.send(batch);
        progress.sent(batch.size());
        progress.clock(std::max(progress.clock(), batch.back()->at));
        progress.count_declared(pusher.acknowledged());
        progress.count_declared(burst_acked);
        pusher.clear_acknowledged();
        burst_acked.clear();
        progress.print(false);
    }
    const auto secs = std::chrono::duration<double>(Clock::now() - wall0).count();
    progress.end_line();
    progress.print(true);
    Tally t = pusher.tally();
    t += bursts;
    char took[32];
    std::snprintf(took, sizeof took, "%.1f", secs);
    std::cerr << "replay: " << t.accepted << " accepted, " << t.corrected << " corrected, " << t.duplicate << " duplicate, "
              << t.stale << " stale, " << t.refused << " refused, in " << took << " s" << (ok ? "" : " (stopped early)")
              << '\n';
    if (opt.faults) return finish_rehearsal(opt, c, plan, answers, ok);
    return ok && t.refused == 0 ? 0 : 1;
}

}  // namespace declared
