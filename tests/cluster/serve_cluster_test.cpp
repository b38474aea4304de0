// declared serve in cluster mode: the real daemon on a real three-node
// nats-server cluster, its journal the JetStream stream.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cluster/jetstream_journal.hpp"
#include "cluster/stream_setup.hpp"
#include "tests/cluster/nats_cluster.hpp"
#include "tests/daemon/daemon_fixture.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/small_card.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

std::string brook(int revision, int lab_votes) {
    std::string d(kBrook);
    const auto at = [&](const std::string& from, const std::string& to) {
        const auto pos = d.find(from);
        REQUIRE(pos != std::string::npos);
        d.replace(pos, from.size(), to);
    };
    at("\"revision\": 1", "\"revision\": " + std::to_string(revision));
    at("\"votes\": 700", "\"votes\": " + std::to_string(lab_votes));
    return d;
}

std::string joined(const std::vector<std::string>& urls) {
    std::string out;
    for (const auto& u : urls) out += (out.empty() ? "" : ",") + u;
    return out;
}

bool have_nats_server() {
    if (NatsCluster::server_binary()) return true;
    std::printf("SKIPPED: nats-server is not installed (Debian's nats-server package; scripts/setup.sh installs it)\n");
    return false;
}

void start_cluster(NatsCluster& cluster) {
    const bool started = cluster.start();
    INFO(cluster.log());
    REQUIRE(started);
}

// The daemon in cluster mode on the stream NIGHT, with the small card.
std::vector<std::string> serve_args(const NatsCluster& cluster, const TempDir& dir) {
    const std::string card = dir / "card.json";
    write_whole_file(card, std::string(kSmallCard));
    return {"--card", card, "--cluster.url", joined(cluster.urls()), "--cluster.stream", "NIGHT",
            "--listen", "127.0.0.1:0", "--ingest-token", "tok"};
}

void start_daemon(DaemonProcess& d, const std::vector<std::string>& args, const TempDir& dir) {
    const bool started = d.start(DECLARED_BINARY, args, dir / "daemon.log", std::chrono::seconds(60));
    INFO(d.log());
    REQUIRE(started);
}

}  // namespace

