// signet serve: the admission webhook.
#include <csignal>
#include <iostream>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/cli/command_line.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/dry_run_flags.hpp"
#include "server/cli/policy_flags.hpp"
#include "server/cli/registry_flags.hpp"
#include "server/cli/report_flags.hpp"
#include "server/cli/secret_flags.hpp"
#include "server/cli/trust_flags.hpp"
#include "server/https_server.hpp"
#include "server/log.hpp"

namespace signet::server {
namespace asio = boost::asio;
namespace {

constexpr auto kPolicyReloadInterval = std::chrono::seconds(2);
constexpr auto kShutdownDrain = std::chrono::seconds(15);
// How long start-up keeps trying to list the cluster's policies before giving up.
constexpr auto kKubeSyncTimeout = std::chrono::seconds(30);

const char* const kServeUsage =
    "usage: signet serve (--policy DIR | --kube-policies | both) --tls-cert FILE --tls-key FILE [options]\n"
    "  --listen ADDR:PORT         where to listen (default 0.0.0.0:8443)\n"
    "  --threads N                worker threads (default: the number of cores)\n"
    "  --review-deadline SECONDS  answer each review within this time (default 8)\n"
    "  --max-body-bytes N         larger requests are answered 413 (default 3145728)\n"
    "  --log-level LEVEL          debug, info, warning or error (default info)\n"
    "  --log-format FORMAT        text (default), or json: one JSON object per line for log collectors\n"
    "  --verdict-cache-entries N  verdicts remembered per (image digest, rule) (default 100000; 0 = off)\n"
    "  --verdict-pass-ttl SECONDS how long a pass is reused (default 600)\n"
    "  --verdict-failure-ttl SECONDS  how long a failure is reused (default 30; errors never are)\n";

Result<std::pair<std::string, unsigned short>> parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return Error::invalid("--listen must be ADDR:PORT, not \"" + text + "\"");
  std::string address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  char* end = nullptr;
  long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535 || colon + 1 == text.size())
    return Error::invalid("--listen has an invalid port in \"" + text + "\"");
  return std::pair{address.empty() ? std::string("0.0.0.0") : address, static_cast<unsigned short>(port)};
}

// The load report as log lines (in the chosen format), rather than report_policy_load's plain stderr.
bool log_policy_load(const policy::LoadReport& report, bool with_notes) {
  if (with_notes)
    for (const auto& note : report.notes) log(Level::Info, "policy note", {{"note", note}});
  for (const auto& error : report.errors) {
    log(Level::Error, "policy refused",
        {{"file", error.file},
         {"document", error.document},
         {"line", error.line},
         {"field", error.field_path},
         {"error", error.message}});
  }
  return report.errors.empty();
}

