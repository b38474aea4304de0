#pragma once
// Dates as day numbers (days since 1970-01-01) and back, for the tools that
// synthesise or read declaration times. std::chrono's calendar does the
// arithmetic (proleptic Gregorian, exact).
#include <chrono>

namespace declared {

inline long days_from_civil(long y, unsigned m, unsigned d) {
    using namespace std::chrono;
    return sys_days{year{static_cast<int>(y)} / month{m} / day{d}}.time_since_epoch().count();
}

inline void civil_from_days(long z, long& y, unsigned& m, unsigned& d) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{z}}};
    y = static_cast<int>(ymd.year());
    m = static_cast<unsigned>(ymd.month());
    d = static_cast<unsigned>(ymd.day());
}

}  // namespace declared
