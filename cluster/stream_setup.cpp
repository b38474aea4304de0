#include "cluster/stream_setup.hpp"

#include <algorithm>

namespace declared::cluster {

namespace {

StreamState state_of(const jsStreamInfo* si) {
    StreamState st;
    st.first_seq = si->State.FirstSeq;
    st.last_seq = si->State.LastSeq;
    st.messages = si->State.Msgs;
    if (si->Cluster && si->Cluster->Leader) st.leader = si->Cluster->Leader;
    return st;
}

// Why an existing stream cannot hold a journal, or an empty code.
Error unfit(const jsStreamConfig& cfg, const StreamSpec& spec) {
    const std::string where = "stream " + spec.name;
    auto refuse = [&](std::string expected, std::string got) {
        return Error{"cluster_stream_config", where, std::move(expected),
                     std::move(got) + " (records could be lost; fix the stream with the nats CLI or use another --cluster.stream)"};
    };
    if (!cfg.DenyDelete || !cfg.DenyPurge) return refuse("deny_delete and deny_purge set", "a stream allowing deletes or purges");
    if (cfg.AllowRollup) return refuse("no rollups", "allow_rollup_hdrs set");
    if (cfg.Retention != js_LimitsPolicy) return refuse("limits retention", "interest or work-queue retention");
    if (cfg.MaxMsgs > 0 || cfg.MaxBytes > 0 || cfg.MaxAge > 0 || cfg.MaxMsgsPerSubject > 0)
        return refuse("no message, byte, age or per-subject limit", "a stream with limits");
    const std::vector<std::string> ours{spec.genesis_subject, spec.records_subject, spec.writer_subject};
    for (const auto& subject : ours) {
        bool found = false;
        for (int i = 0; i < cfg.SubjectsLen; ++i) found = found || subject == cfg.Subjects[i];
        if (!found) return refuse("subjects " + spec.genesis_subject + ", " + spec.records_subject + " and " + spec.writer_subject,
                                  "a stream without subject " + subject);
    }
    return {};
}

}  // namespace

StreamSpec stream_spec(std::string name, int replicas) {
    StreamSpec spec;
    spec.genesis_subject = "declared." + name + ".genesis";
    spec.records_subject = "declared." + name + ".records";
    spec.writer_subject = "declared." + name + ".writer";
    spec.heartbeat_subject = "declared." + name + ".heartbeat";
    spec.ingest_subject = "declared." + name + ".ingest";
    spec.name = std::move(name);
    spec.replicas = replicas;
    return spec;
}

Result<StreamState> stream_state(const NatsConnection& c, const std::string& name) {
    using R = Result<StreamState>;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_GetStreamInfo(&si, c.js(), name.c_str(), nullptr, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr)
        return R::of_error(Error{"cluster_stream_missing", "stream " + name + " at " + c.where(), "an existing stream",
                             "no stream of that name"});
    if (s != NATS_OK)
        return R::of_error(nats_error(transient(s) ? "cluster_unavailable" : "cluster_error",
                                  "stream " + name + " at " + c.where(), "the stream's info", s, jerr));
    StreamState st = state_of(si);
    jsStreamInfo_Destroy(si);
    return R{std::move(st), {}};
}

Result<StreamState> ensure_stream(const NatsConnection& c, const StreamSpec& spec) {
    using R = Result<StreamState>;
    const std::string where = "stream " + spec.name + " at " + c.where();
    if (spec.name.empty() || spec.name.find_first_of(" .*>\t") != std::string::npos)
        return R::of_error(Error{"cluster_config", "--cluster.stream", "a stream name without spaces, '.', '*' or '>'",
                             "\"" + spec.name + "\""});
    if (spec.replicas < 1 || spec.replicas > 5)
        return R::of_error(Error{"cluster_config", "--cluster.replicas", "1 to 5 replicas", std::to_string(spec.replicas)});

    for (int attempt = 0; attempt < 2; ++attempt) {
        jsStreamInfo* si = nullptr;
        jsErrCode jerr = static_cast<jsErrCode>(0);
        natsStatus s = js_GetStreamInfo(&si, c.js(), spec.name.c_str(), nullptr, &jerr);
        bool created = false;
        if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
            jsStreamConfig cfg;
            jsStreamConfig_Init(&cfg);
            const char* subjects[] = {spec.genesis_subject.c_str(), spec.records_subject.c_str(), spec.writer_subject.c_str()};
            cfg.Name = spec.name.c_str();
            cfg.Description = "declared: the election night's journal (docs/cluster.md)";
            cfg.Subjects = subjects;
            cfg.SubjectsLen = 3;
            cfg.Storage = js_FileStorage;
            cfg.Retention = js_LimitsPolicy;
            cfg.Replicas = spec.replicas;
            cfg.DenyDelete = true;
            cfg.DenyPurge = true;
            cfg.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(spec.duplicate_window).count();
            jerr = static_cast<jsErrCode>(0);
            s = js_AddStream(&si, c.js(), &cfg, nullptr, &jerr);
            // Another node created it first, perhaps with another config: look at it again.
            if (jerr == JSStreamNameExistErr) continue;
            created = s == NATS_OK;
        }
        if (s != NATS_OK)
            return R::of_error(nats_error(transient(s) ? "cluster_unavailable" : "cluster_error", where,
                                      created ? "the stream created" : "the stream's info, or to create it", s, jerr));
        StreamState st = state_of(si);
        st.created = created;
        Error why = si->Config ? unfit(*si->Config, spec) : Error{};
        if (why.code.empty() && si->Config && si->Config->Replicas != spec.replicas)
            st.warnings.push_back(Error{"cluster_replicas", where, std::to_string(spec.replicas) + " replicas",
                                        std::to_string(si->Config->Replicas) + " (kept as the stream has it)"});
        jsStreamInfo_Destroy(si);
        if (!why.code.empty()) return R::of_error(why);
        return R{std::move(st), {}};
    }
    return R::of_error(Error{"cluster_unavailable", where, "the stream's info", "a stream created and gone again"});
}

}  // namespace declared::cluster
