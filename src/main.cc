// Wiring only: command line -> config -> servers -> wait for a signal -> drain.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <optional>

#include "cache/shared_cache.h"
#include "cli/keys_command.h"
#include "cli/records_command.h"
#include "cli/report_command.h"
#include "core/config.h"
#include "core/prices.h"
#include "pipeline/gateway.h"
#include "pipeline/governance_runtime.h"
#include "server/http_server.h"
#include "server/offload.h"
#include "sim/simulator.h"
#include "storage/recorder.h"
#include "telemetry/access_log.h"
#include "telemetry/span_exporter.h"

namespace sy = switchyard;

namespace {

// Thousands of concurrent streams need two descriptors each: take the hard limit.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Blocks SIGINT, SIGTERM and SIGHUP in every thread started after this: the main thread takes
// them with sigwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

std::optional<std::filesystem::file_time_type> modified_at(const std::string& path) {
  std::error_code ec;
  auto time = std::filesystem::last_write_time(path, ec);
  return ec ? std::nullopt : std::optional(time);
}

// Loads the config again for new requests; an invalid one is refused and the running one stays.
void reload(sy::Gateway& gateway, sy::GovernanceRuntime& governance, const std::string& path,
            const sy::Config& running) {
  try {
    sy::Config next = sy::load_config(path);
    if (next.listen.host != running.listen.host || next.listen.port != running.listen.port ||
        next.threads != running.threads)
      spdlog::warn("{}: listen and threads apply at the next restart", path);
    next.listen = running.listen;
    next.threads = running.threads;
    if (next.state != running.state || next.fail_closed != running.fail_closed)
      spdlog::warn("{}: state and governance apply at the next restart", path);
    if (next.access_log != running.access_log || next.telemetry.otlp_endpoint != running.telemetry.otlp_endpoint)
      spdlog::warn("{}: access_log and telemetry.otlp_endpoint apply at the next restart", path);
    governance.reload(next);
    gateway.reload(std::make_shared<const sy::Config>(std::move(next)));
    spdlog::info("{}: reloaded", path);
  } catch (const sy::ConfigError& e) {
    spdlog::error("{}; keeping the running config", e.what());
  }
}

// Where records wait while the store is down: beside the SQLite file, or in the working directory.
std::string journal_path(const sy::Config& config) {
  if (!config.journal.empty()) return config.journal;
  if (config.storage.starts_with("sqlite:")) return config.storage.substr(7) + ".journal";
  return "./switchyard-records.journal";
}

// Waits for SIGINT or SIGTERM (a SIGHUP means nothing to the simulator).
int wait_for_stop(const sigset_t& set) {
  int signal = 0;
  do sigwait(&set, &signal);
  while (signal == SIGHUP);
  return signal;
}

std::unique_ptr<sy::HttpServer> make_simulator_server(sy::HostPort listen, unsigned threads,
                                                      sy::sim::Defaults defaults) {
  auto simulator = std::make_shared<sy::sim::Simulator>(defaults);
  sy::ServerOptions options{std::move(listen), threads, 64u << 20, std::chrono::milliseconds(600000)};
  return std::make_unique<sy::HttpServer>(
      options, [simulator](sy::Exchange& e) { return simulator->handle(e); },
      [simulator](const sy::Error& error, const sy::http::request_header<>& h) {
        return simulator->render_error(error, h);
      });
}

int serve(const std::string& config_path, const std::string& listen_override, const sigset_t& stop_signals) {
  sy::Config config;
  try {
    config = sy::load_config(config_path);
  } catch (const sy::ConfigError& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  if (!listen_override.empty()) {
    auto listen = sy::parse_host_port(listen_override);
    if (!listen) {
      spdlog::error("--listen: must be HOST:PORT (got '{}')", listen_override);
      return 2;
    }
    config.listen = *listen;
  }
  for (const auto& [name, provider] : config.providers) {
    if (provider.enabled())
      spdlog::info("provider {} ({}) at {}", name, sy::to_string(provider.type), provider.base_url);
    else
      spdlog::info("provider {} disabled: {}", name, provider.disabled_reason);
  }

  auto shared_config = std::make_shared<const sy::Config>(std::move(config));
  // Records: the store named by `storage`, with a journal beside it for when the store is down.
  // `storage: none` turns records off (answers still carry usage.cost).
  // Declared in this order so they go in the reverse one: the recorder (its writer feeds the
  // rollup), the rollup (its loader reads the store), the store.
  std::unique_ptr<sy::AccessLog> access_log;
  std::unique_ptr<sy::RecordStore> store;
  std::unique_ptr<sy::LiveRollup> rollup;
  std::unique_ptr<sy::Recorder> recorder;
  std::optional<sy::Records> records;
  try {
    if (!shared_config->access_log.empty()) access_log = std::make_unique<sy::AccessLog>(shared_config->access_log);
    if (shared_config->storage != "none") {
      store = sy::open_store(shared_config->storage);
      rollup = std::make_unique<sy::LiveRollup>(*store, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                            std::chrono::system_clock::now().time_since_epoch())
                                                            .count());
      std::vector<sy::RecordSink*> sinks{rollup.get()};
      if (access_log) sinks.push_back(access_log.get());
      recorder = std::make_unique<sy::Recorder>(*store, journal_path(*shared_config), std::move(sinks));
      records.emplace(sy::Records{*store, *recorder, *rollup});
    } else if (access_log) {
      spdlog::warn("access_log: needs records (storage: none turns both off)");
    }
  } catch (const sy::StoreError& e) {
    spdlog::error("storage: {}", e.what());
    return 2;
  } catch (const std::runtime_error& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
  // Traces: spans leave through a bounded queue on a thread of the exporter's own.
  std::unique_ptr<sy::SpanExporter> spans;
  if (!shared_config->telemetry.otlp_endpoint.empty()) {
    try {
      spans = std::make_unique<sy::SpanExporter>(sy::ExporterOptions{shared_config->telemetry.otlp_endpoint});
    } catch (const std::invalid_argument& e) {
      spdlog::error("telemetry.otlp_endpoint: {}", e.what());
      return 2;
    }
    spdlog::info("traces go to {} (sampling {} of new traces)", shared_config->telemetry.otlp_endpoint,
                 shared_config->telemetry.sample_ratio);
  }
  spdlog::info("records go to {} ({} prices known)", store ? store->describe() : "nowhere (storage: none)",
               shared_config->prices->size());
  // Routing health and governance live as long as the process, across config reloads.
  sy::CircuitBreaker breaker;
  sy::LatencyTracker latency;
  std::unique_ptr<sy::GovernanceRuntime> governance;
  try {
    governance = std::make_unique<sy::GovernanceRuntime>(*shared_config, store.get(), breaker, &latency);
  } catch (const std::invalid_argument& e) {
    spdlog::error("state: {}", e.what());
    return 2;
  }
  spdlog::info("limits and budgets are {}", governance->describe());
  // The response cache lives across reloads (a reload may turn it on); with `state:` set, every
  // replica shares it through Redis.
  sy::ResponseCache response_cache(sy::unix_now_ms);
  std::unique_ptr<sy::SharedCache> shared_cache;
  if (!shared_config->state.empty())
    shared_cache = std::make_unique<sy::SharedCache>(sy::SharedCache::Options{shared_config->state});
  auto gateway =
      std::make_shared<sy::Gateway>(shared_config, records ? &*records : nullptr,
                                    sy::Services{breaker, latency, sy::pooled_transport(), sy::uniform_draw,
                                                 governance->keys(), governance->governor(), sy::unix_now_ms,
                                                 spans.get(), sy::Caches{&response_cache, shared_cache.get()}});
  sy::ServerOptions options{shared_config->listen, shared_config->threads, shared_config->max_body_bytes,
                            shared_config->timeouts.client};
  sy::HttpServer server(
      options, [gateway](sy::Exchange& e) { return gateway->handle(e); },
      [gateway](const sy::Error& error, const sy::http::request_header<>& h) {
        return gateway->render_error(error, h);
      });

  std::unique_ptr<sy::HttpServer> simulator;
  try {
    if (shared_config->simulator_listen) {
      simulator = make_simulator_server(*shared_config->simulator_listen, 1, {});
      simulator->start();
      spdlog::info("provider simulator listening on {}:{}", shared_config->simulator_listen->host, simulator->port());
    }
    server.start();
  } catch (const std::system_error& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  spdlog::info("switchyard listening on {}:{} with {} thread(s)", shared_config->listen.host, server.port(),
               options.threads ? options.threads : std::thread::hardware_concurrency());

  // SIGHUP or a change to the file reloads the config; SIGINT or SIGTERM stops.
  auto seen = modified_at(config_path);
  int signal = 0;
  for (;;) {
    timespec tick{1, 0};
    signal = sigtimedwait(&stop_signals, nullptr, &tick);
    if (signal == SIGINT || signal == SIGTERM) break;
    auto now = modified_at(config_path);
    if (signal == SIGHUP || now != seen) {
      seen = now;
      reload(*gateway, *governance, config_path, *shared_config);
    }
  }
  spdlog::info("signal {}: draining requests in flight", signal);
  server.shutdown(gateway->drain_time());
  if (simulator) simulator->shutdown(std::chrono::milliseconds(0));
  // Report queries still running on the blocking pool finish before the loops they answer to and
  // the recorder they read are torn down.
  sy::blocking_pool().join();
  server.join();
  if (recorder) recorder->stop();  // every answered request's record is stored (or journaled) before exit
  spdlog::info("stopped");
  return 0;
}

int simulate(const std::string& listen_text, unsigned threads, sy::sim::Defaults defaults,
             const sigset_t& stop_signals) {
  auto listen = sy::parse_host_port(listen_text);
  if (!listen) {
    spdlog::error("--listen: must be HOST:PORT (got '{}')", listen_text);
    return 2;
  }
  auto server = make_simulator_server(*listen, threads, defaults);
  try {
    server->start();
  } catch (const std::system_error& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  spdlog::info("switchyard provider simulator listening on {}:{}", listen->host, server->port());
  wait_for_stop(stop_signals);
  server->shutdown(std::chrono::milliseconds(0));
  server->join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchyard: a self-hosted AI gateway (OpenAI- and Anthropic-compatible)", "switchyard"};
  app.set_version_flag("--version", std::string("switchyard ") + SWITCHYARD_VERSION);
  app.require_subcommand(1);

  auto* serve_cmd = app.add_subcommand("serve", "Run the gateway");
  std::string config_path, listen;
  serve_cmd->add_option("--config", config_path, "Config file (YAML)")->required();
  serve_cmd->add_option("--listen", listen, "HOST:PORT, overrides the config's listen");
  std::string log_level = "info";
  serve_cmd->add_option("--log-level", log_level, "The operational log's level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  auto* sim_cmd = app.add_subcommand("sim", "Run the provider simulator (OpenAI, Anthropic and Gemini wire formats)");
  std::string sim_listen = "127.0.0.1:8081";
  unsigned sim_threads = 1;
  sy::sim::Defaults defaults;
  sim_cmd->add_option("--listen", sim_listen, "HOST:PORT")->capture_default_str();
  sim_cmd->add_option("--threads", sim_threads, "Worker threads")->capture_default_str()->check(CLI::Range(1, 256));
  sim_cmd->add_option("--ttft-ms", defaults.ttft_ms, "Default time to first token")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sim_cmd->add_option("--token-delay-ms", defaults.delay_ms, "Default delay between tokens")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sim_cmd->add_option("--tokens", defaults.len, "Default answer length in tokens")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  auto* report_cmd =
      app.add_subcommand("report", "Print the traffic insights (docs/analytics.md) from the record store");
  std::string report_config, report_from, report_to;
  bool report_json = false;
  report_cmd->add_option("--config", report_config, "Config file (YAML): its storage is read")->required();
  report_cmd->add_option("--from", report_from, "First day, YYYY-MM-DD (default: 30 days before --to)");
  report_cmd->add_option("--to", report_to, "Last day, YYYY-MM-DD (default: today, UTC)");
  report_cmd->add_flag("--json", report_json, "The same JSON as GET /v1/insights");

  auto* export_cmd = app.add_subcommand("export", "Print the stored records of some days as JSON lines (oldest first)");
  std::string export_config, export_from, export_to;
  export_cmd->add_option("--config", export_config, "Config file (YAML): its storage is read")->required();
  export_cmd->add_option("--from", export_from, "First day, YYYY-MM-DD (default: 30 days before --to)");
  export_cmd->add_option("--to", export_to, "Last day, YYYY-MM-DD (default: today, UTC)");

  auto* import_cmd = app.add_subcommand(
      "import", "Store records from JSON lines (export's or the journal's); ids already stored are skipped");
  std::string import_config, import_input = "-";
  import_cmd->add_option("--config", import_config, "Config file (YAML): records go to its storage")->required();
  import_cmd->add_option("input", import_input, "File of JSON lines, - for stdin")->capture_default_str();

  auto* keys_cmd = app.add_subcommand("keys", "Make, list, show, change and revoke gateway keys (docs/governance.md)");
  keys_cmd->require_subcommand(1);
  sy::KeysCommand keys;
  auto keys_action = [&](const char* name, const char* what, bool needs_id) {
    auto* action = keys_cmd->add_subcommand(name, what);
    action->add_option("--config", keys.config_path, "Config file (YAML): keys go to its storage")->required();
    if (needs_id) action->add_option("id", keys.id, "The key's id (key_...)")->required();
    action->callback([&keys, name] { keys.action = name; });
    return action;
  };
  auto* keys_create = keys_action("create", "Make a key; its secret is printed this once", false);
  keys_create->add_option("--team", keys.team, "Its team")->required();
  keys_create->add_option("--fields", keys.fields, R"(The admin API's fields as JSON: '{"limits": {"rpm": 60}}')");
  keys_action("list", "Every key made through the admin API or this command", false)
      ->add_option("--team", keys.team, "Only this team's");
  keys_action("show", "One key", true);
  auto* keys_update = keys_action("update", "Change a key's fields", true);
  keys_update->add_option("--fields", keys.fields, "The admin API's fields as JSON")->required();
  keys_action("revoke", "Revoke a key: every replica refuses it within half a second", true);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::string message = e.what();
    if (dynamic_cast<const CLI::ExtrasError*>(&e))
      message = "unknown arguments:" + message.substr(message.find(':') + 1);
    std::fprintf(stderr, "switchyard: %s\nRun with --help for more information.\n", message.c_str());
    return 2;  // a usage error, as for a bad config
  }
  if (*report_cmd) return sy::run_report(report_config, report_from, report_to, report_json);
  if (*export_cmd) return sy::run_export(export_config, export_from, export_to);
  if (*import_cmd) return sy::run_import(import_config, import_input);
  if (*keys_cmd) return sy::run_keys(keys);
  raise_descriptor_limit();
  sigset_t stop_signals = block_stop_signals();

  if (*serve_cmd) {
    spdlog::set_level(spdlog::level::from_str(log_level));
    return serve(config_path, listen, stop_signals);
  }
  return simulate(sim_listen, sim_threads, defaults, stop_signals);
}
