#pragma once
// A batch's outcome as JSON: the body of a POST answer, and the error file a
// rejected drop-directory file gets beside it. One shape for both.
#include <boost/json/object.hpp>

#include "ingest/ingest.hpp"

namespace declared {

boost::json::object batch_report(const BatchResult& r);
boost::json::object error_json(const Error& e);
std::string_view status_word(Verdict v);

}  // namespace declared
