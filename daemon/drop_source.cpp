#include "daemon/drop_source.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/async_submit.hpp"
#include "daemon/batch_report.hpp"
#include "daemon/read_file.hpp"

namespace declared {

namespace fs = std::filesystem;
namespace net = boost::asio;
using net::awaitable;
using net::use_awaitable;

namespace {

constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

// Files still being written carry a dot-name or a temporary suffix.
bool wanted(const fs::directory_entry& e) {
    if (!e.is_regular_file()) return false;
    const std::string name = e.path().filename().string();
    if (name.empty() || name.front() == '.') return false;
    const std::string ext = e.path().extension().string();
    return ext == ".jsonl" || ext == ".ndjson" || ext == ".json";
}

// Moves a file into sub/, never over an earlier file of the same name.
fs::path move_into(const fs::path& file, const fs::path& sub) {
    fs::path target = sub / file.filename();
    for (int n = 1; fs::exists(target); ++n) target = sub / (file.filename().string() + "." + std::to_string(n));
    fs::rename(file, target);
    return target;
}

}  // namespace

struct DropSource::Impl : std::enable_shared_from_this<Impl> {
    Impl(net::io_context& ioc, Ingest& in, std::string d, std::chrono::milliseconds r)
        : ingest(in), dir(std::move(d)), rescan(r), strand(net::make_strand(ioc)), timer(strand), notify(strand) {}

    Ingest& ingest;
    fs::path dir;
    std::chrono::milliseconds rescan;
    net::strand<net::io_context::executor_type> strand;  // the scanner and the watcher take turns
    net::steady_timer timer;
    net::posix::stream_descriptor notify;
    bool stopped = false;

    awaitable<void> run() {
        auto self = shared_from_this();
        while (!stopped) {
            co_await scan();
            boost::system::error_code ec;
            timer.expires_after(rescan);
            co_await timer.async_wait(net::redirect_error(use_awaitable, ec));  // cancelled by inotify or stop
        }
    }

    awaitable<void> watch() {
        auto self = shared_from_this();
        std::array<char, 4096> buf;
        for (;;) {
            boost::system::error_code ec;
            co_await notify.async_read_some(net::buffer(buf), net::redirect_error(use_awaitable, ec));
            if (ec || stopped) co_return;
            timer.cancel();  // wake the scanner now
        }
    }

    awaitable<void> scan() {
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (wanted(e)) files.push_back(e.path());
        if (ec) {
            spdlog::error("drop directory {}: {}", dir.string(), ec.message());
            co_return;
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (stopped) co_return;
            if (!co_await ingest_file(f)) co_return;  // the daemon is busy: try again on the next scan
        }
    }

    // False when the file should be retried later.
    awaitable<bool> ingest_file(const fs::path& file) {
        const std::string name = file.filename().string();
        std::error_code ec;
        auto size = fs::file_size(file, ec);
        if (ec) co_return true;  // gone meanwhile
        if (size > kMaxFileBytes) {
            reject(file, Error{"file_too_large", name, "a file of at most 64 MiB", std::to_string(size) + " bytes"});
            co_return true;
        }
        auto text = read_file(file.string());
        if (!text.ok()) {
            spdlog::warn("drop directory: cannot read {}: {}", name, text.error.got);
            co_return true;
        }
        auto format = file.extension() == ".json" ? Ingest::Format::single : Ingest::Format::lines;
        BatchResult r = co_await async_submit(ingest, std::move(*text.value), format, "drop:" + name,
                                              Ingest::Mode::all_or_nothing, use_awaitable);
        switch (r.status) {
            case BatchResult::Status::busy:
            case BatchResult::Status::unavailable: co_return false;
            case BatchResult::Status::done: {
                auto report = batch_report(r);
                move_into(file, dir / "processed");
                spdlog::info("drop directory: {}: {} accepted, {} duplicate, {} stale", name,
                             report["accepted"].as_uint64(), report["duplicate"].as_uint64(), report["stale"].as_uint64());
                co_return true;
            }
            case BatchResult::Status::rejected:
            case BatchResult::Status::conflict: {
                auto report = batch_report(r);
                if (r.status == BatchResult::Status::conflict)
                    report["note"] = "lines without an error were applied; the conflicting ones were not";
                else
                    report["note"] = "nothing in this file was applied";
                auto moved = move_into(file, dir / "rejected");
                std::ofstream(moved.string() + ".error.json") << boost::json::serialize(report) << '\n';
                spdlog::warn("drop directory: {} rejected: {}", name,
                             report.contains("error") ? std::string(report["error"].at("message").as_string()) : "see error file");
                co_return true;
            }
        }
        co_return true;
    }

    void reject(const fs::path& file, const Error& e) {
        auto moved = move_into(file, dir / "rejected");
        boost::json::object report{{"status", "rejected"}, {"error", error_json(e)}, {"note", "nothing in this file was applied"}};
        std::ofstream(moved.string() + ".error.json") << boost::json::serialize(report) << '\n';
        spdlog::warn("drop directory: {} rejected: {}", file.filename().string(), e.message());
    }
};

DropSource::DropSource(net::io_context& ioc, Ingest& ingest, std::string dir, std::chrono::milliseconds rescan)
    : impl_(std::make_shared<Impl>(ioc, ingest, std::move(dir), rescan)) {}

DropSource::~DropSource() { stop(); }

std::optional<Error> DropSource::start() {
    std::error_code ec;
    fs::create_directories(impl_->dir, ec);
    if (!fs::is_directory(impl_->dir, ec))
        return Error{"bad_drop_dir", "drop.dir", "a directory (created if absent)", impl_->dir.string() + " is not one"};
    for (const char* sub : {"processed", "rejected"}) {
        fs::create_directories(impl_->dir / sub, ec);
        if (ec) return Error{"bad_drop_dir", "drop.dir", "a writable directory", (impl_->dir / sub).string() + ": " + ec.message()};
    }
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd >= 0 && inotify_add_watch(fd, impl_->dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) >= 0) {
        impl_->notify.assign(fd);
        net::co_spawn(impl_->strand, impl_->watch(), net::detached);
    } else {
        if (fd >= 0) ::close(fd);
        spdlog::warn("drop directory {}: inotify unavailable, rescanning every {} ms", impl_->dir.string(),
                     impl_->rescan.count());
    }
    net::co_spawn(impl_->strand, impl_->run(), net::detached);
    spdlog::info("drop directory {}: watching", impl_->dir.string());
    return std::nullopt;
}

void DropSource::stop() {
    net::post(impl_->strand, [impl = impl_] {
        impl->stopped = true;
        impl->timer.cancel();
        boost::system::error_code ec;
        impl->notify.close(ec);
    });
}

}  // namespace declared
