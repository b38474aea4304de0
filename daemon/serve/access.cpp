#include "daemon/serve/access.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace declared {

Access::Access(const AccessOptions& options) {
    for (const auto& [token, source] : options.ingest_tokens) ingest_.push_back({digest(token), source});
    for (const auto& token : options.read_tokens) read_.push_back({digest(token), "read"});
    if (!options.metrics_token.empty()) metrics_.push_back({digest(options.metrics_token), "metrics"});
    for (const auto& [token, name] : options.desk_tokens) desk_.push_back({digest(token), name});
}

Access::Digest Access::digest(std::string_view token) {
    Digest d{};
    unsigned int len = 0;
    EVP_Digest(token.data(), token.size(), d.data(), &len, EVP_sha256(), nullptr);
    return d;
}

const std::vector<Access::Entry>& Access::entries(Role role) const {
    if (role == Role::metrics && !metrics_.empty()) return metrics_;
    if (role == Role::ingest) return ingest_;
    if (role == Role::desk) return desk_;
    return read_;  // reads, and /metrics without a token of its own
}

bool Access::open(Role role) const {
    return role != Role::ingest && role != Role::desk && entries(role).empty();
}

std::optional<std::string> Access::match(Role role, std::string_view presented) const {
    const Digest d = digest(presented);
    const Entry* found = find(entries(role), d);
    // A desk token reads too: every list is searched whatever the first found.
    const Entry* desk = role == Role::read ? find(desk_, d) : nullptr;
    if (!found && desk) return std::string("read");
    if (!found) return std::nullopt;
    return found->name;
}

const Access::Entry* Access::find(const std::vector<Entry>& entries, const Digest& d) {
    const Entry* found = nullptr;
    for (const auto& e : entries)  // every entry, found or not: no early exit
        if (CRYPTO_memcmp(e.digest.data(), d.data(), d.size()) == 0) found = &e;
    return found;
}

}  // namespace declared
