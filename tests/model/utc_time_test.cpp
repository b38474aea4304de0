// The one UTC time formatter, and the reader declarations go through.
#include <catch2/catch.hpp>

#include "model/utc_time.hpp"

using declared::format_utc;
using declared::is_utc_time;

TEST_CASE("format_utc writes ISO 8601 UTC, with milliseconds when asked", "[time]") {
    CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(format_utc(1651800600250) == "2022-05-06T01:30:00Z");
    CHECK(format_utc(1651800600250, true) == "2022-05-06T01:30:00.250Z");
    CHECK(format_utc(1709251199999, true) == "2024-02-29T23:59:59.999Z");  // a leap day's last millisecond
    CHECK(format_utc(1709251200000) == "2024-03-01T00:00:00Z");
    CHECK(format_utc(5, true) == "1970-01-01T00:00:00.005Z");
}

TEST_CASE("what format_utc writes, the declaration reader takes", "[time]") {
    for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1651800600250}, std::int64_t{1709251199999}}) {
        CHECK(is_utc_time(format_utc(ms)));
        CHECK(is_utc_time(format_utc(ms, true)));
    }
    CHECK_FALSE(is_utc_time("2022-05-06T01:30:00"));        // no zone: a guess
    CHECK_FALSE(is_utc_time("2022-05-06T01:30:00+01:00"));  // another zone
    CHECK(is_utc_time("2022-05-06T01:30:00+00:00"));
}
