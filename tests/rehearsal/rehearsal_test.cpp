// declared replay --to --faults: a generated night sent with every fault kind
// switched on ends, in the real daemon, with exactly the state of the
// fault-free night; the report says what was injected and what the daemon
// answered; a daemon holding something else is told apart; a bad spec is
// refused before anything is sent.
#include <map>

#include <catch2/catch.hpp>

#include "tests/rehearsal/rehearsal_night.hpp"

using namespace declared::testing;
namespace json = boost::json;

namespace {

const std::set<std::string> kReplayKinds{"burst", "conflict", "duplicate", "late_correction",
                                         "malformed", "out_of_order", "pause", "stale", "withdrawal"};

// The night's serve arguments with a results desk, whose token the rehearsal's
// withdrawals use.
std::vector<std::string> with_desk(const RehearsalNight& night) {
    auto args = night.serve_args(0);
    args.insert(args.end(), {"--desk-token", "rehearsal:d"});
    return args;
}

CommandResult rehearse(const RehearsalNight& night, int port, const std::string& spec, const std::string& seed,
                       const std::string& report) {
    return run_command(kBinary,
                       {"replay", "--to", night.url(port), "--token", "t", "--card", night.card, "--declarations",
                        night.declarations, "--speed", "max", "--faults", spec, "--seed", seed, "--report", report,
                        "--intended", night.dir / "intended.jsonl", "--desk-token", "d"},
                       night.dir.path());
}

// Every answer the daemon gave to the lines a fault of this kind sent.
std::multiset<std::string> answers_to(const json::object& report, const std::string& kind) {
    std::multiset<std::string> out;
    for (const auto& f : report.at("faults").as_array())
        if (f.at("kind").as_string() == kind)
            for (const auto& s : f.at("sent").as_array()) out.insert(std::string(s.at("answer").as_string()));
    return out;
}

json::value without_last_seq(const std::string& scoreboard) {
    auto v = json::parse(scoreboard);
    REQUIRE(v.as_object().erase("last_seq") == 1);
    return v;
}

}  // namespace

TEST_CASE("replay --faults all: every kind injected, the noise refused, the final state the fault-free night's",
          "[rehearsal][replay]") {
    RehearsalNight night(6, 21);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, with_desk(night), night.dir / "serve.log"));
    auto run = rehearse(night, daemon.port(), "all", "7", night.dir / "report.json");
    INFO(run.out);
    INFO(run.err);
    REQUIRE(run.status.code == 0);
    CHECK(run.out.find("final state: EQUAL to the fault-free replay") != std::string::npos);
    CHECK(run.out.find("unexpected answers: none") != std::string::npos);

    auto report = read_report(night.dir / "report.json");
    CHECK(report.at("seed").to_number<std::int64_t>() == 7);
    CHECK(kinds_injected(report) == kReplayKinds);
    CHECK(report.at("final_state").at("equal").as_bool());
    const auto councils = json::parse(read_whole_file(night.card)).at("councils").as_array().size();
    CHECK(report.at("final_state").at("councils_compared").to_number<std::size_t>() == councils);
    CHECK(report.at("unexpected_answers").as_array().empty());
    // What the daemon said, kind by kind, from its own answers.
    CHECK(answers_to(report, "duplicate").count("duplicate") > 0);
    CHECK(answers_to(report, "conflict").count("conflict") > 0);
    CHECK(answers_to(report, "stale").count("stale") > 0);
    CHECK(answers_to(report, "out_of_order").count("stale") > 0);
    CHECK(answers_to(report, "late_correction").count("corrected") > 0);
    CHECK(answers_to(report, "malformed").count("rejected") == answers_to(report, "malformed").size());
    // A withdrawal: the wrong result accepted, the desk's withdrawal applied,
    // the right result accepted as the next revision.
    CHECK(answers_to(report, "withdrawal") == std::multiset<std::string>{"accepted", "accepted", "applied"});
    for (const auto& r : report.at("rejected").as_array()) {
        INFO(json::serialize(r));
        CHECK(!r.at("message").as_string().empty());  // each refusal says why
        CHECK(r.at("fault").to_number<std::int64_t>() >= 0);  // and none was the night's own line
    }

    // Independently of the report's own comparison: the scoreboard is the
    // offline replay of the fault-free night (the night and its corrections),
    // all but last_seq, since the faults caused events of their own.
    auto sb = get(daemon.port(), "/v1/scoreboard");
    CHECK(sb.status == 200);
    CHECK(without_last_seq(sb.body) == without_last_seq(night.summary_of(night.dir / "intended.jsonl")));
}