void record_policy_counts(Metrics& metrics, const policy::PolicyStore& store, std::size_t refused) {
  metrics.policies.set({"active"}, static_cast<double>(store.current()->policies.size()));
  metrics.policies.set({"refused"}, static_cast<double>(refused));
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
  if (asks_for_help(args)) {
    std::cout << kServeUsage << kube::kKubePolicyFlagsHelp << kube::kKubeSecretFlagsHelp << kube::kKubeReportFlagsHelp
              << kube::kKubeDryRunFlagsHelp << kRegistryFlagsHelp << kTrustedRootFlagHelp << kTufFlagsHelp;
    return kExitOk;
  }
  auto specs = registry_flag_specs();
  for (const auto& more :
       {trusted_root_flag_specs(), tuf_flag_specs(), kube::kube_policy_flag_specs(), kube::kube_secret_flag_specs(),
        kube::kube_report_flag_specs(), kube::kube_dry_run_flag_specs()})
    specs.insert(specs.end(), more.begin(), more.end());
  specs.insert(specs.end(), {{"policy"},
                             {"tls-cert"},
                             {"tls-key"},
                             {"listen"},
                             {"threads"},
                             {"review-deadline"},
                             {"max-body-bytes"},
                             {"log-level"},
                             {"log-format"},
                             {"verdict-cache-entries"},
                             {"verdict-pass-ttl"},
                             {"verdict-failure-ttl"}});
  auto line = CommandLine::parse(args, specs);
  const bool from_cluster = line && kube::wants_kube_policies(*line);
  if (!line || (!line->has("policy") && !from_cluster) || !line->has("tls-cert") || !line->has("tls-key") ||
      !line->positional().empty()) {
    std::cerr << (line ? "" : line.error().message + "\n") << kServeUsage << kube::kKubePolicyFlagsHelp
              << kube::kKubeSecretFlagsHelp << kube::kKubeReportFlagsHelp << kube::kKubeDryRunFlagsHelp
              << kRegistryFlagsHelp << kTrustedRootFlagHelp << kTufFlagsHelp;
    return kExitUsage;
  }
  auto fail = [](const Error& error) {
    std::cerr << "signet serve: " << error.message << "\n";
    return kExitUsage;
  };
  auto level = parse_log_level(line->get("log-level", "info"));
  if (!level) return fail(Error::invalid("--log-level must be debug, info, warning or error"));
  set_log_level(*level);
  auto format = parse_log_format(line->get("log-format", "text"));
  if (!format) return fail(Error::invalid("--log-format must be text or json"));
  set_log_format(*format);
  auto listen = parse_listen(line->get("listen", "0.0.0.0:8443"));
  if (!listen) return fail(listen.error());
  auto threads = line->number("threads", std::max(1u, std::thread::hardware_concurrency()));
  if (!threads) return fail(threads.error());
  auto deadline = line->seconds("review-deadline", 8);
  if (!deadline) return fail(deadline.error());
  auto body_limit = line->number("max-body-bytes", 3 * 1024 * 1024);
  if (!body_limit) return fail(body_limit.error());
  policy::VerdictCacheOptions verdict_options;
  auto verdict_entries = line->number("verdict-cache-entries", static_cast<long>(verdict_options.max_entries));
  if (!verdict_entries) return fail(verdict_entries.error());
  auto pass_ttl = line->number("verdict-pass-ttl", verdict_options.pass_ttl.count());
  if (!pass_ttl) return fail(pass_ttl.error());
  auto failure_ttl = line->number("verdict-failure-ttl", verdict_options.failure_ttl.count());
  if (!failure_ttl) return fail(failure_ttl.error());
  verdict_options = {static_cast<std::size_t>(*verdict_entries), std::chrono::seconds(*pass_ttl),
                     std::chrono::seconds(*failure_ttl)};

  if (auto trusted = apply_trusted_root_flag(*line); !trusted) return fail(trusted.error());
  oci::HttpTransportOptions mirror_transport;
  mirror_transport.ca_file = line->get("registry-ca");
  auto refresher = trust_refresher_from(*line, mirror_transport);
  if (!refresher) return fail(refresher.error());
  if (*refresher) {  // the root the last refresh verified, before any review is answered
    if (auto cached = (*refresher)->apply_cached(); cached)
      log(Level::Info, "trusted root from the TUF cache");
    else
      log(Level::Info, "no usable TUF cache yet (" + cached.error().message + "); using the embedded trusted root");
  }

  // With --kube-policies a folder mirrors the cluster's policy objects: listed before the first load, then
  // kept current by a watch whose changes reload at once rather than at the next poll. --policy may name
  // a folder of more (the chart's ConfigMap); both are read as one set.
  std::vector<std::filesystem::path> policy_paths;
  if (line->has("policy")) policy_paths.emplace_back(line->get("policy"));
  if (from_cluster) policy_paths.emplace_back(kube::kube_policy_dir(*line));
  auto secret_reader = kube::secret_reader_from(*line);
  if (!secret_reader) return fail(secret_reader.error());
  auto dry_run = kube::dry_run_from(*line);
  if (!dry_run) return fail(dry_run.error());
  policy::PolicyStore policies(policy_paths, *secret_reader, dry_run->settings);
  std::function<void()> reload_policies;
  auto watcher = kube::policy_watcher_from(
      *line,
      [&reload_policies] {
        if (reload_policies) reload_policies();
      },
      [](bool problem, const std::string& message) { log(problem ? Level::Warning : Level::Info, message); });
  if (!watcher) return fail(watcher.error());
  if (*watcher) {
    if (auto synced = (*watcher)->sync(kKubeSyncTimeout); !synced) return fail(synced.error());
  }
  auto report = policies.reload(true);
  if (!report || !log_policy_load(*report, true)) {
    log(Level::Error, "refusing to start until every policy loads", {{"policy", line->get("policy")}});
    return kExitUsage;
  }

  asio::io_context io(static_cast<int>(*threads));
  Metrics metrics;
  auto registry_options = registry_options_from(*line);
  if (!registry_options) return fail(registry_options.error());
  registry_options->observer = [&metrics](const oci::HttpExchange& exchange) {
    metrics.registry_requests.increment({exchange.host, exchange.method, std::to_string(exchange.status)});
    metrics.registry_duration.observe(exchange.seconds, {exchange.host});
  };
  registry_options->secret_source = *secret_reader;
  registry_options->pod_pull_secrets = line->has("kube-pull-secrets");
  auto registry = oci::RegistryClient::create(io.get_executor(), std::move(*registry_options));
  if (!registry) return fail(registry.error());
  record_policy_counts(metrics, policies, 0);
  auto reporting = kube::reporting_from(*line, metrics, [](bool problem, const std::string& message) {
    log(problem ? Level::Warning : Level::Info, message);
  });
  if (!reporting) return fail(reporting.error());
  policy::VerdictCache verdicts(verdict_options);
  oci::RegistryClient& client = **registry;
  WebhookOptions webhook_options{*deadline,
                                 &verdicts,
                                 [&client, &verdicts] {
                                   auto stats = client.cache_stats();
                                   stats.emplace("verdict", verdicts.stats());
                                   return stats;
                                 },
                                 {},
                                 dry_run->runner.get()};
  if (auto* writer = reporting->writer.get()) {
    webhook_options.on_decision = [writer](const policy::AdmissionRequest& request, const policy::Decision& decision) {
      writer->submit(request, decision);
    };
  }
  Webhook webhook(policies, client, metrics, webhook_options);

  HttpsServerOptions server_options;
  server_options.address = listen->first;
  server_options.port = listen->second;
  server_options.cert_file = line->get("tls-cert");
  server_options.key_file = line->get("tls-key");
  server_options.body_limit = static_cast<std::size_t>(*body_limit);
  HttpsServer server(io, webhook, server_options);
  if (auto started = server.start(); !started) return fail(started.error());
  log(Level::Info, "signet " SIGNET_VERSION " serving",
      {{"address", "https://" + listen->first + ":" + std::to_string(server.port())},
       {"policies", policies.current()->policies.size()},
       {"policy_path", line->get("policy")},
       {"cluster_policies", from_cluster},
       {"version", SIGNET_VERSION}});

  // The mirror in the background: start-up never waits for the network, and a failure keeps the root.
  if (*refresher) (*refresher)->start();

  // Policies are re-read when their files change; a broken edit keeps the last good set in force.
  asio::steady_timer reload_timer(io);
  reload_policies = [&] {
    if (auto reloaded = policies.reload()) {
      if (log_policy_load(*reloaded, false))
        log(Level::Info, "policies reloaded", {{"policies", reloaded->accepted.size()}});
      else
        log(Level::Error, "policy reload refused; keeping the previous set", {{"refused", reloaded->errors.size()}});
      record_policy_counts(metrics, policies, reloaded->errors.size());
    }
  };
  std::function<void()> schedule_reload = [&] {
    reload_timer.expires_after(kPolicyReloadInterval);
    reload_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      reload_policies();
      schedule_reload();
    });
  };
  schedule_reload();
  if (*watcher) (*watcher)->start();
  if (reporting->elector) reporting->elector->start();
  if (reporting->writer) reporting->writer->start();

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    log(Level::Info,
        std::string("received ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") + ": draining requests in flight");
    reload_timer.cancel();
    if (*watcher) (*watcher)->stop();
    server.shutdown(kShutdownDrain, [&io] { io.stop(); });
  });

  std::vector<std::thread> workers;
  for (long i = 1; i < *threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& worker : workers) worker.join();
  // After the last answer: what is queued is written, then the Lease is released for another replica.
  if (reporting->writer) reporting->writer->stop();
  if (reporting->elector) reporting->elector->stop();
  log(Level::Info, "signet stopped");
  return kExitOk;
}

}  // namespace signet::server
