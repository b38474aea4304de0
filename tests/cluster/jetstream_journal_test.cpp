// JetStreamJournal against a real three-node nats-server cluster: each case
// starts its own cluster on free loopback ports (tests/cluster/nats_cluster.*).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/jetstream_journal.hpp"
#include "cluster/nats_connection.hpp"
#include "cluster/stream_follower.hpp"
#include "cluster/stream_setup.hpp"
#include "journal/group_commit.hpp"
#include "tests/cluster/nats_cluster.hpp"
#include "tests/support/wait_for.hpp"

using declared::Error;
using declared::cluster::JetStreamJournal;
using declared::cluster::JetStreamJournalOptions;
using declared::cluster::NatsConnection;
using declared::cluster::NatsOptions;
using declared::testing::NatsCluster;

namespace {

const std::string kCard = R"({"election":"local.2022-05-05","councils":["reading","sunderland"]})";

// Prints the SKIPPED line ctest looks for; true when the cases can run.
bool have_nats_server() {
    if (NatsCluster::server_binary()) return true;
    std::printf("SKIPPED: nats-server is not installed (Debian's nats-server package; scripts/setup.sh installs it)\n");
    return false;
}

// A started cluster, or a failed test with the servers' logs.
std::unique_ptr<NatsCluster> start_cluster() {
    auto c = std::make_unique<NatsCluster>(3);
    const bool started = c->start();
    INFO(c->log());
    REQUIRE(started);
    return c;
}

JetStreamJournalOptions options_for(const NatsCluster& c, const std::string& stream, const std::string& card = kCard) {
    JetStreamJournalOptions o;
    o.nats.urls = c.urls();
    o.stream = stream;
    o.replicas = 3;
    o.card = card;
    o.ack_timeout = std::chrono::milliseconds(2000);
    // Longer than a leader election (4 to 9 s) with room for a loaded machine.
    o.retry_for = std::chrono::seconds(60);
    o.load_timeout = std::chrono::seconds(60);
    return o;
}

std::unique_ptr<JetStreamJournal> open_journal(const JetStreamJournalOptions& o) {
    auto opened = JetStreamJournal::open(o);
    INFO(opened.error.message());
    REQUIRE(opened.ok());
    return std::move(*opened.value);
}

struct Loaded {
    declared::Result<declared::LoadReport> result;
    std::vector<std::string> records;
};

Loaded load(JetStreamJournal& j) {
    Loaded out{declared::Result<declared::LoadReport>::of_error({}), {}};
    out.result = j.load([&](std::string_view r) { out.records.emplace_back(r); });
    return out;
}

std::vector<std::string> load_ok(JetStreamJournal& j) {
    auto l = load(j);
    INFO(l.result.error.message());
    REQUIRE(l.result.ok());
    CHECK(l.result.value->records == l.records.size());
    return l.records;
}

// Records shaped like the daemon's, each unique; some carry bytes that are not
// text at all, since the journal stores opaque bytes.
std::vector<std::string> records(const std::string& tag, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
        std::string r = R"({"v":1,"received_at":"2022-05-06T01:23:45.678Z","declaration":{"ward":")" + tag + "-" +
                        std::to_string(i) + R"(","revision":1}})";
        if (i % 7 == 3) r += std::string("\0\xff\r\n", 4);
        out.push_back(std::move(r));
    }
    return out;
}

void append_and_sync(JetStreamJournal& j, const std::vector<std::string>& rs, std::uint64_t expected_first) {
    auto appended = j.append(rs);
    INFO(appended.error.message());
    REQUIRE(appended.ok());
    CHECK(*appended.value == expected_first);
    auto synced = j.sync();
    INFO(synced.error.message());
    REQUIRE(synced.ok());
    CHECK(*synced.value == expected_first + rs.size());
}

std::unique_ptr<NatsConnection> raw_connection(const NatsCluster& c) {
    NatsOptions o;
    o.urls = c.urls();
    o.name = "test";
    auto connected = NatsConnection::connect(o);
    INFO(connected.error.message());
    REQUIRE(connected.ok());
    return std::move(*connected.value);
}

std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
    std::vector<std::string> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace

