#include "model/declaration_json.hpp"

#include <cstdio>

#include <simdjson.h>

#include "model/details/json_reader.hpp"
#include "model/json_writer.hpp"

namespace declared {

namespace {

// Generous bounds: larger than any real ward, small enough that sums of them
// cannot overflow anywhere downstream.
constexpr std::int64_t kMaxCount = 100'000'000;
constexpr std::int64_t kMaxRevision = 1'000'000'000;
constexpr std::size_t kMaxCandidates = 100;
constexpr std::size_t kMaxBytes = 1 << 20;

void read_candidates(details::JsonReader& r, simdjson::dom::object o, std::vector<Candidate>& out) {
    if (auto cands = r.array(o, "", "candidates", true)) {
        if (cands->size() == 0) r.reject("no_candidates", "candidates", "at least one candidate", "an empty array");
        if (cands->size() > kMaxCandidates)
            r.reject("too_many", "candidates", "at most " + std::to_string(kMaxCandidates) + " candidates",
                   std::to_string(cands->size()));
        std::size_t i = 0;
        for (auto item : *cands) {
            if (r.failed()) break;
            simdjson::dom::object c;
            if (item.get_object().get(c) != simdjson::SUCCESS) {
                r.reject("wrong_type", details::index_path("candidates", i), "an object", details::describe(item));
                break;
            }
            // Candidate paths are short and fixed: build them without the heap.
            char buf[32];
            int n = std::snprintf(buf, sizeof buf, "candidates[%zu]", i++);
            std::string_view path(buf, static_cast<std::size_t>(n));
            Candidate cand;
            r.only_fields(c, path, {"name", "party", "votes", "elected"});
            r.string(c, path, "name", cand.name, true);
            r.string(c, path, "party", cand.party, true, 64);
            r.optional_integer(c, path, "votes", cand.votes, 0, kMaxCount);
            r.boolean(c, path, "elected", cand.elected, true);
            out.push_back(std::move(cand));
        }
    }
}

// Seats decided by lot: the tied candidates and who won.
void read_lots(details::JsonReader& r, simdjson::dom::object o, std::optional<Lots>& out) {
    if (auto lots = r.object(o, "", "lots", false)) {
        Lots l;
        r.only_fields(*lots, "lots", {"between", "winner", "winners"});
        if (auto between = r.array(*lots, "lots", "between", true)) {
            std::size_t i = 0;
            for (auto item : *between) {
                std::string name;
                r.string_value(item, details::Where{"lots.between", {}, i++}, name);
                l.between.push_back(std::move(name));
            }
        }
        // One seat by lot: "winner"; several: "winners". Exactly one of them.
        std::string winner;
        r.string(*lots, "lots", "winner", winner, false);
        if (auto winners = r.array(*lots, "lots", "winners", false)) {
            if (!winner.empty()) r.reject("bad_lots", "lots.winners", "\"winner\" or \"winners\", not both", "both");
            std::size_t i = 0;
            for (auto item : *winners) {
                std::string name;
                r.string_value(item, details::Where{"lots.winners", {}, i++}, name);
                l.winners.push_back(std::move(name));
            }
            if (!r.failed() && l.winners.empty()) r.reject("bad_lots", "lots.winners", "at least one name", "an empty array");
        } else if (!winner.empty()) {
            l.winners.push_back(std::move(winner));
        } else if (!r.failed()) {
            r.reject("missing_field", "lots.winner", "a value", "nothing (field is missing)");
        }
        out = std::move(l);
    }
}

}  // namespace

struct DeclarationParser::Impl {
    simdjson::dom::parser parser;
};

DeclarationParser::DeclarationParser() : impl_(std::make_unique<Impl>()) {}
DeclarationParser::~DeclarationParser() = default;

Result<Declaration> DeclarationParser::parse(std::string_view json) {
    using R = Result<Declaration>;
    if (json.size() > kMaxBytes)
        return R::of_error({"too_large", "", "a declaration of at most " + std::to_string(kMaxBytes) + " bytes",
                        std::to_string(json.size()) + " bytes"});
    simdjson::dom::element root;
    if (auto err = impl_->parser.parse(json.data(), json.size(), true).get(root); err != simdjson::SUCCESS)
        return R::of_error({"invalid_json", "", "a valid UTF-8 JSON object", simdjson::error_message(err)});
    simdjson::dom::object o;
    if (root.get_object().get(o) != simdjson::SUCCESS)
        return R::of_error({"wrong_type", "", "a JSON object", details::describe(root)});

    details::JsonReader r;
    Declaration d;
    r.only_fields(o, "", {"id", "council", "ward", "revision", "source", "declared_at", "electorate", "ballots",
                          "rejected", "candidates", "lots"});
    r.string(o, "", "id", d.id, true);
    r.string(o, "", "council", d.council, true);
    r.string(o, "", "ward", d.ward, true);
    r.integer(o, "", "revision", d.revision, 1, kMaxRevision, true);
    r.string(o, "", "source", d.source, false);
    r.string(o, "", "declared_at", d.declared_at, true, 64);
    r.optional_integer(o, "", "electorate", d.electorate, 0, kMaxCount);
    r.optional_integer(o, "", "ballots", d.ballots, 0, kMaxCount);
    r.optional_integer(o, "", "rejected", d.rejected, 0, kMaxCount);

    read_candidates(r, o, d.candidates);
    read_lots(r, o, d.lots);
    if (r.failed()) return R::of_error(r.error());
    return R{std::move(d), {}};
}

std::optional<Error> DeclarationParser::check_source(std::string_view source) {
    return details::text_error("source", source);
}

void write_declaration(JsonWriter& w, const Declaration& d) {
    // Streamed, not built as a DOM: this runs for every declaration the daemon
    // journals. The key order is the format's (docs/formats.md).
    w.begin_object();
    w.field("id", d.id);
    w.field("council", d.council);
    w.field("ward", d.ward);
    w.field("revision", d.revision);
    if (!d.source.empty()) w.field("source", d.source);
    w.field("declared_at", d.declared_at);
    if (d.electorate) w.field("electorate", *d.electorate);
    if (d.ballots) w.field("ballots", *d.ballots);
    if (d.rejected) w.field("rejected", *d.rejected);
    w.key("candidates").begin_array();
    for (const auto& c : d.candidates) {
        w.begin_object();
        w.field("name", c.name);
        w.field("party", c.party);
        if (c.votes) w.field("votes", *c.votes);
        w.field("elected", c.elected);
        w.end_object();
    }
    w.end_array();
    if (d.lots) {
        w.key("lots").begin_object();
        w.key("between").begin_array();
        for (const auto& n : d.lots->between) w.value(n);
        w.end_array();
        if (d.lots->winners.size() == 1) {
            w.field("winner", d.lots->winners.front());
        } else {
            w.key("winners").begin_array();
            for (const auto& n : d.lots->winners) w.value(n);
            w.end_array();
        }
        w.end_object();
    }
    w.end_object();
}

std::string declaration_to_json(const Declaration& d) {
    JsonWriter w;
    write_declaration(w, d);
    return w.str();
}

}  // namespace declared
