#pragma once
// What an ingestion source is to the daemon, whatever it reads (the drop
// directory, the upstream poll): started once the writer is ready, where a
// configuration it cannot work with is an error and the daemon refuses to
// start; stopped at shutdown, after which it submits nothing more. It hands
// what it reads to Ingest::submit, which answers each batch.
#include <optional>

#include "model/error.hpp"

namespace declared {

class Source {
public:
    virtual ~Source() = default;
    virtual std::optional<Error> start() = 0;
    virtual void stop() = 0;
};

}  // namespace declared