TEST_CASE("cluster: a JetStream journal gives back the records it acknowledged, byte for byte", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    const auto opts = options_for(*cluster, "NIGHT");

    const auto a = records("a", 1), b = records("b", 100), c = records("c", 1000);
    std::string epoch;
    {
        auto j = open_journal(opts);
        CHECK(load_ok(*j).empty());  // a new stream: only the genesis, which is not a record
        epoch = j->genesis().epoch;
        CHECK(epoch.size() == 32);
        CHECK(j->genesis().card == kCard);
        append_and_sync(*j, a, 0);
        append_and_sync(*j, b, 1);
        append_and_sync(*j, c, 101);
        CHECK(j->last_sequence() == 1 + 1101);  // the genesis, then the records

        SECTION("a record over the servers' limit is refused alone, and writing goes on") {
            const std::vector<std::string> huge{std::string(j->max_record_size() + 1, 'x')};
            CHECK(j->append(huge).error.code == "journal_record_size");
            CHECK(j->append(std::vector<std::string>{""}).error.code == "journal_record_size");
            append_and_sync(*j, records("d", 2), 1101);
            // The largest record it takes fits in one message, headers and all.
            const std::vector<std::string> largest{std::string(j->max_record_size(), 'y')};
            append_and_sync(*j, largest, 1103);
        }
    }
    auto again = open_journal(opts);
    auto loaded = load_ok(*again);
    REQUIRE(loaded.size() >= 1101);
    CHECK(std::vector<std::string>(loaded.begin(), loaded.begin() + 1101) == concat({a, b, c}));
    CHECK(again->genesis().epoch == epoch);
    CHECK(again->sync().ok());  // nothing pending: a no-op

    auto conn = raw_connection(*cluster);
    auto st = declared::cluster::stream_state(*conn, "NIGHT");
    REQUIRE(st.ok());
    CHECK(st.value->last_seq == loaded.size() + 1);

    // What the journal settles an unknown outcome by: each stored message
    // keeps the Nats-Msg-Id of the writer that sent it.
    natsMsg* m = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    REQUIRE(js_GetMsg(&m, conn->js(), "NIGHT", 2, nullptr, &jerr) == NATS_OK);
    const char* id = nullptr;
    REQUIRE(natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK);
    CHECK(std::string(id).ends_with(".2"));
    CHECK(std::string(id).size() == 32 + 2);  // the writer's random id, then the sequence
    CHECK(std::string(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m))) == a[0]);
    natsMsg_Destroy(m);
}

TEST_CASE("cluster: a second writer on the stream is fenced and writes nothing", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    const auto opts = options_for(*cluster, "NIGHT");

    auto first = open_journal(opts);
    REQUIRE(load_ok(*first).empty());
    append_and_sync(*first, records("before", 10), 0);

    // Both load the same 10 records; the first then appends, as a new primary would.
    auto old_primary = open_journal(opts);
    REQUIRE(load_ok(*old_primary).size() == 10);
    append_and_sync(*first, records("new-primary", 5), 10);

    auto appended = old_primary->append(records("stale", 3));
    REQUIRE(appended.ok());  // only published: the answer comes with sync()
    auto synced = old_primary->sync();
    REQUIRE_FALSE(synced.ok());
    CHECK(synced.error.code == "cluster_fenced");
    CHECK(synced.error.message().find("another primary took over") != std::string::npos);

    // Fenced for good: no write is even tried.
    const auto published = old_primary->stats().published;
    CHECK(old_primary->append(records("later", 1)).error.code == "cluster_fenced");
    CHECK(old_primary->sync().error.code == "cluster_fenced");
    CHECK(old_primary->stats().published == published);

    // Nothing of the fenced writer's is in the stream, and the other writes on.
    append_and_sync(*first, records("after", 2), 15);
    auto reader = open_journal(opts);
    CHECK(load_ok(*reader) == concat({records("before", 10), records("new-primary", 5), records("after", 2)}));
}

TEST_CASE("cluster: a stream started for another card is refused and left unchanged", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();

    auto j = open_journal(options_for(*cluster, "NIGHT"));
    REQUIRE(load_ok(*j).empty());
    append_and_sync(*j, records("x", 3), 0);

    auto other = open_journal(options_for(*cluster, "NIGHT", R"({"election":"local.2023-05-04"})"));
    auto l = load(*other);
    REQUIRE_FALSE(l.result.ok());
    CHECK(l.records.empty());  // nothing delivered
    CHECK(l.result.error.code == "cluster_wrong_card");
    CHECK(l.result.error.path.find("stream NIGHT") != std::string::npos);
    CHECK(l.result.error.path.find("sequence 1") != std::string::npos);
    CHECK(l.result.error.got.find(j->genesis().epoch) != std::string::npos);
    CHECK_FALSE(other->append(records("y", 1)).ok());
    CHECK(other->stats().published == 0);

    auto same = open_journal(options_for(*cluster, "NIGHT"));
    CHECK(load_ok(*same) == records("x", 3));
}

