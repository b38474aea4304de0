#include "model/error.hpp"

namespace declared {

std::string Error::message() const {
    std::string out = path.empty() ? std::string("declaration") : path;
    out += ": expected ";
    out += expected;
    out += ", got ";
    out += got;
    return out;
}

}  // namespace declared
