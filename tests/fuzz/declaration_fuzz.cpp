// libFuzzer target: bytes -> DeclarationParser -> Tally::assess -> apply.
// Whatever comes in, the parser and validator must answer with a value (a
// declaration or an Error), never crash, leak or trip a sanitizer; accepted
// input must apply cleanly and keep the tally's invariants.
//
// The card is the small test card, or the one named by DECLARED_FUZZ_CARD
// (CI points it at the imported 2022 night, whose declarations seed the corpus).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "model/card_json.hpp"
#include "model/declaration_json.hpp"
#include "model/tally.hpp"
#include "tests/support/small_card.hpp"

namespace {

declared::Card* g_card = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string text(declared::testing::kSmallCard);
    if (const char* path = std::getenv("DECLARED_FUZZ_CARD")) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    auto card = declared::parse_card(text);
    if (!card.ok()) {
        std::fprintf(stderr, "fuzz card: %s\n", card.error.message().c_str());
        std::abort();
    }
    g_card = new declared::Card(std::move(*card.value));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static declared::DeclarationParser parser;  // reused, as in the ingest loop
    static declared::Tally* tally = [] {
        auto* t = new declared::Tally(*g_card);
        t->start();
        return t;
    }();
    auto parsed = parser.parse(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!parsed.ok()) {
        if (parsed.error.code.empty() || parsed.error.expected.empty()) std::abort();
        return 0;
    }
    declared::Declaration d = *parsed.value;
    // A round trip through the writer must parse back to the same value.
    auto again = parser.parse(declared::declaration_to_json(d));
    if (!again.ok() || !(*again.value == d)) std::abort();

    const auto before = tally->last_seq();
    declared::Assessment a = tally->assess(d);
    if (!a.accepted()) {
        if (tally->last_seq() != before) std::abort();  // a refusal changes nothing
        return 0;
    }
    auto events = tally->apply(d, "2022-05-06T00:00:00Z");
    std::uint64_t seq = before;
    for (const auto& e : events)
        if (e.seq != ++seq || !e.json || e.json->empty()) std::abort();  // consecutive, serialized
    // The same declaration again is a duplicate.
    declared::Declaration same = *parsed.value;
    if (tally->assess(same).verdict != declared::Verdict::duplicate) std::abort();
    return 0;
}
