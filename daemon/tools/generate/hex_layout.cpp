#include "daemon/tools/generate/hex_layout.hpp"

#include <deque>
#include <map>
#include <set>
#include <string_view>
#include <utility>

namespace declared::generate {

namespace {

using Cell = std::pair<int, int>;  // q, r

// Roughly where each region is on the real layouts of English authorities.
Cell anchor(std::string_view region) {
    static const std::map<std::string_view, Cell> kAnchors{
        {"North East", {9, 19}},      {"North West", {4, 15}},      {"Yorkshire and The Humber", {9, 15}},
        {"East Midlands", {8, 11}},   {"West Midlands", {4, 10}},   {"East of England", {13, 9}},
        {"London", {10, 5}},          {"South East", {9, 2}},       {"South West", {2, 3}},
    };
    auto it = kAnchors.find(region);
    return it == kAnchors.end() ? Cell{0, 22} : it->second;
}

// The six neighbours of a cell in an odd-r layout (odd rows shifted right).
std::vector<Cell> neighbours(Cell c) {
    const auto [q, r] = c;
    const int shift = (r & 1) ? 0 : -1;
    return {{q + 1, r}, {q - 1, r}, {q + shift, r + 1}, {q + shift + 1, r + 1}, {q + shift, r - 1}, {q + shift + 1, r - 1}};
}

}  // namespace

void lay_out_hexes(std::vector<Council>& councils) {
    std::set<Cell> taken;
    for (auto& c : councils) {
        // Breadth first from the region's anchor: the nearest free cell.
        std::deque<Cell> queue{anchor(c.region)};
        std::set<Cell> seen{queue.front()};
        while (taken.count(queue.front())) {
            const Cell at = queue.front();
            queue.pop_front();
            for (const auto& n : neighbours(at))
                if (seen.insert(n).second) queue.push_back(n);
        }
        taken.insert(queue.front());
        c.hex = HexPosition{queue.front().first, queue.front().second};
    }
}

}  // namespace declared::generate