TEST_CASE("cluster: serve on a JetStream stream rebuilds byte-identical events after a restart, and answers 503 once fenced",
          "[cluster][daemon]") {
    if (!have_nats_server()) return;
    NatsCluster cluster(3);
    start_cluster(cluster);
    TempDir dir;
    const auto args = serve_args(cluster, dir);

    DaemonProcess d;
    start_daemon(d, args, dir);
    for (const auto& body : {brook(1, 700), brook(2, 660), brook(3, 720)}) {
        auto r = post_declarations(d.port(), body, "tok", "application/json");
        INFO(r.body);
        REQUIRE(r.status == 200);
    }
    const auto before = get(d.port(), "/v1/events?since=0");
    REQUIRE(before.status == 200);
    REQUIRE(before.body.find("ward_declared") != std::string::npos);

    // A restart rebuilds the same events, seq for seq, from the stream alone.
    REQUIRE(d.terminate().code == 0);
    start_daemon(d, args, dir);
    CHECK(d.log().find("3 declarations replayed") != std::string::npos);
    const auto after = get(d.port(), "/v1/events?since=0");
    CHECK(after.body == before.body);
    CHECK(get(d.port(), "/readyz").status == 200);
    const auto metrics = get(d.port(), "/metrics").body;
    CHECK(metrics.find("\ndeclared_cluster_writer 1\n") != std::string::npos);
    CHECK(metrics.find("\ndeclared_cluster_resends_total 0\n") != std::string::npos);

    // Another writer appends, as a new primary would: this daemon is fenced
    // at its next write, steps down to standby, and follows the new writer.
    declared::cluster::JetStreamJournalOptions o;
    o.nats.urls = cluster.urls();
    o.stream = "NIGHT";
    o.card = std::string(kSmallCard);
    auto other = declared::cluster::JetStreamJournal::open(o);
    REQUIRE(other.ok());
    REQUIRE((*other.value)->load([](std::string_view) {}).ok());
    const std::vector<std::string> record{R"({"v":1,"received_at":"2022-05-06T02:00:00.000Z","declaration":)" +
                                          brook(5, 740) + "}"};
    REQUIRE((*other.value)->append(record).ok());
    REQUIRE((*other.value)->sync().ok());

    auto refused = post_declarations(d.port(), brook(4, 730), "tok", "application/json");
    INFO(refused.body);
    CHECK(refused.status == 503);
    CHECK(refused.body.find("cluster_fenced") != std::string::npos);
    CHECK(refused.body.find("another primary took over") != std::string::npos);
    // A standby now: ready to serve reads, with the other writer's record applied.
    CHECK(wait_for([&] { return jstr(get(d.port(), "/readyz").body, "role") == "standby"; }, 20s));
    CHECK(wait_for([&] { return get(d.port(), "/v1/events?since=0").body.find(R"("revision":5)") != std::string::npos; }, 20s));
    CHECK(get(d.port(), "/readyz").status == 200);
    CHECK(get(d.port(), "/metrics").body.find("\ndeclared_cluster_writer 0\n") != std::string::npos);
    // It would relay a POST to the primary, but the other writer is no node:
    // nothing answers, and it says so at once.
    auto again = post_declarations(d.port(), brook(6, 735), "tok", "application/json");
    CHECK(again.status == 503);
    CHECK(jstr(again.body, "error.code") == "cluster_no_primary");
    // What it had acknowledged is still there, seq for seq.
    const auto was = parse_json(before.body).as_object().at("events").as_array();
    const auto now = parse_json(get(d.port(), "/v1/events?since=0").body).as_object().at("events").as_array();
    REQUIRE(now.size() > was.size());
    for (std::size_t i = 0; i < was.size(); ++i) CHECK(boost::json::serialize(now[i]) == boost::json::serialize(was[i]));
    d.terminate();
}

TEST_CASE("cluster: serve loses no acknowledged declaration when the stream leader is killed mid-night",
          "[cluster][daemon]") {
    if (!have_nats_server()) return;
    NatsCluster cluster(3);
    start_cluster(cluster);
    TempDir dir;
    const auto args = serve_args(cluster, dir);
    DaemonProcess d;
    start_daemon(d, args, dir);
    declared::cluster::NatsOptions raw;
    raw.urls = cluster.urls();
    auto conn = declared::cluster::NatsConnection::connect(raw);
    REQUIRE(conn.ok());

    int killed = -1;
    for (int revision = 1; revision <= 30; ++revision) {
        if (revision == 11) {
            auto st = declared::cluster::stream_state(**conn.value, "NIGHT");
            REQUIRE(st.ok());
            killed = cluster.index_of(st.value->leader);
            REQUIRE(killed >= 0);
            cluster.kill(killed);
        }
        // Each is answered once the stream holds it: during the election that is a few seconds later.
        auto r = request(d.port(), "POST", "/v1/declarations",
                         {{"Authorization", "Bearer tok"}, {"Content-Type", "application/json"}},
                         brook(revision, 700 + revision), std::chrono::seconds(60));
        INFO("revision " << revision << ": " << r.body << "\n" << d.log());
        REQUIRE(r.status == 200);
    }
    const auto before = get(d.port(), "/v1/events?since=0");
    REQUIRE(before.status == 200);
    REQUIRE(cluster.restart(killed));

    REQUIRE(d.terminate().code == 0);
    start_daemon(d, args, dir);
    CHECK(d.log().find("30 declarations replayed") != std::string::npos);
    CHECK(get(d.port(), "/v1/events?since=0").body == before.body);
    d.terminate();
}

