// Failover: real daemons (a primary, a standby, an edge) on a real
// three-node nats-server cluster, with clients posting throughout. In every
// scenario each declaration that got a 200 is in the stream exactly once,
// every node ends with byte-identical events, and a subscriber on the edge
// sees every event once, in order; a webhook, delivered by whichever node
// writes, reaches its receiver with every event at least once.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "cluster/jetstream_journal.hpp"
#include "tests/cluster/nats_cluster.hpp"
#include "tests/feed/feed_fixture.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/small_card.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/webhook/receiver.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

bool have_nats_server() {
    if (NatsCluster::server_binary()) return true;
    std::printf("SKIPPED: nats-server is not installed (Debian's nats-server package; scripts/setup.sh installs it)\n");
    return false;
}

std::string joined(const std::vector<std::string>& urls) {
    std::string out;
    for (const auto& u : urls) out += (out.empty() ? "" : ",") + u;
    return out;
}

// Revision r of Brook or of the mayoralty, each revision's votes different
// from the last, so every one is a correction the stream must hold.
std::string declaration(bool mayoralty, int r) {
    if (mayoralty)
        return fmt::format(
            R"({{"id":"{0}","council":"{1}","ward":"{0}","revision":{2},"declared_at":"2022-05-06T03:00:00Z","candidates":[)"
            R"({{"name":"M1","party":"LAB","votes":{3},"elected":true}},{{"name":"M2","party":"CON","votes":15000,"elected":false}}]}})",
            kMayor, kTesthamCouncil, r, 20000 + r % 97);
    return brook(r, 700 + r % 97, 650);
}

std::string readyz_role(int port) { return jstr(get(port, "/readyz").body, "role"); }

// One node: its role, its daemon, its log.
struct Node {
    std::string name, role;
    DaemonProcess process;
    std::string log_path;
    int port() const { return process.port(); }
    // The end of this run's log, for a failed wait's message.
    std::string log_tail() const {
        const std::string log = process.log();
        return name + "'s log, the end:\n" + (log.size() > 6000 ? log.substr(log.size() - 6000) : log);
    }
};

struct Night {
    NatsCluster nats{3};
    TempDir dir;
    std::string card = dir / "card.json";
    Node primary{"alpha", "primary", {}, {}}, standby{"bravo", "standby", {}, {}}, edge{"edge1", "edge", {}, {}};
    std::string takeover_ms = "1500";
    Receiver receiver{0};  // every event, from whichever node writes
    std::string hooks = dir / "hooks.json";

