// The event streams of two whole nights, pinned by digest: the real 2022 night
// (imported from ../shared/data) and the generated night of the default seed,
// each through the card and declaration codecs and the tally, as `declared
// replay --events` gives them. A refactoring must leave both byte-identical;
// a change meant to alter events updates the digest here and says why in its
// commit.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "daemon/tools/generate/generator.hpp"
#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"
#include "tests/import/night_2022.hpp"

using namespace declared;

namespace {

class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
    ~Sha256() { EVP_MD_CTX_free(ctx_); }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void add(std::string_view s) { EVP_DigestUpdate(ctx_, s.data(), s.size()); }
    std::string hex() {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        EVP_DigestFinal_ex(ctx_, d, &len);
        std::string out;
        char b[3];
        for (unsigned i = 0; i < len; ++i) std::snprintf(b, sizeof b, "%02x", d[i]), out += b;
        return out;
    }

private:
    EVP_MD_CTX* ctx_;
};

struct Stream {
    std::string digest;   // SHA-256 of the events as JSON lines
    std::uint64_t events = 0;
};

// The night as the daemon would load it: the card and each declaration through
// their codecs, applied in file order with declared_at as received_at.
Stream replay(const Card& source, const std::vector<Declaration>& declarations) {
    auto loaded = parse_card(card_to_json(source));
    REQUIRE(loaded.ok());
    Card card = std::move(*loaded.value);
    card.index();
    Tally tally(card);
    Sha256 sha;
    Stream s;
    auto add = [&](const std::vector<Event>& events) {
        for (const auto& e : events) {
            sha.add(*e.json);
            sha.add("\n");
            ++s.events;
        }
    };
    add(tally.start());
    DeclarationParser parser;
    for (const auto& d : declarations) {
        auto parsed = parser.parse(declaration_to_json(d));
        REQUIRE(parsed.ok());
        Declaration decl = std::move(*parsed.value);
        if (tally.assess(decl).accepted()) add(tally.apply(decl, decl.declared_at));
    }
    s.digest = sha.hex();
    return s;
}

}  // namespace

TEST_CASE("digest: the generated night's event stream is byte-identical to the pinned one", "[digest]") {
    const auto night = generate::generate_night(generate::Options{});
    const Stream s = replay(night.card, night.declarations);
    INFO("events: " << s.events << ", digest " << s.digest);
    CHECK(s.events == 16275);
    CHECK(s.digest == "c08bf80ec2f339e79dd9bdf1decf962da2f3a3c41e410fded283a7b617388430");
}

TEST_CASE("digest: the 2022 night's event stream is byte-identical to the pinned one", "[digest][real]") {
    if (!test::have_2022_data()) {
        std::cout << "SKIPPED: " << DECLARED_SHARED_DATA << " not present\n";
        return;
    }
    const auto r = import::run_import(test::options_2022());
    const Stream s = replay(r.card, r.declarations);
    INFO("events: " << s.events << ", digest " << s.digest);
    CHECK(s.events == 8685);
    CHECK(s.digest == "8bcabb0ca827572f58ae4401ccac3efada3eaba24887d8719a7f50002202dee0");
}
