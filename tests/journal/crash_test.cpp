#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "journal/file_journal.hpp"
#include "journal/group_commit.hpp"
#include "tests/journal/temp_dir.hpp"

using declared::FileJournal;
using declared::GroupCommitter;
using declared::Result;
using declared::testing::TempDir;

namespace {

// The child: appends from several threads until killed, writing each
// acknowledgement ("position record\n") to the pipe once its sync returned.
[[noreturn]] void append_until_killed(const std::string& path, int round, int ack_fd) {
    FileJournal journal(path);
    if (!journal.load([](std::string_view) {}).ok()) ::_exit(2);
    GroupCommitter committer(journal);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0;; ++i) {
                std::string record = R"({"round":)" + std::to_string(round) + R"(,"thread":)" +
                                     std::to_string(t) + R"(,"i":)" + std::to_string(i) + "}";
                auto ack = [ack_fd, record](const Result<std::uint64_t>& r) {
                    if (!r.ok()) return;
                    const std::string line = std::to_string(*r.value) + " " + record + "\n";
                    if (::write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(3);
                };
                while (!committer.append(record, ack).ok()) std::this_thread::yield();
                if (i % 8 == 7) std::this_thread::sleep_for(std::chrono::microseconds(100));
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::seconds(10));
    ::_exit(4);  // not killed: the parent failed
}

std::string read_all(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace

TEST_CASE("kill -9 during concurrent appends: every acknowledged record survives, in order",
          "[journal][group][crash]") {
    TempDir dir;
    const auto path = dir.file("journal");
    std::mt19937 rng(20220505);
    std::uniform_int_distribution<int> delay_ms(1, 40);
    std::uint64_t total_acked = 0;

    for (int round = 0; round < 20; ++round) {
        CAPTURE(round);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            append_until_killed(path, round, fds[1]);
        }
        ::close(fds[1]);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
        REQUIRE(::kill(child, SIGKILL) == 0);
        const std::string acks = read_all(fds[0]);
        ::close(fds[0]);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        REQUIRE(WIFSIGNALED(status));

        std::vector<std::string> records;
        FileJournal journal(path);
        auto loaded = journal.load([&](std::string_view r) { records.emplace_back(r); });
        REQUIRE(loaded.ok());

        std::size_t start = 0;
        std::uint64_t acked = 0;
        std::int64_t last_position = -1;
        while (start < acks.size()) {
            const auto end = acks.find('\n', start);
            if (end == std::string::npos) break;  // a line cut by the kill
            const std::string line = acks.substr(start, end - start);
            start = end + 1;
            const auto space = line.find(' ');
            const std::uint64_t position = std::stoull(line.substr(0, space));
            REQUIRE(position < records.size());
            CHECK(static_cast<std::int64_t>(position) > last_position);  // acknowledged in journal order
            last_position = static_cast<std::int64_t>(position);
            CHECK(records[position] == line.substr(space + 1));
            ++acked;
        }
        total_acked += acked;
    }
    CHECK(total_acked > 0);
}