    Night() {
        write_whole_file(card, std::string(kSmallCard));
        write_whole_file(hooks, fmt::format(R"([{{"name":"desk","url":"http://127.0.0.1:{}/hook"}}])", receiver.port()));
    }

    std::vector<std::string> args(const Node& n) const {
        return {"--card", card, "--cluster.url", joined(nats.urls()), "--cluster.stream", "NIGHT", "--listen", "127.0.0.1:0",
                "--ingest-token", "tok", "--desk-token", "Desk:desk-tok", "--cluster.role", n.role, "--cluster.node", n.name,
                "--cluster.heartbeat_ms", "200", "--cluster.takeover_ms", takeover_ms, "--webhooks", hooks,
                "--webhooks.dir", dir / (n.name + ".webhooks")};
    }
    void start(Node& n) {
        n.log_path = dir / (n.name + ".log");
        const bool started = n.process.start(DECLARED_BINARY, args(n), n.log_path, 60s);
        INFO(n.process.log());
        REQUIRE(started);
    }
    std::vector<Node*> nodes() { return {&primary, &standby, &edge}; }
    // The writer, stopped or killed, comes back as the standby; the two swap places.
    void back_as_standby(Node*& writer, Node*& follower) {
        writer->role = "standby";
        start(*writer);
        std::swap(writer, follower);
        REQUIRE(wait_for([&] { return readyz_role(follower->port()) == "standby"; }, 30s));
    }
    // The NATS cluster, then the primary, the standby and the edge.
    void start_all() {
        const bool started = nats.start();
        INFO(nats.log());
        REQUIRE(started);
        for (Node* n : nodes()) start(*n);
    }
};

// All events a node holds, as GET /v1/events pages them.
std::vector<FeedEvent> events_of(int port) {
    std::vector<FeedEvent> out;
    for (std::uint64_t since = 0;;) {
        auto res = get(port, fmt::format("/v1/events?since={}&limit=10000", since));
        if (res.status != 200) return {};
        auto v = parse_json(res.body);
        const auto& arr = v.as_object().at("events").as_array();
        if (arr.empty()) return out;
        for (const auto& e : arr) out.push_back(*parse_event(boost::json::serialize(e)));
        since = out.back().seq;
    }
}

// Every record of the stream (genesis and claims aside), as a new node would load it.
std::vector<std::string> stream_records(const NatsCluster& nats) {
    declared::cluster::JetStreamJournalOptions o;
    o.nats.urls = nats.urls();
    o.stream = "NIGHT";
    o.card = std::string(kSmallCard);
    o.desk = true;  // the nodes run with a desk token
    auto j = declared::cluster::JetStreamJournal::open(o);
    REQUIRE(j.ok());
    std::vector<std::string> records;
    auto loaded = (*j.value)->load([&](std::string_view r) { records.emplace_back(r); });
    INFO(loaded.error.message());
    REQUIRE(loaded.ok());
    return records;
}

// Clients posting revisions of their ward in order, each retried until it is
// answered 200, to whichever node answers: the primary first, the others when
// it does not. Every 200 is recorded.
class Load {
public:
    explicit Load(std::vector<Node*> nodes) : nodes_(std::move(nodes)) {
        for (bool mayoralty : {false, true}) threads_.emplace_back([this, mayoralty] { run(mayoralty); });
    }
    ~Load() { stop(); }
    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    std::size_t acknowledged() const { return acked_.load(); }
    // Waits until n more revisions than now have been answered 200.
    bool progress(std::size_t n, std::chrono::milliseconds timeout) {
        const auto want = acked_.load() + n;
        return wait_for([&] { return acked_.load() >= want; }, timeout);
    }
    // When the first 200 after `t` came, from a node other than `not_port`.
    std::optional<Clock::time_point> first_ack_after(Clock::time_point t, int not_port) const {
        std::lock_guard lock(mutex_);
        for (const auto& [at, port] : acks_)
            if (at > t && port != not_port) return at;
        return std::nullopt;
    }
    std::map<std::string, int> verdicts() const {
        std::lock_guard lock(mutex_);
        return verdicts_;
    }
    std::map<std::string, std::vector<int>> revisions() const {
        std::lock_guard lock(mutex_);
        return revisions_;
    }

private:
    void run(bool mayoralty) {
        const std::string ward = mayoralty ? kMayor : kBrookWard;
        int r = 1;
        std::size_t at = 0;
        while (!stop_) {
            Node* n = nodes_[at % nodes_.size()];
            const int port = n->process.running() ? n->port() : 0;
            // A paused node holds a request unanswered: give up on it soon and try the next.
            auto res = port ? request(port, "POST", "/v1/declarations",
                                      {{"Authorization", "Bearer tok"}, {"Content-Type", "application/json"}},
                                      declaration(mayoralty, r), 3s)
                            : HttpResponse{};
            if (res.status == 200) {
                std::lock_guard lock(mutex_);
                // Each revision is new to the night (accepted, corrected) or, when an
                // earlier attempt landed unanswered, already held (duplicate): never stale.
                verdicts_[jstr(res.body, "status")]++;
                revisions_[ward].push_back(r);
                acks_.emplace_back(Clock::now(), port);
                ++acked_;
                ++r;
            } else {
                ++at;  // not the writer (503), or gone: the next node
            }
        }
    }
    std::vector<Node*> nodes_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> acked_{0};
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<int>> revisions_;
    std::map<std::string, int> verdicts_;
    std::vector<std::pair<Clock::time_point, int>> acks_;
};

// The stream holds each acknowledged revision exactly once.
void check_stream(const NatsCluster& nats, const Load& load) {
    for (const auto& [verdict, count] : load.verdicts()) {
        INFO(count << " answered " << verdict);
        CHECK((verdict == "accepted" || verdict == "corrected" || verdict == "duplicate"));
    }
    static const std::regex ward_rev(R"re("ward":"([^"]+)","revision":(\d+))re");
    std::map<std::string, std::map<int, int>> held;  // ward -> revision -> copies
    for (const auto& record : stream_records(nats)) {
        std::smatch m;
        REQUIRE(std::regex_search(record, m, ward_rev));
        ++held[m[1].str()][std::stoi(m[2].str())];
    }
    for (const auto& [ward, revs] : held)
        for (const auto& [rev, copies] : revs) {
            INFO(ward << " revision " << rev);
            CHECK(copies == 1);
        }
    for (const auto& [ward, revs] : load.revisions())
        for (int rev : revs) {
            INFO(ward << " revision " << rev << " was acknowledged");
            CHECK(held[ward].count(rev) == 1);
        }
}

// Every running node converges on the same events, byte for byte, and a
// node started now from the stream alone (an offline rebuild) has them too.
void check_nodes_agree(Night& night, Node& writer) {
    const auto want = events_of(writer.port());
    REQUIRE(!want.empty());
    for (Node* n : night.nodes()) {
        if (!n->process.running() || n == &writer) continue;
        INFO(n->name << " (" << n->role << ")");
        std::string diff;
        const bool same = wait_for([&] { return (diff = first_difference(events_of(n->port()), want)).empty(); }, 30s);
        INFO(diff);
        CHECK(same);
    }
    Node rebuilt{"rebuilt", "edge", {}, {}};
    night.start(rebuilt);
    std::string diff;
    CHECK(wait_for([&] { return (diff = first_difference(events_of(rebuilt.port()), want)).empty(); }, 30s));
    INFO(diff);
    rebuilt.process.terminate();
}

// The receiver has had every event of the night at least once (the webhook
// is new when the first primary starts, before any), each as the event it
// is, whichever node was writing.
void check_webhook(Night& night, const std::vector<FeedEvent>& events) {
    REQUIRE(!events.empty());
    std::map<std::uint64_t, std::string> got;
    auto missing = [&] {
        got.clear();
        for (const auto& d : night.receiver.deliveries()) got.emplace(d.seq, d.body);
        return static_cast<std::size_t>(
            std::count_if(events.begin(), events.end(), [&](const FeedEvent& e) { return !got.count(e.seq); }));
    };
    std::size_t left = 0;
    const bool all = wait_for([&] { return (left = missing()) == 0; }, 60s);
    INFO(left << " of " << events.size() << " events not delivered; " << night.receiver.deliveries().size()
              << " deliveries");
    REQUIRE(all);
    for (const auto& e : events) {
        INFO("seq " << e.seq);
        CHECK(parse_json(got[e.seq]) == parse_json(e.raw));
    }
}

}  // namespace

TEST_CASE("cluster: a standby and an edge follow the primary: the same since=N gives the same bytes on every node",
          "[cluster][failover]") {
    if (!have_nats_server()) return;
    Night night;
    night.start_all();
    for (int r = 1; r <= 5; ++r) {
        auto res = post_declarations(night.primary.port(), declaration(false, r), "tok", "application/json");
        INFO(res.body);
        REQUIRE(res.status == 200);
    }
    const auto primary = events_of(night.primary.port());
    for (Node* n : {&night.standby, &night.edge}) {
        INFO(n->name);
        std::string diff;
        CHECK(wait_for([&] { return (diff = first_difference(events_of(n->port()), primary)).empty(); }, 20s));
        INFO(diff);
        // since=N from the middle: the same page, byte for byte.
        CHECK(get(n->port(), "/v1/events?since=3").body == get(night.primary.port(), "/v1/events?since=3").body);
        const auto ready = get(n->port(), "/readyz");
        CHECK(ready.status == 200);
        CHECK(jstr(ready.body, "role") == n->role);
        CHECK(jstr(ready.body, "writer") == "alpha");
        const auto metrics = get(n->port(), "/metrics").body;
        CHECK(metrics.find("declared_cluster_role{role=\"" + n->role + "\"} 1") != std::string::npos);
        CHECK(metrics.find("\ndeclared_cluster_stream_lag 0\n") != std::string::npos);
    }
    CHECK(readyz_role(night.primary.port()) == "primary");

    // Ingest through any node: a follower relays the POST to the primary and
    // relays its answer, declarations and desk actions alike.
    auto relayed = post_declarations(night.edge.port(), declaration(true, 1), "tok", "application/json");
    INFO(relayed.body);
    CHECK(relayed.status == 200);
    CHECK(jstr(relayed.body, "accepted") == "1");
    auto desk = request(night.standby.port(), "POST", "/v1/desk/actions",
                        {{"Authorization", "Bearer desk-tok"}, {"Content-Type", "application/json"}},
                        R"({"action":"policy","policy":"hold","reason":"a recount is rumoured","council":")" +
                            std::string(kTesthamCouncil) + R"("})");
    INFO(desk.body);
    CHECK(desk.status == 200);
    // Refusals come back as the primary gave them; tokens are checked where the POST arrived.
    auto bad = post_declarations(night.edge.port(), R"({"ward":"nowhere"})", "tok", "application/json");
    CHECK(bad.status == 400);
    CHECK(post_declarations(night.edge.port(), declaration(true, 2), "wrong", "application/json").status == 403);
    // Both landed on every node.
    const auto all = events_of(night.primary.port());
    CHECK(std::any_of(all.begin(), all.end(), [](const FeedEvent& e) { return e.raw.find(kMayor) != std::string::npos; }));
    for (Node* n : {&night.standby, &night.edge}) {
        std::string diff;
        CHECK(wait_for([&] { return (diff = first_difference(events_of(n->port()), all)).empty(); }, 20s));
        INFO(diff);
    }
    CHECK(get(night.primary.port(), "/metrics").body.find("declared_cluster_role{role=\"primary\"} 1") != std::string::npos);
}

TEST_CASE("cluster: kill -9 of the primary, five times under load: the standby takes over and nothing acknowledged is lost",
          "[cluster][failover]") {
    if (!have_nats_server()) return;
    Night night;
    night.start_all();
    Subscriber sub;
    REQUIRE(sub.connect(night.edge.port(), "?since=0"));
    // It reads throughout, as a page would (one that stops reading is closed at
    // the write timeout, by design), until it has the seq it is told of last;
    // a read that waits 30 s for nothing ends it.
    std::atomic<std::uint64_t> target{std::numeric_limits<std::uint64_t>::max()};
    std::thread reader([&] {
        while (!sub.end && sub.cursor < target) sub.step(30s);
    });
    struct Joined {  // a failed REQUIRE must not leave the reader waiting
        std::atomic<std::uint64_t>& target;
        std::thread& t;
        ~Joined() {
            target = 0;
            if (t.joinable()) t.join();
        }
    } joined{target, reader};
    Load load({&night.primary, &night.standby});
    Node* writer = &night.primary;
    Node* follower = &night.standby;
    std::vector<double> failover_ms;
    for (int round = 1; round <= 5; ++round) {
        INFO("round " << round << ": killing " << writer->name);
        REQUIRE(load.progress(10, 30s));
        const auto killed_at = Clock::now();
        const int dead_port = writer->port();
        writer->process.kill9();
        REQUIRE(wait_for([&] { return readyz_role(follower->port()) == "primary"; }, 30s));
        REQUIRE(load.progress(10, 30s));
        const auto first = load.first_ack_after(killed_at, dead_port);
        REQUIRE(first);
        failover_ms.push_back(std::chrono::duration<double, std::milli>(*first - killed_at).count());
        night.back_as_standby(writer, follower);  // the dead machine comes back
    }
    load.stop();
    std::sort(failover_ms.begin(), failover_ms.end());
    std::printf("failover (kill -9 of the primary to the first 200 from the new one): median %.0f ms, max %.0f ms\n",
                failover_ms[failover_ms.size() / 2], failover_ms.back());
    CHECK(failover_ms[failover_ms.size() / 2] < 15000);
    check_stream(night.nats, load);
    check_nodes_agree(night, *writer);
    // The edge's subscriber, connected throughout, saw every event once, in order.
    const auto want = events_of(writer->port());
    target = want.back().seq;
    reader.join();
    const bool caught_up = sub.cursor >= want.back().seq;
    INFO("subscriber at seq " << sub.cursor << " of " << want.back().seq << ", " << sub.events.size()
                              << " events; closed " << sub.close_code() << " '" << sub.close_reason() << "'; "
                              << sub.problems_text());
    REQUIRE(caught_up);
    INFO(sub.problems_text());
    CHECK(sub.problems.empty());
    CHECK(first_difference(sub.events, want).empty());
    check_webhook(night, want);
}

TEST_CASE("cluster: a primary paused past its takeover steps down when it wakes, and follows the new writer, five times",
          "[cluster][failover]") {
    if (!have_nats_server()) return;
    Night night;
    night.start_all();
    Load load({&night.primary, &night.standby});
    Node* writer = &night.primary;
    Node* follower = &night.standby;
    for (int round = 1; round <= 5; ++round) {
        INFO("round " << round << ": pausing " << writer->name);
        REQUIRE(load.progress(10, 30s));
        writer->process.signal(SIGSTOP);
        REQUIRE(wait_for([&] { return readyz_role(follower->port()) == "primary"; }, 30s));
        REQUIRE(load.progress(10, 30s));
        writer->process.signal(SIGCONT);
        // Awake, it learns of the claim (or its next append is refused) and steps down.
        CHECK(wait_for([&] { return readyz_role(writer->port()) == "standby"; }, 30s));
        CHECK(jstr(get(writer->port(), "/readyz").body, "writer") == follower->name);
        // A POST to it now is relayed to the new primary.
        auto relayed = post_declarations(writer->port(), brook(1, 300, 200), "tok", "application/json");
        INFO(relayed.body);
        CHECK(relayed.status == 200);
        std::swap(writer, follower);
    }
    REQUIRE(load.progress(10, 30s));
    load.stop();
    check_stream(night.nats, load);
    check_nodes_agree(night, *writer);
    auto count = [&](const char* name) {
        std::uint64_t n = 0;
        for (Node* node : {writer, follower}) {
            const auto page = get(node->port(), "/metrics").body;
            const auto at = page.find(std::string("\n") + name + " ");
            if (at != std::string::npos) n += std::stoull(page.substr(at + std::strlen(name) + 2));
        }
        return n;
    };
    CHECK(count("declared_cluster_step_downs_total") == 5);
    CHECK(count("declared_cluster_takeovers_total") == 5);
    check_webhook(night, events_of(writer->port()));
    // The writer resumed the cursor the last one kept in the bucket, and only it runs the webhook.
    CHECK(wait_for([&] { return writer->process.log().find("webhook desk: resuming after seq") != std::string::npos; }, 10s));
    CHECK(get(writer->port(), "/metrics").body.find("declared_webhook_running{webhook=\"desk\"} 1") != std::string::npos);
    CHECK(get(follower->port(), "/metrics").body.find("declared_webhook_running{webhook=\"desk\"} 0") != std::string::npos);
    CHECK(get(night.edge.port(), "/metrics").body.find("declared_webhook_running{webhook=\"desk\"} 0") != std::string::npos);
}

TEST_CASE("cluster: the stream leader killed and restarted five times, then it and the primary at once five times: nothing acknowledged is lost",
          "[cluster][failover]") {
    if (!have_nats_server()) return;
    Night night;
    night.start_all();
    Load load({&night.primary, &night.standby});
    REQUIRE(load.progress(10, 30s));
    auto leader = [&] {
        auto st = declared::cluster::stream_state(*declared::cluster::NatsConnection::connect({night.nats.urls()}).value.value(), "NIGHT");
        REQUIRE(st.ok());
        const int i = night.nats.index_of(st.value->leader);
        REQUIRE(i >= 0);
        return i;
    };
    for (int round = 1; round <= 5; ++round) {
        INFO("leader round " << round);
        const int first = leader();
        night.nats.kill(first);
        REQUIRE(load.progress(10, 60s));
        REQUIRE(night.nats.restart(first));
        REQUIRE(load.progress(10, 60s));
    }
    // Both at once: the stream elects a leader while the standby takes over.
    Node* writer = &night.primary;
    Node* follower = &night.standby;
    for (int round = 1; round <= 5; ++round) {
        INFO("both round " << round << ": killing " << writer->name << " and the leader");
        const int second = leader();
        night.nats.kill(second);
        writer->process.kill9();
        const bool took_over = wait_for([&] { return readyz_role(follower->port()) == "primary"; }, 60s);
        INFO(follower->log_tail());
        INFO(night.nats.log());
        REQUIRE(took_over);
        REQUIRE(load.progress(10, 60s));
        REQUIRE(night.nats.restart(second));
        night.back_as_standby(writer, follower);
        REQUIRE(load.progress(10, 60s));
    }
    load.stop();
    check_stream(night.nats, load);
    check_nodes_agree(night, *writer);
    check_webhook(night, events_of(writer->port()));
}

TEST_CASE("cluster: SIGTERM of the primary hands the stream to the standby without waiting out the takeover time, five times",
          "[cluster][failover]") {
    if (!have_nats_server()) return;
    Night night;
    night.takeover_ms = "600000";  // ten minutes: only the resignation can hand over within the test's bounds
    night.start_all();
    Load load({&night.primary, &night.standby});
    Node* writer = &night.primary;
    Node* follower = &night.standby;
    for (int round = 1; round <= 5; ++round) {
        INFO("round " << round << ": stopping " << writer->name);
        REQUIRE(load.progress(10, 30s));
        REQUIRE(writer->process.terminate(30s).code == 0);
        REQUIRE(wait_for([&] { return readyz_role(follower->port()) == "primary"; }, 30s));
        // Logged just after the role changes, so awaited like it.
        CHECK(wait_for([&] { return follower->process.log().find("took over from a writer that stepped down") != std::string::npos; },
                       10s));
        REQUIRE(load.progress(10, 30s));
        night.back_as_standby(writer, follower);
    }
    load.stop();
    check_stream(night.nats, load);
    check_nodes_agree(night, *writer);
    check_webhook(night, events_of(writer->port()));
}

TEST_CASE("cluster: an edge that loses the stream closes its subscribers with their resume point and refuses new ones",
          "[cluster][failover]") {
    if (!have_nats_server()) return;
    Night night;
    night.start_all();
    for (int r = 1; r <= 3; ++r) {
        INFO(night.primary.process.log());
        REQUIRE(post_declarations(night.primary.port(), declaration(false, r), "tok", "application/json").status == 200);
    }
    const auto held = events_of(night.primary.port());
    REQUIRE(wait_for([&] { return first_difference(events_of(night.edge.port()), held).empty(); }, 20s));
    Subscriber sub;
    REQUIRE(sub.connect(night.edge.port(), "?since=0"));
    REQUIRE(sub.until(held.back().seq, 20s));
    // A record no card applies, put straight into the stream past every
    // writer: what follows it cannot be served without a hole.
    auto c = declared::cluster::NatsConnection::connect({night.nats.urls()});
    REQUIRE(c.ok());
    const auto subject = declared::cluster::stream_spec("NIGHT", 3).records_subject;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const std::string junk = "{\"not\":\"a journal record\"}";
    REQUIRE(js_Publish(nullptr, (*c.value)->js(), subject.c_str(), junk.data(), static_cast<int>(junk.size()), nullptr, &jerr) ==
            NATS_OK);
    // The edge closes its subscriber with 1013 and where to resume elsewhere.
    REQUIRE(sub.until_end(30s));
    INFO(sub.close_code() << " '" << sub.close_reason() << "'");
    CHECK(sub.close_code() == 1013);
    CHECK(sub.close_reason().find("lost the stream") != std::string::npos);
    CHECK(sub.resume_point() == held.back().seq);
    // It says so, and takes no new subscriber.
    const auto ready = get(night.edge.port(), "/readyz");
    CHECK(ready.status == 503);
    auto again = request(night.edge.port(), "GET", "/v1/events/stream?since=0", {}, "", 10s);
    CHECK(again.status == 503);
    CHECK(again.body.find("stream_lost") != std::string::npos);
    CHECK(sub.problems.empty());
}
