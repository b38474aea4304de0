#pragma once
// LEAP (Andrew Teale's Local Elections Archive Project) party codes beside the
// Commons Library's abbreviations for the same parties: how a LEAP baseline's
// winners are matched to tonight's parties, and how a night built from LEAP
// alone gets the codes (CON, LAB, GREEN...) and colours of any other night.
#include <string_view>
#include <utility>

namespace declared::import {

inline constexpr std::pair<std::string_view, std::string_view> kLeapAliases[] = {
    {"C", "CON"},          {"Lab", "LAB"},     {"LD", "LD"},         {"Grn", "GREEN"},        {"Ind", "IND"},
    {"Aspire", "ASP"},     {"Yorks", "YORKS"}, {"Lib", "LIB"},       {"Libtn", "LIBER"},      {"Loony", "OMRL"},
    {"ForBritn", "FBM"},   {"Thurrock", "TH IND"}, {"TWellsA", "TWA"}, {"StNeots", "STN IND"}, {"Morley", "MBI"},
    {"EngDem", "EDEM"},    {"Ref", "REF"},     {"UKIP", "UKIP"},     {"TUSC", "TUSC"},        {"CPA", "CPA"},
    {"WEP", "WEP"},        {"KIRG", "KIRG"},   {"CIIP", "CIIP"},     {"NF", "NF"},            {"SDP", "SDP"},
};

}  // namespace declared::import
