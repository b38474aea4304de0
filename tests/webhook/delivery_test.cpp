// Webhook delivery that never fails silently, against the real daemon: a
// retry limit sends an undelivered event to the dead-letter file, from where
// `declared webhook redeliver` delivers it and takes it out; an endpoint
// failing too long gets one log line and a metric; the signature covers a
// timestamp; a Slack body is {"text": ...}.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>

#include <boost/json.hpp>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/small_card.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/webhook/receiver.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

struct Night {
    TempDir dir;
    DaemonProcess daemon;
    // Starts the daemon with one webhook "alerts" to the receiver; extra: more of its JSON fields.
    Night(const Receiver& receiver, const std::string& extra) {
        write_whole_file(dir / "card.json", std::string(kSmallCard));
        write_whole_file(dir / "hooks.json", R"([{"name": "alerts", "url": "http://127.0.0.1:)" +
                                                 std::to_string(receiver.port()) + R"(/hook", "secret": "s3cret")" +
                                                 extra + "}]");
        REQUIRE(daemon.start(DECLARED_BINARY,
                             {"--card", dir / "card.json", "--journal", dir / "journal", "--listen", "127.0.0.1:0",
                              "--ingest-token", "t", "--webhooks", dir / "hooks.json"},
                             dir / "log"));
    }
    std::string dead_letters() const { return dir / "journal.webhooks/alerts.dead.jsonl"; }
    // Where the dead letters are: by the journal, or by the directory itself.
    CommandResult redeliver(std::vector<std::string> where = {}) const {
        if (where.empty()) where = {"--journal", dir / "journal"};
        std::vector<std::string> args{"webhook", "redeliver", "--webhooks", dir / "hooks.json"};
        args.insert(args.end(), where.begin(), where.end());
        return run_command(DECLARED_BINARY, args, dir.path());
    }
    std::string metrics() { return get(daemon.port(), "/metrics").body; }
};