TEST_CASE("cluster: bad cluster options are refused with what, where and why, before anything starts", "[cluster][daemon]") {
    TempDir dir;
    const std::string card = dir / "card.json";
    write_whole_file(card, std::string(kSmallCard));
    auto refused = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"serve", "--card", card, "--listen", "127.0.0.1:0"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = run_command(DECLARED_BINARY, args, dir.path());
        CHECK(r.status.code == 2);
        return r.err;
    };
    const std::string url = "nats://127.0.0.1:1";
    CHECK(refused({"--cluster.url", "http://x:4222"}).find("--cluster.url: expected nats://HOST:PORT URLs") != std::string::npos);
    CHECK(refused({"--cluster.url", url + ","}).find("got ''") != std::string::npos);
    CHECK(refused({"--cluster.url", url, "--journal", dir / "j"}).find("--journal: expected no journal file in cluster mode") !=
          std::string::npos);
    CHECK(refused({"--cluster.url", url, "--repair-journal"}).find("--repair-journal: expected file mode") != std::string::npos);
    CHECK(refused({"--cluster.url", url, "--cluster.stream", "A.B"}).find("--cluster.stream: expected a stream name") !=
          std::string::npos);
    CHECK(refused({"--cluster.url", url, "--cluster.role", "leader"}).find("--cluster.role: expected primary, standby or edge") !=
          std::string::npos);
    CHECK(refused({"--cluster.url", url, "--cluster.max_lag", "0"}).find("--cluster.max_lag: expected at least 1 message") !=
          std::string::npos);
    CHECK(refused({"--cluster.url", url, "--cluster.heartbeat_ms", "10"}).find("--cluster.heartbeat_ms: expected at least 50") !=
          std::string::npos);
    CHECK(refused({"--cluster.url", url, "--cluster.heartbeat_ms", "500", "--cluster.takeover_ms", "900"})
              .find("--cluster.takeover_ms: expected at least two heartbeats (1000)") != std::string::npos);
    CHECK(refused({"--cluster.url", url, "--webhooks", dir / "hooks.json"})
              .find("--webhooks.dir: expected a local directory for the webhooks' dead letters in cluster mode") !=
          std::string::npos);
    CHECK(!std::filesystem::exists(dir / "j"));  // nothing was created
}

TEST_CASE("cluster: a node whose desk setting is not the stream's is refused before it applies anything", "[cluster][daemon]") {
    if (!have_nats_server()) return;
    NatsCluster cluster(3);
    start_cluster(cluster);
    TempDir dir;
    auto node = [&](const std::string& name, bool desk) {
        auto args = serve_args(cluster, dir);
        for (const auto& a : {"--cluster.node", name.c_str(), "--cluster.role", name == "primary" ? "primary" : "standby"})
            args.emplace_back(a);
        if (desk)
            for (const char* a : {"--desk-token", "Desk:desk-tok"}) args.emplace_back(a);
        return args;
    };

    // The stream is started by a node with a desk.
    DaemonProcess primary;
    start_daemon(primary, node("primary", true), dir);
    REQUIRE(post_declarations(primary.port(), brook(1, 700), "tok", "application/json").status == 200);

    // A standby without one would number the calls knowable before counting
    // differently, so it is refused, saying why.
    DaemonProcess standby;
    standby.spawn(DECLARED_BINARY, node("standby", false), dir / "standby.log");
    const auto ended = standby.wait(60s);
    INFO(standby.log());
    REQUIRE(ended.has_value());
    CHECK(ended->code != 0);
    CHECK(standby.log().find("expected the stream of nodes without a results desk (no --desk-token)") != std::string::npos);
    CHECK(standby.log().find("a stream started for nodes with a results desk (--desk-token)") != std::string::npos);
    CHECK(standby.log().find("[cluster_wrong_desk]") != std::string::npos);

    // With the same setting it joins, and the writer was never disturbed.
    DaemonProcess same;
    const bool started = same.start(DECLARED_BINARY, node("standby", true), dir / "standby2.log", 60s);
    INFO(same.log());
    CHECK(started);
    CHECK(post_declarations(primary.port(), brook(2, 720), "tok", "application/json").status == 200);
}