TEST_CASE("cluster: an existing stream that could drop records is refused", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    auto conn = raw_connection(*cluster);

    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {"declared.LOOSE.genesis", "declared.LOOSE.records"};
    cfg.Name = "LOOSE";
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 2;
    cfg.Replicas = 3;  // deletes and purges allowed
    jsErrCode jerr = static_cast<jsErrCode>(0);
    REQUIRE(js_AddStream(nullptr, conn->js(), &cfg, nullptr, &jerr) == NATS_OK);

    auto j = open_journal(options_for(*cluster, "LOOSE"));
    auto l = load(*j);
    REQUIRE_FALSE(l.result.ok());
    CHECK(l.result.error.code == "cluster_stream_config");
    CHECK(l.result.error.expected.find("deny_delete") != std::string::npos);
    auto st = declared::cluster::stream_state(*conn, "LOOSE");
    REQUIRE(st.ok());
    CHECK(st.value->last_seq == 0);  // no genesis written into it
}

TEST_CASE("cluster: a stream whose first message is no genesis is refused", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    auto conn = raw_connection(*cluster);

    // Configured as declared would, but written by something else first.
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {"declared.NIGHT.genesis", "declared.NIGHT.records", "declared.NIGHT.writer"};
    cfg.Name = "NIGHT";
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 3;
    cfg.Replicas = 3;
    cfg.DenyDelete = true;
    cfg.DenyPurge = true;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    REQUIRE(js_AddStream(nullptr, conn->js(), &cfg, nullptr, &jerr) == NATS_OK);
    const std::string stray = records("stray", 1)[0];
    REQUIRE(js_Publish(nullptr, conn->js(), "declared.NIGHT.records", stray.data(), static_cast<int>(stray.size()),
                       nullptr, &jerr) == NATS_OK);

    auto j = open_journal(options_for(*cluster, "NIGHT"));
    auto l = load(*j);
    REQUIRE_FALSE(l.result.ok());
    CHECK(l.records.empty());
    CHECK(l.result.error.code == "cluster_bad_genesis");
    CHECK(l.result.error.got.find("not started by declared") != std::string::npos);
    CHECK(j->stats().published == 0);  // nothing added to a stream it cannot read
}

TEST_CASE("cluster: the stream refuses to delete or purge the journal's messages", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    const auto opts = options_for(*cluster, "NIGHT");
    auto j = open_journal(opts);
    REQUIRE(load_ok(*j).empty());
    append_and_sync(*j, records("keep", 20), 0);

    auto conn = raw_connection(*cluster);
    jsErrCode jerr = static_cast<jsErrCode>(0);
    CHECK(js_DeleteMsg(conn->js(), "NIGHT", 5, nullptr, &jerr) != NATS_OK);
    jerr = static_cast<jsErrCode>(0);
    CHECK(js_EraseMsg(conn->js(), "NIGHT", 1, nullptr, &jerr) != NATS_OK);
    jerr = static_cast<jsErrCode>(0);
    CHECK(js_PurgeStream(conn->js(), "NIGHT", nullptr, &jerr) != NATS_OK);

    auto reader = open_journal(opts);
    CHECK(load_ok(*reader) == records("keep", 20));
}

TEST_CASE("cluster: two nodes starting on an empty stream agree on one genesis", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    const auto opts = options_for(*cluster, "NIGHT");
    auto a = open_journal(opts);
    auto b = open_journal(opts);
    Loaded la{declared::Result<declared::LoadReport>::of_error({}), {}}, lb = la;
    std::thread ta([&] { la = load(*a); });
    std::thread tb([&] { lb = load(*b); });
    ta.join();
    tb.join();
    INFO(la.result.error.message() << " / " << lb.result.error.message());
    REQUIRE(la.result.ok());
    REQUIRE(lb.result.ok());
    CHECK(a->genesis().epoch == b->genesis().epoch);
    auto conn = raw_connection(*cluster);
    auto st = declared::cluster::stream_state(*conn, "NIGHT");
    REQUIRE(st.ok());
    CHECK(st.value->last_seq == 1);
}