std::size_t lines_in(const std::string& path) {
    if (file_size_or_minus1(path) < 0) return 0;
    const std::string text = read_whole_file(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("webhook: past max_attempts an event goes to the dead-letter file, and redeliver delivers it and takes it out",
          "[webhook][dead-letter]") {
    Receiver receiver(3);  // the daemon's two attempts fail, and the first redelivery
    Night night(receiver, R"(, "types": "ward_declared", "max_attempts": 2)");
    REQUIRE(post_declarations(night.daemon.port(), kBrook, "t", "application/json").status == 200);
    REQUIRE(wait_for([&] { return lines_in(night.dead_letters()) == 1; }, 20s));
    CHECK(receiver.attempts() == 2);
    CHECK(receiver.deliveries().empty());

    auto letter = json::parse(read_whole_file(night.dead_letters())).as_object();
    CHECK(letter.at("webhook").as_string() == "alerts");
    CHECK(letter.at("url").as_string() == "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook");
    CHECK(letter.at("attempts").to_number<int>() == 2);
    CHECK(letter.at("last_error").as_string() == "HTTP 500");
    CHECK(letter.at("type").as_string() == "ward_declared");
    const auto seq = letter.at("seq").to_number<std::uint64_t>();
    CHECK(letter.at("event").at("seq").to_number<std::uint64_t>() == seq);
    CHECK(wait_for([&] { return night.metrics().find("declared_webhook_dead_letters_total{webhook=\"alerts\"} 1\n") !=
                                std::string::npos; },
                   10s));
    CHECK(night.daemon.log().find("not delivered after 2 attempts") != std::string::npos);

    // The endpoint still fails: the letter stays.
    auto failed = night.redeliver();
    INFO(failed.out << failed.err);
    CHECK(failed.status.code == 1);
    CHECK(failed.out.find("redelivered 0 of 1; 1 left") != std::string::npos);
    CHECK(failed.err.find("HTTP 500") != std::string::npos);
    CHECK(lines_in(night.dead_letters()) == 1);

    // It takes it now: delivered once, signed, and out of the file.
    auto ok = night.redeliver();
    INFO(ok.out << ok.err);
    CHECK(ok.status.code == 0);
    CHECK(ok.out.find("redelivered 1 of 1; 0 left") != std::string::npos);
    CHECK(lines_in(night.dead_letters()) == 0);
    auto got = receiver.deliveries();
    REQUIRE(got.size() == 1);
    CHECK(got[0].seq == seq);
    CHECK(got[0].type == "ward_declared");
    CHECK(json::parse(got[0].body) == letter.at("event"));
    CHECK(got[0].signature == hmac_hex("s3cret", got[0].body));
    CHECK(got[0].timed_signature == hmac_hex("s3cret", got[0].timestamp + "." + got[0].body));

    // Nothing left: a second redelivery has nothing to do, named by the
    // directory as cluster mode names it.
    auto none = night.redeliver({"--webhooks.dir", night.dir / "journal.webhooks"});
    CHECK(none.status.code == 0);
    CHECK(none.out.find("redelivered 0 of 0") != std::string::npos);
    // Both, or neither: refused, and nothing is sent.
    for (const auto& where : {std::vector<std::string>{"--journal", night.dir / "journal", "--webhooks.dir", night.dir / "x"},
                              std::vector<std::string>{"--name", "alerts"}}) {
        auto refused = night.redeliver(where);
        CHECK(refused.status.code == 2);
        CHECK(refused.err.find("give --journal or --webhooks.dir (one of them)") != std::string::npos);
    }
    CHECK(receiver.deliveries().size() == 1);
}

TEST_CASE("webhook: the signature covers a timestamp, so a receiver can refuse replays", "[webhook][signature]") {
    Receiver receiver(0);
    Night night(receiver, R"(, "types": "ward_declared")");
    REQUIRE(post_declarations(night.daemon.port(), kBrook, "t", "application/json").status == 200);
    REQUIRE(wait_for([&] { return receiver.deliveries().size() == 1; }, 20s));
    const auto d = receiver.deliveries().front();
    // What a receiver does (docs/webhooks.md): recompute over "<timestamp>.<body>",
    // compare, and refuse a timestamp more than five minutes from its clock.
    REQUIRE(!d.timestamp.empty());
    const long long ts = std::stoll(d.timestamp);
    CHECK(std::llabs(static_cast<long long>(std::time(nullptr)) - ts) < 300);
    CHECK(d.timed_signature == hmac_hex("s3cret", d.timestamp + "." + d.body));
    // The timestamp is part of what is signed: another one does not verify.
    CHECK(d.timed_signature != hmac_hex("s3cret", std::to_string(ts - 3600) + "." + d.body));
    CHECK(d.timed_signature != hmac_hex("s3cret", d.body));
}

TEST_CASE("webhook: a slack body is {\"text\": <the event's alert text>} for each event that has one", "[webhook][slack]") {
    Receiver receiver(0);
    Night night(receiver, R"(, "body": "slack")");
    const auto start = json::parse(get(night.daemon.port(), "/v1/events?since=0&limit=1").body).at("last_seq").to_number<std::uint64_t>();
    REQUIRE(post_declarations(night.daemon.port(), kBrook, "t", "application/json").status == 200);
    // The events since start that carry a text, from the daemon's own log.
    std::map<std::uint64_t, std::string> texts;
    const auto page = json::parse(get(night.daemon.port(), "/v1/events?since=0&limit=10000").body);
    for (const auto& e : page.at("events").as_array())
        if (e.at("seq").to_number<std::uint64_t>() > start && e.at("text").is_string())
            texts[e.at("seq").to_number<std::uint64_t>()] = std::string(e.at("text").as_string());
    REQUIRE(!texts.empty());
    REQUIRE(wait_for([&] { return receiver.deliveries().size() >= texts.size(); }, 20s));
    const auto got = receiver.deliveries();
    REQUIRE(got.size() == texts.size());
    for (const auto& d : got) {
        INFO(d.body);
        REQUIRE(texts.count(d.seq) == 1);
        CHECK(json::parse(d.body) == json::object{{"text", texts[d.seq]}});
        CHECK(d.signature == hmac_hex("s3cret", d.body));
    }
}

TEST_CASE("webhook: an endpoint failing for alert_after_seconds gets one log line and the failing metric",
          "[webhook][alert]") {
    Receiver receiver(1'000'000);  // never takes anything
    Night night(receiver, R"(, "types": "ward_declared", "alert_after_seconds": 1)");
    CHECK(night.metrics().find("declared_webhook_failing{webhook=\"alerts\"} 0\n") != std::string::npos);
    REQUIRE(post_declarations(night.daemon.port(), kBrook, "t", "application/json").status == 200);
    REQUIRE(night.daemon.wait_for_log("has been failing for", 20s));
    CHECK(night.metrics().find("declared_webhook_failing{webhook=\"alerts\"} 1\n") != std::string::npos);
    // Several more failed attempts later, still the one line.
    const int seen = receiver.attempts();
    REQUIRE(wait_for([&] { return receiver.attempts() >= seen + 2; }, 20s));
    CHECK(count_of(night.daemon.log(), "has been failing for") == 1);
}
