#pragma once
// `web.*` options of `declared serve`: which other origins may read the API,
// the event stream and the feed (CORS), and which pages may embed the live
// page in a frame (the Content-Security-Policy frame-ancestors directive).
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "model/error.hpp"

namespace declared {

struct WebConfig {
    // Origins allowed to read cross-origin; empty: none. "*": any.
    std::vector<std::string> allow_origins;
    // Pages allowed to frame the live page; 'none' (the default): no embedding.
    std::string frame_ancestors = "'none'";
};

// The options as given, checked by apply_web_options.
struct WebOptionValues {
    std::vector<std::string> allow_origins;  // each may be a comma or space separated list
    std::string frame_ancestors = "'none'";
};

void add_web_options(boost::program_options::options_description& options, WebOptionValues& values);
// Checks every origin and the frame-ancestors source list; the error names
// the option, what it expects and what it got.
std::optional<Error> apply_web_options(const WebOptionValues& values, WebConfig& out);

// A CSP frame-ancestors source list: 'none', or 'self' and/or sources such
// as https://news.example or https://*.example.com. No ';' or ',' (they would
// end the directive), no quotes but those of 'self' and 'none'.
std::optional<Error> check_frame_ancestors(const std::string& value);

}  // namespace declared