TEST_CASE("replay --faults withdrawal: the desk withdraws each wrong result, the right one follows, the state is the night's",
          "[rehearsal][replay][desk]") {
    RehearsalNight night(5, 27);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, with_desk(night), night.dir / "serve.log"));
    auto run = rehearse(night, daemon.port(), "withdrawal=0.02", "5", night.dir / "report.json");
    INFO(run.out);
    INFO(run.err);
    REQUIRE(run.status.code == 0);
    CHECK(run.out.find("unexpected answers: none") != std::string::npos);
    auto report = read_report(night.dir / "report.json");
    REQUIRE(kinds_injected(report) == std::set<std::string>{"withdrawal"});
    CHECK(report.at("final_state").at("equal").as_bool());

    // In the daemon's own events: one declaration_withdrawn per fault, each
    // pointing at the wrong result's revision of the fault's ward, and the
    // ward then holding the next revision with the night's own figures.
    const auto events = json::parse(get(daemon.port(), "/v1/events?since=0&limit=10000").body).at("events").as_array();
    std::map<std::string, std::int64_t> withdrawn;  // ward -> revision withdrawn
    for (const auto& e : events)
        if (e.at("type").as_string() == "declaration_withdrawn")
            withdrawn[std::string(e.at("data").at("ward").as_string())] =
                e.at("data").at("withdraws").at("revision").to_number<std::int64_t>();
    const auto& faults = report.at("faults").as_array();
    REQUIRE(withdrawn.size() == faults.size());
    for (const auto& f : faults) {
        const std::string key(f.at("ward").as_string());  // council/ward
        const std::string council = key.substr(0, key.find('/')), ward = key.substr(key.find('/') + 1);
        INFO(key);
        REQUIRE(withdrawn.count(ward) == 1);
        const auto state = json::parse(get(daemon.port(), "/v1/councils/" + council).body);
        for (const auto& w : state.at("wards").as_array()) {
            if (w.at("id").as_string() != ward) continue;
            CHECK(w.at("withdrawn_revision").to_number<std::int64_t>() == withdrawn[ward]);
            CHECK(w.at("result").at("revision").to_number<std::int64_t>() == withdrawn[ward] + 1);
        }
    }
    // The file of the intended night holds declarations only: an offline
    // replay of it gives the same scoreboard.
    CHECK(without_last_seq(get(daemon.port(), "/v1/scoreboard").body) ==
          without_last_seq(night.summary_of(night.dir / "intended.jsonl")));
}

TEST_CASE("replay --faults withdrawal without a desk token is refused before anything is sent", "[rehearsal][replay][desk]") {
    RehearsalNight night(2, 28);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, with_desk(night), night.dir / "serve.log"));
    for (const std::string spec : {"withdrawal", "all"}) {
        auto r = run_command(kBinary, {"replay", "--to", night.url(daemon.port()), "--token", "t", "--card", night.card,
                                       "--declarations", night.declarations, "--faults", spec},
                             night.dir.path());
        INFO(spec);
        CHECK(r.status.code == 2);
        CHECK(r.err.find("--faults withdrawal acts as the results desk: it needs --desk-token") != std::string::npos);
    }
    auto sb = json::parse(get(daemon.port(), "/v1/scoreboard").body).as_object();
    CHECK(sb.at("wards_declared").to_number<std::int64_t>() == 0);
}

TEST_CASE("replay --faults without corrections leaves exactly the night's own offline scoreboard", "[rehearsal][replay]") {
    RehearsalNight night(5, 23);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, night.serve_args(0), night.dir / "serve.log"));
    auto run = rehearse(night, daemon.port(), "duplicate=0.05,conflict=0.05,malformed=0.05,burst=0.02,pause=0.002", "3",
                        night.dir / "report.json");
    INFO(run.out);
    INFO(run.err);
    CHECK(run.status.code == 0);
    auto report = read_report(night.dir / "report.json");
    CHECK(kinds_injected(report) == std::set<std::string>{"burst", "conflict", "duplicate", "malformed", "pause"});
    CHECK(without_last_seq(get(daemon.port(), "/v1/scoreboard").body) == without_last_seq(night.offline_summary));
    CHECK(read_whole_file(night.dir / "intended.jsonl") == read_whole_file(night.declarations));
}

