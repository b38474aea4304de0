#include "daemon/serve/web_config.hpp"

#include <boost/program_options.hpp>

#include "net/cors.hpp"

namespace declared {

namespace po = boost::program_options;

namespace {

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::string item;
    for (char c : s + ",") {
        if (c == ',' || c == ' ' || c == '\t') {
            if (!item.empty()) out.push_back(std::move(item));
            item.clear();
        } else {
            item += c;
        }
    }
    return out;
}

}  // namespace

void add_web_options(po::options_description& options, WebOptionValues& values) {
    options.add_options()
        ("web.allow_origins", po::value(&values.allow_origins)->composing(),
         "origins (scheme://host[:port], comma separated or repeated; * for any) whose pages may call the API, "
         "follow /v1/events/stream and open /v1/feed; when set, the feed refuses other origins; empty: none")
        ("web.frame_ancestors", po::value(&values.frame_ancestors),
         "pages that may embed the live page in a frame (CSP frame-ancestors, e.g. \"'self' https://news.example\"); "
         "default 'none'");
}

std::optional<Error> check_frame_ancestors(const std::string& value) {
    auto bad = [&](std::string why) {
        return Error{"bad_option", "--web.frame_ancestors",
                     "a CSP frame-ancestors source list: 'none', or 'self' and sources such as https://news.example",
                     "\"" + value.substr(0, 120) + "\": " + why};
    };
    std::vector<std::string> sources;
    std::string item;
    for (char c : value + " ") {
        if (c == ' ') {
            if (!item.empty()) sources.push_back(std::move(item));
            item.clear();
            continue;
        }
        if (c == ';' || c == ',') return bad(std::string("'") + c + "' is not allowed (sources are separated by spaces)");
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
            return bad("only printable ASCII and spaces are allowed");
        item += c;
    }
    if (sources.empty()) return bad("it is empty; say 'none' for no embedding");
    for (const auto& s : sources) {
        if (s == "'none'") {
            if (sources.size() > 1) return bad("'none' cannot be combined with other sources");
            continue;
        }
        if (s == "'self'") continue;
        if (s.find('\'') != std::string::npos)
            return bad(s + " is not a source: of the quoted keywords only 'self' and 'none' apply");
        if (s == "none" || s == "self") return bad(s + " needs its quotes: '" + s + "'");
    }
    return std::nullopt;
}

std::optional<Error> apply_web_options(const WebOptionValues& values, WebConfig& out) {
    WebConfig c;
    for (const auto& v : values.allow_origins)
        for (auto& origin : split_list(v)) {
            if (auto e = net::CorsPolicy::check(origin)) return e;
            c.allow_origins.push_back(std::move(origin));
        }
    if (auto e = check_frame_ancestors(values.frame_ancestors)) return e;
    c.frame_ancestors = values.frame_ancestors;
    out = std::move(c);
    return std::nullopt;
}

}  // namespace declared
