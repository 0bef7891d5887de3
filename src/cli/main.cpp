// arca: the one binary. Parses the command line and hands over to cli/.
#include <CLI/CLI.hpp>

#include "app/log.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace arca::cli;
  CLI::App app{"Arca, a file service: uploads to an object store, records in a database."};
  app.require_subcommand(1);
  std::optional<std::string> config;
  std::map<std::string, std::string> flags;
  app.add_option_function<std::string>("--config", [&](const std::string& v) { config = v; },
                                       "TOML config file (also ARCA_CONFIG)");

  auto* serve = app.add_subcommand("serve", "Run the HTTP API, the web page and (embedded broker) the workers");
  serve->add_option_function<std::string>("--listen", [&](const std::string& v) { flags["listen"] = v; },
                                          "HOST:PORT (default 127.0.0.1:8080; port 0 picks a free one)");

  auto* worker = app.add_subcommand("worker", "Run background consumers");
  std::string roles;
  worker->add_option("--roles", roles, "comma-separated roles: metadata,delete,rename,reconcile (default: metadata,delete,rename)");

  auto* reconcile = app.add_subcommand("reconcile", "Compare the bucket with the database; --fix repairs");
  ReconcileFlags rflags;
  reconcile->add_flag("--fix", rflags.fix, "adopt or remove orphan objects, mark missing ones, resend stuck deletes, "
                                           "abort abandoned uploads");
  reconcile->add_flag("--json", rflags.json, "print the summary as JSON");
  reconcile->add_option("--grace", rflags.grace, "leave alone what is younger than this (default 1h; 0s: nothing)");
  reconcile->add_option("--max-deletes", rflags.max_deletes, "orphan objects removed per run at most (default 1000)");

  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema and storage");

  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Create a user");
  std::string user_name;
  bool admin = false, password_stdin = false;
  user_add->add_option("NAME", user_name, "user name")->required();
  user_add->add_flag("--admin", admin, "the user sees every file");
  user_add->add_flag("--password-stdin", password_stdin, "read the password from standard input");

  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* token_issue = token->add_subcommand("issue", "Print a bearer token for a user");
  std::string token_user, ttl = "30d", label = "cli";
  token_issue->add_option("USER", token_user, "user name")->required();
  token_issue->add_option("--ttl", ttl, "lifetime, e.g. 12h or 30d (default 30d)");
  token_issue->add_option("--name", label, "a label kept in the token");

  auto* version = app.add_subcommand("version", "Print the version");

  for (auto* sub : {serve, worker, reconcile, migrate, user_add, token_issue}) {
    sub->add_option_function<std::string>("--config", [&](const std::string& v) { config = v; }, "TOML config file");
    sub->add_option_function<std::string>("--data-dir", [&](const std::string& v) { flags["data_dir"] = v; },
                                          "data directory (default ./arca-data)");
  }

  CLI11_PARSE(app, argc, argv);
  if (version->parsed()) return Version();

  auto settings = LoadSettings(config, flags);
  if (!settings.ok()) {
    std::fprintf(stderr, "arca: %s\n", settings.status().message().c_str());
    return 2;
  }
  if (settings->log_level == "debug") arca::log::SetMinLevel(arca::log::Level::kDebug);
  else if (settings->log_level == "warn") arca::log::SetMinLevel(arca::log::Level::kWarn);
  else if (settings->log_level == "error") arca::log::SetMinLevel(arca::log::Level::kError);

  if (serve->parsed()) return Serve(*settings);
  if (worker->parsed()) {
    std::vector<std::string> list;
    for (size_t start = 0; start < roles.size();) {
      size_t comma = roles.find(',', start);
      if (comma == std::string::npos) comma = roles.size();
      if (comma > start) list.push_back(roles.substr(start, comma - start));
      start = comma + 1;
    }
    return Worker(*settings, list);
  }
  if (migrate->parsed()) return Migrate(*settings);
  if (reconcile->parsed()) return Reconcile(*settings, rflags);
  if (user_add->parsed()) return UserAdd(*settings, user_name, admin, password_stdin);
  if (token_issue->parsed()) return TokenIssue(*settings, token_user, ttl, label);
  return 2;
}
