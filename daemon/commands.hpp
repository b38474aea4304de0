#pragma once
// One function per `declared` subcommand. Each takes the arguments after the
// subcommand name and returns the process exit code.
#include <string>
#include <vector>

namespace declared {

using Args = std::vector<std::string>;

int generate_command(const Args& args);  // declared generate ...
int import_command(const Args& args);  // declared import leh ...
int replay_command(const Args& args);  // declared replay ...
int serve_command(const Args& args);   // declared serve ...
int tail_command(const Args& args);    // declared tail URL ...

}  // namespace declared