TEST_CASE("cluster: killing the stream leader loses no acknowledged record and the journal resends", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    const auto opts = options_for(*cluster, "NIGHT");
    auto conn = raw_connection(*cluster);

    auto j = open_journal(opts);
    REQUIRE(load_ok(*j).empty());
    const auto before = records("before", 200), inflight = records("inflight", 500), during = records("during", 300);
    append_and_sync(*j, before, 0);

    auto st = declared::cluster::stream_state(*conn, "NIGHT");
    REQUIRE(st.ok());
    const int leader = cluster->index_of(st.value->leader);
    INFO("stream leader " << st.value->leader);
    REQUIRE(leader >= 0);

    // Published, not yet acknowledged: then the leader dies under them.
    REQUIRE(j->append(inflight).ok());
    cluster->kill(leader);
    REQUIRE(j->append(during).ok());
    auto synced = j->sync();
    INFO(synced.error.message());
    REQUIRE(synced.ok());
    CHECK(*synced.value == 1000);
    const auto stats = j->stats();
    CHECK(stats.unknown > 0);  // the election left outcomes unknown...
    CHECK(stats.resends > 0);  // ...and they were settled by sending again
    CHECK(stats.acknowledged == 1 + 1000);  // the genesis, then the records

    // Writing goes on under the new leader, and the old one comes back.
    append_and_sync(*j, records("after", 10), 1000);
    REQUIRE(cluster->restart(leader));

    auto reader = open_journal(opts);
    CHECK(load_ok(*reader) == concat({before, inflight, during, records("after", 10)}));
}

TEST_CASE("cluster: a journal that cannot learn an outcome within its bound fails and writes no more", "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    auto opts = options_for(*cluster, "NIGHT");
    opts.ack_timeout = std::chrono::milliseconds(500);
    opts.retry_for = std::chrono::seconds(3);
    auto j = open_journal(opts);
    REQUIRE(load_ok(*j).empty());
    append_and_sync(*j, records("kept", 5), 0);

    // Two of three servers gone: no quorum, so no answer can come.
    cluster->kill(0);
    cluster->kill(1);
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(j->append(records("unknown", 3)).ok());
    auto synced = j->sync();
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(synced.ok());
    CHECK(synced.error.code == "cluster_unavailable");
    CHECK(synced.error.message().find("outcome is unknown") != std::string::npos);
    CHECK(took >= std::chrono::seconds(3));
    CHECK(took < std::chrono::seconds(30));
    CHECK(j->stats().resends > 0);
    CHECK(j->append(records("later", 1)).error.code == "cluster_unavailable");

    // Once the cluster is back, what was acknowledged is all there, in order;
    // the unknown ones may or may not have landed, but never twice.
    REQUIRE(cluster->restart(0));
    REQUIRE(cluster->restart(1));
    auto reader = open_journal(options_for(*cluster, "NIGHT"));
    const auto loaded = load_ok(*reader);
    REQUIRE(loaded.size() >= 5);
    CHECK(std::vector<std::string>(loaded.begin(), loaded.begin() + 5) == records("kept", 5));
    const auto unknown = records("unknown", 3);
    CHECK(std::vector<std::string>(loaded.begin() + 5, loaded.end()) ==
          std::vector<std::string>(unknown.begin(), unknown.begin() + static_cast<long>(loaded.size() - 5)));
}

TEST_CASE("cluster: the group committer over a JetStream journal shares one round trip among many appends",
          "[cluster][jetstream]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    const auto opts = options_for(*cluster, "NIGHT");
    auto j = open_journal(opts);
    REQUIRE(load_ok(*j).empty());

    constexpr int kThreads = 4, kEach = 500;
    std::atomic<int> acknowledged{0}, failed{0};
    {
        declared::GroupCommitter committer(*j);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                for (const auto& r : records("t" + std::to_string(t), kEach)) {
                    auto queued = committer.append(r, [&](const declared::Result<std::uint64_t>& res) {
                        (res.ok() ? acknowledged : failed)++;
                    });
                    if (!queued.ok()) failed++;
                }
            });
        for (auto& t : threads) t.join();
        committer.stop();  // drains and syncs what is queued
        const auto stats = committer.stats();
        CHECK(stats.records == kThreads * kEach);
        CHECK(stats.syncs < stats.records);  // batches, not one round trip per record
    }
    CHECK(acknowledged == kThreads * kEach);
    CHECK(failed == 0);

    // Each thread's records are in the stream in the order it appended them.
    auto reader = open_journal(opts);
    const auto loaded = load_ok(*reader);
    REQUIRE(loaded.size() == static_cast<std::size_t>(kThreads * kEach));
    for (int t = 0; t < kThreads; ++t) {
        const auto mine = records("t" + std::to_string(t), kEach);
        std::vector<std::string> seen;
        const std::string tag = "\"ward\":\"t" + std::to_string(t) + "-";
        for (const auto& r : loaded)
            if (r.find(tag) != std::string::npos) seen.push_back(r);
        CHECK(seen == mine);
    }
}

