#include "model/utc_time.hpp"

#include <chrono>
#include <cstdio>

namespace declared {

namespace {

// Reads n digits at s[at...] as a number; -1 when any is not a digit.
int digits(std::string_view s, std::size_t at, std::size_t n) {
    if (at + n > s.size()) return -1;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int days_in_month(int year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

bool is_utc_time(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SS
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
    const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
    const int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
    std::size_t i = 19;
    if (s[i] == '.') {
        const std::size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start) return false;
    }
    const std::string_view zone = s.substr(i);
    return zone == "Z" || zone == "+00:00";
}

std::string format_utc(std::int64_t unix_ms, bool with_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> t{milliseconds{unix_ms}};
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                                static_cast<int>(hms.seconds().count()));
    std::string out(buf, static_cast<std::size_t>(n));
    if (with_ms) {
        std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(hms.subseconds().count()));
        out += buf;
    }
    out += 'Z';
    return out;
}

}  // namespace declared
