#pragma once
// What rehearsal tests share: the generated night (small enough for a loaded
// 2-core machine) and reading the reports.
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "tests/support/daemon_process.hpp"
#include "tests/support/generated_night.hpp"
#include "tests/support/http_client.hpp"

namespace declared::testing {

inline const std::string kBinary = DECLARED_BINARY;

using RehearsalNight = GeneratedNight;

inline boost::json::object read_report(const std::string& path) {
    boost::system::error_code ec;
    auto v = boost::json::parse(read_whole_file(path), ec);
    REQUIRE(!ec);
    REQUIRE(v.is_object());
    return v.as_object();
}

inline std::set<std::string> kinds_injected(const boost::json::object& report) {
    std::set<std::string> out;
    for (const auto& kv : report.at("injected").as_object())
        if (kv.value().to_number<std::int64_t>() > 0) out.insert(std::string(kv.key()));
    return out;
}

}  // namespace declared::testing
