// `declared demo` shows the desk at work: it prints the desk view's address
// (with the desk token), and the desk it set up holds the policy approve on
// three councils and one desk call.
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "tests/desk/desk_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/wait_for.hpp"

using namespace declared::testing;
using namespace std::chrono_literals;

namespace {

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("demo: the night plays with a desk: approve on three councils, one desk call, and the desk view's address",
          "[desk][demo]") {
    TempDir dir;
    auto gen = run_command(kDeclaredBinary, {"generate", "--seed", "5", "--councils", "8", "--test", "--out", dir / "night"},
                           dir.path());
    REQUIRE(gen.status.code == 0);
    const int port = free_port();
    ChildProcess demo(kDeclaredBinary, {"demo", "--listen", "127.0.0.1:" + std::to_string(port), "--night", dir / "night"},
                      dir / "out", dir / "err");
    std::string token;
    const std::string marker = "/desk?token=";
    REQUIRE(wait_for([&] {
        const std::string out = read_whole_file(dir / "out");
        const auto at = out.find(marker);
        if (at == std::string::npos) return false;
        token = out.substr(at + marker.size(), out.find('\n', at) - at - marker.size());
        return true;
    }, 120s));
    INFO(read_whole_file(dir / "err"));
    CHECK(token.size() == 32);
    CHECK(request(port, "GET", "/desk?token=" + token).status == 200);
    auto desk = parse_json(request(port, "GET", "/v1/desk", {{"Authorization", "Bearer " + token}}).body);
    int approve = 0, desk_calls = 0;
    for (const auto& c : desk.at("councils").as_array()) {
        if (c.at("own_policy").as_bool() && c.at("policy").as_string() == "approve") ++approve;
        if (!c.at("desk_call").is_null()) ++desk_calls;
    }
    CHECK(approve == 3);
    CHECK(desk_calls == 1);
    CHECK(demo.stop(SIGINT).code == 0);
}
