#pragma once
// Which ingestion sources are working, for /readyz and /metrics. A source
// that cannot do its job (a drop directory it cannot move files out of)
// says so here, and says so again when it works; the daemon stays up.
// Thread-safe.
#include <map>
#include <mutex>
#include <string>

namespace declared {

class SourceHealth {
public:
    // problem empty: the source works.
    void report(const std::string& source, std::string problem) {
        std::lock_guard lock(mutex_);
        problems_[source] = std::move(problem);
    }
    // Every source that reported, with its problem ("" when it works).
    std::map<std::string, std::string> all() const {
        std::lock_guard lock(mutex_);
        return problems_;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::string> problems_;
};

}  // namespace declared
