#pragma once
// The one error rhythm of async code: report what failed, unless it is the
// expected end of a connection or an operation we cancelled ourselves.
#include <boost/beast/core/error.hpp>

namespace declared::net {

void fail(boost::beast::error_code ec, const char* what);

}  // namespace declared::net