TEST_CASE("the same seed injects the same faults, another seed others", "[rehearsal][replay]") {
    RehearsalNight night(4, 24);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, with_desk(night), night.dir / "serve.log"));
    auto faults_of = [&](const std::string& seed, const std::string& name) {
        auto run = rehearse(night, daemon.port(), "all,pause=0", seed, night.dir / name);
        INFO(run.err);
        REQUIRE(run.status.code <= 1);
        std::vector<std::string> out;
        const auto report = read_report(night.dir / name);  // kept alive for the loop
        for (const auto& f : report.at("faults").as_array())
            out.push_back(std::string(f.at("kind").as_string()) + ": " + std::string(f.at("what").as_string()));
        return out;
    };
    const auto first = faults_of("11", "a.json");
    CHECK(!first.empty());
    CHECK(faults_of("11", "b.json") == first);
    CHECK(faults_of("12", "c.json") != first);
}

TEST_CASE("replay --check tells a daemon holding the night from one holding something else", "[rehearsal][replay]") {
    RehearsalNight night(4, 25);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, night.serve_args(0), night.dir / "serve.log"));
    auto push = run_command(kBinary, {"replay", "--to", night.url(daemon.port()), "--token", "t", "--card", night.card,
                                      "--declarations", night.declarations},
                            night.dir.path());
    REQUIRE(push.status.code == 0);
    auto check = [&] {
        return run_command(kBinary, {"replay", "--to", night.url(daemon.port()), "--check", "--card", night.card,
                                     "--declarations", night.declarations},
                           night.dir.path());
    };
    auto same = check();
    INFO(same.out);
    CHECK(same.status.code == 0);
    CHECK(same.out.find("EQUAL") != std::string::npos);

    // A correction the night does not have: one vote moved off a loser.
    const std::string first = read_whole_file(night.declarations).substr(0, read_whole_file(night.declarations).find('\n'));
    auto d = json::parse(first).as_object();
    d["revision"] = d.at("revision").to_number<std::int64_t>() + 1;
    for (auto& c : d.at("candidates").as_array()) {
        auto& o = c.as_object();
        if (!o.at("elected").as_bool() && o.contains("votes") && o.at("votes").to_number<std::int64_t>() > 0) {
            o["votes"] = o.at("votes").to_number<std::int64_t>() - 1;
            break;
        }
    }
    REQUIRE(post_declarations(daemon.port(), json::serialize(d) + "\n", "t").status == 200);
    auto other = check();
    INFO(other.out);
    CHECK(other.status.code == 1);
    CHECK(other.out.find("DIFFER") != std::string::npos);
    CHECK(other.out.find("council " + std::string(d.at("council").as_string()) + ":") != std::string::npos);
}

TEST_CASE("a bad --faults spec is refused with what, where and why, and nothing is sent", "[rehearsal][replay]") {
    RehearsalNight night(2, 26);
    DaemonProcess daemon;
    REQUIRE(daemon.start(kBinary, night.serve_args(0), night.dir / "serve.log"));
    auto refused = [&](const std::string& spec) {
        auto r = run_command(kBinary, {"replay", "--to", night.url(daemon.port()), "--token", "t", "--card", night.card,
                                       "--declarations", night.declarations, "--faults", spec},
                             night.dir.path());
        CHECK(r.status.code == 2);
        return r.err;
    };
    CHECK(refused("duplicate=2").find("--faults item 1 (duplicate): expected a rate from 0 to 1, got '2'") != std::string::npos);
    CHECK(refused("duplicate,http500").find("--faults item 2: expected all or one of duplicate,") != std::string::npos);
    CHECK(refused("duplicate,http500").find("got 'http500' (a fault of declared upstream-sim)") != std::string::npos);
    CHECK(refused("").find("--faults: expected all, or kind=rate") != std::string::npos);
    CHECK(refused("dup=0.1").find("got 'dup'") != std::string::npos);
    auto sb = json::parse(get(daemon.port(), "/v1/scoreboard").body).as_object();
    CHECK(sb.at("wards_declared").to_number<std::int64_t>() == 0);

    auto sim = run_command(kBinary, {"upstream-sim", "--night", night.dir / "night", "--faults", "burst"}, night.dir.path());
    CHECK(sim.status.code == 2);
    CHECK(sim.err.find("got 'burst' (a fault of declared replay --to)") != std::string::npos);
}
