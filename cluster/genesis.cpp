#include "cluster/genesis.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

#include <boost/json.hpp>

namespace declared::cluster {
namespace json = boost::json;

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[bytes[i] >> 4]);
        out.push_back(kDigits[bytes[i] & 0xF]);
    }
    return out;
}

bool is_hex(std::string_view s, std::size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string abbreviate(std::string_view s) {
    return s.size() <= 40 ? std::string(s) : std::string(s.substr(0, 40)) + "...";
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    return hex(md, len);
}

std::string random_id() {
    unsigned char bytes[16];
    // Only fails without an entropy source, where nothing else would work either.
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    return hex(bytes, sizeof bytes);
}

Genesis make_genesis(std::string_view card, bool desk, std::size_t max_record, std::string created_at) {
    Genesis g;
    g.desk = desk;
    g.epoch = random_id();
    g.card_sha256 = sha256_hex(card);
    g.card_bytes = card.size();
    g.created_at = std::move(created_at);
    g.card = std::string(card);
    if (encode_genesis(g).size() > max_record) g.card.clear();
    return g;
}

std::string encode_genesis(const Genesis& g) {
    json::object o;
    o["genesis"] = g.version;
    o["epoch"] = g.epoch;
    o["card_sha256"] = g.card_sha256;
    o["card_bytes"] = g.card_bytes;
    o["created_at"] = g.created_at;
    if (g.desk) o["desk"] = *g.desk;
    if (!g.card.empty()) o["card"] = g.card;
    return json::serialize(o);
}

Result<Genesis> decode_genesis(std::string_view record, const std::string& where) {
    using R = Result<Genesis>;
    auto bad = [&](std::string expected, std::string got) {
        return R::of_error(Error{"cluster_bad_genesis", where, std::move(expected), std::move(got)});
    };
    boost::system::error_code ec;
    json::value v = json::parse(record, ec);
    if (ec || !v.is_object()) return bad("a genesis record (a JSON object)", abbreviate(record));
    const auto& o = v.as_object();
    const auto* version = o.if_contains("genesis");
    if (!version || !version->is_int64()) return bad("a genesis record with \"genesis\":1", abbreviate(record));
    if (version->as_int64() != 1)
        return bad("genesis version 1",
                   "version " + std::to_string(version->as_int64()) + " (written by a newer release of declared)");
    Genesis g;
    auto text = [&](const char* key, std::string& out) {
        const auto* f = o.if_contains(key);
        if (!f || !f->is_string()) return false;
        out = std::string(f->as_string());
        return true;
    };
    if (!text("epoch", g.epoch) || !is_hex(g.epoch, 32))
        return bad("an epoch of 32 hex digits", abbreviate(record));
    if (!text("card_sha256", g.card_sha256) || !is_hex(g.card_sha256, 64))
        return bad("card_sha256 of 64 hex digits", abbreviate(record));
    const auto* bytes = o.if_contains("card_bytes");
    if (!bytes || !bytes->is_number()) return bad("card_bytes, a number", abbreviate(record));
    g.card_bytes = bytes->to_number<std::uint64_t>();
    text("created_at", g.created_at);
    if (o.contains("card") && !text("card", g.card)) return bad("card as a string", abbreviate(record));
    if (const auto* desk = o.if_contains("desk")) {
        if (!desk->is_bool()) return bad("desk as true or false", abbreviate(record));
        g.desk = desk->as_bool();
    }
    return R{std::move(g), {}};
}

Error check_genesis(const Genesis& stored, std::string_view card, bool desk, const std::string& where) {
    if (!stored.card.empty() && sha256_hex(stored.card) != stored.card_sha256)
        return Error{"cluster_bad_genesis", where, "an embedded card matching the genesis' card_sha256",
                     "a card whose SHA-256 is " + sha256_hex(stored.card) + " (the genesis record is damaged)"};
    const std::string mine = sha256_hex(card);
    if (mine != stored.card_sha256)
        return Error{"cluster_wrong_card", where,
                     "the stream of this node's card (SHA-256 " + mine + ", " + std::to_string(card.size()) +
                         " bytes)",
                     "a stream started " + (stored.created_at.empty() ? std::string("earlier") : "at " + stored.created_at) +
                         " for another card (SHA-256 " + stored.card_sha256 + ", " +
                         std::to_string(stored.card_bytes) + " bytes; epoch " + stored.epoch +
                         "): check --card and --cluster.stream"};
    auto setting = [](bool d) { return std::string(d ? "with a results desk (--desk-token)" : "without a results desk (no --desk-token)"); };
    if (stored.desk && *stored.desk != desk)
        return Error{"cluster_wrong_desk", where, "the stream of nodes " + setting(desk),
                     "a stream started for nodes " + setting(*stored.desk) +
                         ": every node of a stream numbers its events the same way only with the same desk setting"};
    return {};
}

}  // namespace declared::cluster
