#include "daemon/tools/import/times.hpp"
#include "daemon/tools/civil_date.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "daemon/tools/import/text.hpp"
#include "model/utc_time.hpp"

namespace declared::import {

namespace {

// splitmix64: tiny, portable, the same on every platform (std:: distributions are not).
struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0,1)
    double between(double a, double b) { return a + (b - a) * uniform(); }
    double triangle(double a, double b) { return a + (b - a) * (uniform() + uniform()) / 2; }
};

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}



unsigned weekday(long days) { return static_cast<unsigned>((days + 4) % 7); }  // 0 = Sunday

long last_sunday(long y, unsigned m) {
    long d = days_from_civil(y, m + 1, 1) - 1;  // m is March or October: m+1 is valid
    while (weekday(d) != 0) --d;
    return d;
}

// UK local time offset from UTC in hours on the given day (BST from the last
// Sunday of March to the last Sunday of October).
int uk_offset(long days) {
    long y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    return days >= last_sunday(y, 3) && days < last_sunday(y, 10) ? 1 : 0;
}

bool parse_date(const std::string& s, long& y, unsigned& m, unsigned& d) {
    int yy, mm, dd;
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d", &yy, &mm, &dd) != 3) return false;
    y = yy;
    m = static_cast<unsigned>(mm);
    d = static_cast<unsigned>(dd);
    return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

std::string iso_utc(long poll_day, int offset, long local_seconds_after_midnight) {
    return format_utc((poll_day * 86400L + local_seconds_after_midnight - offset * 3600L) * 1000);
}

// Councils that traditionally race to declare first (Sunderland above all).
bool early_counter(const std::string& name) {
    static const char* const kEarly[] = {"sunderland", "halton", "broxbourne", "basildon", "newcastleupontyne",
                                         "southtyneside", "swindon", "nuneatonandbedworth", "tamworth", "wigan"};
    const std::string k = match_key(name);
    return std::any_of(std::begin(kEarly), std::end(kEarly), [&](const char* e) { return k == e; });
}

// Probability that a council of this LEH type counts on Friday daytime.
double daytime_share(const std::string& type) {
    if (type == "CC" || type == "UAA" || type == "SDA") return 0.85;  // counties, new unitaries, all-out districts
    if (type == "SDT" || type == "SDH") return 0.4;
    if (type == "LB") return 0.35;
    if (type == "UAT" || type == "UAH") return 0.2;
    if (type == "MB" || type == "MBA") return 0.1;
    return 0.5;
}

}  // namespace

std::string first_thursday_of_may(int year) {
    long d = days_from_civil(year, 5, 1);
    while (weekday(d) != 4) ++d;
    long y;
    unsigned m, dd;
    civil_from_days(d, y, m, dd);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04ld-%02u-%02u", y, m, dd);
    return buf;
}

std::vector<CouncilTimes> synthesise_times(const std::vector<CountPlan>& councils, const std::string& date, std::uint64_t seed) {
    long y;
    unsigned m, d;
    if (!parse_date(date, y, m, d)) throw std::invalid_argument("bad date '" + date + "' (expected YYYY-MM-DD)");
    const long poll_day = days_from_civil(y, m, d);
    const int offset = uk_offset(poll_day + 1);  // the count runs into the next day
    std::vector<CouncilTimes> out;
    out.reserve(councils.size());
    for (const auto& c : councils) {
        Rng rng{seed ^ fnv1a(c.id)};
        CouncilTimes ct;
        // Minutes after 22:00 on polling day (local time).
        double start, span;
        const double per_ward = rng.between(2.0, 5.0);
        if (early_counter(c.name)) {
            start = match_key(c.name) == "sunderland" ? rng.between(85, 95) : rng.between(100, 150);  // 23:25-00:30
            span = std::min(45.0 + c.wards * 1.5, 100.0);
        } else if (rng.uniform() < daytime_share(c.type)) {
            ct.daytime = true;
            start = 12 * 60 + rng.triangle(0, 6 * 60);  // Friday 10:00-16:00, most around 13:00
            span = std::clamp(c.wards * per_ward, 20.0, std::max(20.0, 20 * 60 - start));  // done by 18:00
        } else {
            start = rng.triangle(150, 390);  // 00:30-04:30, most around 02:30
            span = std::min(c.wards * per_ward, 150.0);
        }
        std::vector<long> secs;
        for (int w = 0; w < c.wards; ++w) {
            // ward k of n lands in its slice of the span, jittered within it
            const double slice = c.wards > 0 ? span / c.wards : 0;
            const double at = start + slice * w + rng.between(0, slice);
            secs.push_back(22 * 3600L + static_cast<long>(at * 60));
        }
        std::sort(secs.begin(), secs.end());
        for (long s : secs) ct.times.push_back(iso_utc(poll_day, offset, s));
        out.push_back(std::move(ct));
    }
    return out;
}

}  // namespace declared::import
