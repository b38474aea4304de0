#pragma once
// Internal: indented JSON for files people read (cards, reports). Strings and
// numbers are written by Boost.JSON; this only adds line breaks and indentation.
#include <string>

#include <boost/json/fwd.hpp>

namespace declared::details {

std::string pretty_json(const boost::json::value& v);

}  // namespace declared::details