TEST_CASE("cluster: a claim makes a journal the writer, and loses to anything written after what it applied",
          "[cluster][jetstream][claim]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    auto a = open_journal(options_for(*cluster, "NIGHT"));
    load_ok(*a);
    REQUIRE(a->claim(a->durable_sequence(), "alpha", "start").ok());
    append_and_sync(*a, records("a", 3), 1);  // genesis 1, claim 2, records 3 to 5

    auto b = open_journal(options_for(*cluster, "NIGHT"));
    CHECK(load_ok(*b).size() == 3);  // claims are not records
    REQUIRE(b->last_claim());
    CHECK(b->last_claim()->node == "alpha");
    auto claimed = b->claim(b->durable_sequence(), "bravo", "takeover");
    INFO(claimed.error.message());
    REQUIRE(claimed.ok());
    CHECK(*claimed.value == 6);

    // The old writer is fenced at its next append ...
    REQUIRE(a->append(records("late", 1)).ok());
    auto fenced = a->sync();
    REQUIRE_FALSE(fenced.ok());
    CHECK(fenced.error.code == "cluster_fenced");
    // ... and cannot claim back from behind: the stream moved on.
    auto behind = a->claim(a->durable_sequence(), "alpha", "takeover");
    REQUIRE_FALSE(behind.ok());
    CHECK(behind.error.code == "cluster_claim_lost");
    CHECK(a->append(records("x", 1)).error.code == "cluster_claim_lost");  // and stays refusing

    REQUIRE(b->append(records("b", 2)).ok());
    REQUIRE(b->sync().ok());
    auto c = open_journal(options_for(*cluster, "NIGHT"));
    const auto all = load_ok(*c);
    REQUIRE(all.size() == 5);
    CHECK(all[3].find("\"b-0\"") != std::string::npos);
    CHECK(c->last_claim()->node == "bravo");
    CHECK(c->durable_sequence() == 8);
}

TEST_CASE("cluster: a follower gets every message from its start sequence, in order, live appends included",
          "[cluster][jetstream][follower]") {
    if (!have_nats_server()) return;
    auto cluster = start_cluster();
    auto j = open_journal(options_for(*cluster, "NIGHT"));
    load_ok(*j);
    append_and_sync(*j, records("r", 3), 0);  // sequences 2 to 4

    std::mutex m;
    std::vector<declared::cluster::FollowedMessage> got;
    std::optional<Error> broken;
    auto follower = declared::cluster::StreamFollower::start(
        j->connection(), j->spec(), 3,
        [&](declared::cluster::FollowedMessage msg) {
            std::lock_guard lock(m);
            got.push_back(std::move(msg));
        },
        [&](Error e) {
            std::lock_guard lock(m);
            broken = e;
        });
    INFO(follower.error.message());
    REQUIRE(follower.ok());
    auto count = [&] {
        std::lock_guard lock(m);
        return got.size();
    };
    REQUIRE(declared::testing::wait_for([&] { return count() == 2; }, std::chrono::seconds(20)));
    REQUIRE(j->claim(4, "alpha", "takeover").ok());  // sequence 5
    const auto live = records("live", 2);             // sequences 6 and 7
    REQUIRE(j->append(live).ok());
    REQUIRE(j->sync().ok());
    REQUIRE(declared::testing::wait_for([&] { return count() == 5; }, std::chrono::seconds(20)));
    (*follower.value)->stop();
    std::lock_guard lock(m);
    CHECK_FALSE(broken);
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == 3 + i);
    CHECK(got[0].bytes == records("r", 3)[1]);
    CHECK(got[2].subject == "declared.NIGHT.writer");
    CHECK(got[3].subject == "declared.NIGHT.records");
    CHECK(got[4].bytes == live[1]);
    CHECK(got[4].pending == 0);
    CHECK((*follower.value)->last_seq() == 7);
}
