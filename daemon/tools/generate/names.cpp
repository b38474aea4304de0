#include "daemon/tools/generate/names.hpp"

#include <array>
#include <cctype>

namespace declared::generate {

namespace {

constexpr std::array<std::string_view, 72> kStems = {
    "Ash", "Bal", "Bark", "Bel", "Black", "Bram", "Brad", "Brent", "Brom", "Bur", "Cal", "Cas",
    "Chad", "Cher", "Clay", "Cod", "Cran", "Dal", "Dun", "Eas", "Elm", "Fal", "Fen", "Gar",
    "Glen", "Gran", "Ham", "Har", "Hal", "Heath", "Hol", "Hun", "Kel", "Ken", "King", "Kirk",
    "Lang", "Lich", "Lin", "Mal", "Mar", "Mel", "Mill", "Nor", "Oak", "Ock", "Pen", "Pick",
    "Red", "Rid", "Roth", "Sal", "Scar", "Shel", "Staf", "Stan", "Stoke", "Sud", "Tad", "Thorn",
    "Tun", "Wal", "Wen", "Wex", "Whit", "Wick", "Wil", "Win", "Wol", "Wood", "Yar", "Yew"};
constexpr std::array<std::string_view, 40> kEndings = {
    "bury", "borough", "bridge", "brook", "by", "caster", "chester", "combe", "cott", "dale",
    "den", "don", "field", "ford", "gate", "ham", "hampton", "head", "hill", "hurst",
    "ington", "leigh", "ley", "low", "mere", "minster", "moor", "mouth", "ney", "over",
    "port", "sey", "stead", "stone", "thorpe", "ton", "wich", "wick", "worth", "wood"};
constexpr std::array<std::string_view, 8> kCompass = {"North", "South", "East", "West",
                                                      "Mid", "Upper", "Central", "Greater"};
constexpr std::array<std::string_view, 6> kDistrictTails = {"Vale", "Valley", "Forest", "Heath", "Dales", "Marsh"};

constexpr std::array<std::string_view, 96> kWardRoots = {
    "Abbey", "Alder", "Ashfield", "Bankside", "Beacon", "Beech", "Bishop's", "Bridge", "Brookside",
    "Burnside", "Canal", "Castle", "Cathedral", "Chapel", "Church", "Claremont", "Clifton", "Common",
    "Coombe", "Cross", "Crown", "Dene", "Eastgate", "Elmwood", "Fairfield", "Farnley", "Fernhill",
    "Forest", "Foxhill", "Gatehouse", "Glebe", "Grange", "Greenway", "Hall", "Harbour", "Hawthorn",
    "Heathfield", "Highfield", "Hillside", "Holly", "Kingsway", "Lakeside", "Larkhill", "Linden",
    "Longford", "Manor", "Market", "Meadow", "Mill", "Minster", "Moorside", "Newtown", "Northgate",
    "Oakfield", "Old Town", "Orchard", "Park", "Parkside", "Priory", "Queen's", "Quarry", "Railway",
    "Redhill", "Riverside", "Rose Hill", "St Andrew's", "St George's", "St John's", "St Mary's",
    "St Peter's", "Sandhill", "Saxon", "Seaview", "Southgate", "Spring", "Stanley", "Station",
    "Sutton", "Tower", "Town", "Trinity", "Upton", "Valley", "Victoria", "Village", "Walton",
    "Warren", "Waterside", "Wellington", "Westgate", "Weston", "Whitehall", "Willow", "Windmill",
    "Woodlands", "Wyke"};
constexpr std::array<std::string_view, 6> kWardTails = {"Park", "Green", "Hill", "Vale", "Heath", "Rural"};

constexpr std::array<std::string_view, 120> kSurnames = {
    "Adams", "Ahmed", "Akhtar", "Allen", "Anderson", "Armstrong", "Atkinson", "Bailey", "Baker", "Banks",
    "Barker", "Barnes", "Begum", "Bell", "Bennett", "Bibi", "Bird", "Booth", "Bradley", "Brooks",
    "Brown", "Burton", "Butler", "Campbell", "Carter", "Chapman", "Clark", "Clarke", "Cole", "Collins",
    "Cook", "Cooper", "Cox", "Davies", "Dawson", "Dixon", "Edwards", "Ellis", "Evans", "Fisher",
    "Fletcher", "Foster", "Fox", "Gibson", "Graham", "Grant", "Gray", "Green", "Griffiths", "Hall",
    "Harris", "Harrison", "Hart", "Hill", "Holmes", "Hughes", "Hunt", "Hussain", "Jackson", "James",
    "Jenkins", "Johnson", "Jones", "Kaur", "Kelly", "Khan", "King", "Knight", "Lane", "Lawson",
    "Lee", "Lewis", "Lloyd", "Mahmood", "Marshall", "Martin", "Mason", "Matthews", "Mills", "Mitchell",
    "Moore", "Morgan", "Morris", "Murphy", "Murray", "Nicholson", "Owen", "Palmer", "Parker", "Patel",
    "Pearce", "Phillips", "Powell", "Price", "Rahman", "Reid", "Richards", "Roberts", "Robinson", "Rogers",
    "Russell", "Scott", "Shaw", "Simpson", "Singh", "Smith", "Stevens", "Taylor", "Thomas", "Thompson",
    "Turner", "Walker", "Ward", "Watson", "White", "Wilkinson", "Williams", "Wilson", "Wood", "Wright"};

std::string stem_name(Rng& rng) { return std::string(rng.pick(kStems)) + std::string(rng.pick(kEndings)); }

}  // namespace

std::string council_name(Rng& rng, CouncilType type) {
    std::string base = stem_name(rng);
    switch (type) {
        case CouncilType::county: return std::string(rng.pick(kStems)) + "shire";
        case CouncilType::district:
            if (rng.chance(1, 6)) return std::string(rng.pick(kCompass)) + " " + base;
            if (rng.chance(1, 8)) return base + " " + std::string(rng.pick(kDistrictTails));
            if (rng.chance(1, 12)) return base + " and " + stem_name(rng);
            return base;
        case CouncilType::unitary:
            if (rng.chance(1, 10)) return std::string(rng.pick(kCompass)) + " " + base;
            return base;
        case CouncilType::london:
        case CouncilType::metropolitan: return base;
    }
    return base;
}

std::string council_name_pair(Rng& rng) { return stem_name(rng) + " and " + stem_name(rng); }

std::string ward_name(Rng& rng) {
    std::string root(rng.pick(kWardRoots));
    switch (rng.below(10)) {
        case 0:
        case 1: return std::string(rng.pick(kCompass)) + " " + root;
        case 2: return root + " and " + std::string(rng.pick(kWardRoots));
        case 3: return root + " " + std::string(rng.pick(kWardTails));
        case 4: return stem_name(rng);
        case 5: return stem_name(rng) + " " + std::string(rng.pick(kWardTails));
        default: return root;
    }
}

std::string person_name(Rng& rng) {
    std::string n(rng.pick(kSurnames));
    n += ' ';
    n += static_cast<char>('A' + rng.below(26));
    n += '.';
    return n;
}

std::string slugify(std::string_view s) {
    std::string out;
    bool dash = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\'') continue;
        if (c == '&') {
            if (!out.empty()) out += '-';
            out += "and";
            dash = true;
            continue;
        }
        if (std::isalnum(c)) {
            if (dash && !out.empty() && out.back() != '-') out += '-';
            dash = false;
            out += static_cast<char>(std::tolower(c));
        } else {
            dash = true;
        }
    }
    return out;
}

}  // namespace declared::generate
