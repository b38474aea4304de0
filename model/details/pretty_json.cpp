#include "model/details/pretty_json.hpp"

#include <boost/json.hpp>

namespace declared::details {

namespace {

// Short arrays of scalars stay on one line: "last_won": ["LAB", "CON"].
bool flat(const boost::json::array& a) {
    for (const auto& v : a)
        if (v.is_object() || v.is_array()) return false;
    return a.size() <= 8;
}

void write(std::string& out, const boost::json::value& v, int depth) {
    auto indent = [&](int d) { out.append(static_cast<std::size_t>(d) * 2, ' '); };
    if (v.is_object()) {
        const auto& o = v.get_object();
        if (o.empty()) return out.append("{}"), void();
        out += "{\n";
        bool first = true;
        for (const auto& kv : o) {
            if (!first) out += ",\n";
            first = false;
            indent(depth + 1);
            out += boost::json::serialize(boost::json::string_view(kv.key()));
            out += ": ";
            write(out, kv.value(), depth + 1);
        }
        out += '\n';
        indent(depth);
        out += '}';
    } else if (v.is_array()) {
        const auto& a = v.get_array();
        if (flat(a)) return out.append(boost::json::serialize(a)), void();
        out += "[\n";
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (i) out += ",\n";
            indent(depth + 1);
            write(out, a[i], depth + 1);
        }
        out += '\n';
        indent(depth);
        out += ']';
    } else {
        out += boost::json::serialize(v);
    }
}

}  // namespace

std::string pretty_json(const boost::json::value& v) {
    std::string out;
    write(out, v, 0);
    out += '\n';
    return out;
}

}  // namespace declared::details
