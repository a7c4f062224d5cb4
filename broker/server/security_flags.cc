#include "broker/server/security_flags.h"

namespace dsr::broker {

void AddSecurityFlags(CLI::App& app, BrokerServerOptions& options, SecurityFlagValues& values) {
  app.add_option("--master_key_file", options.master_key_file,
                 "File with the master key (64 hex digits, mode 0600) that wraps the keys "
                 "encrypting personal data; made when missing while the database is new. "
                 "Default: DATA_DIR/master_key; keep it on another volume in production");
  app.add_option("--pepper_file", options.pepper_file,
                 "File with the pepper of subject pseudonyms (64 hex digits, mode 0600); "
                 "made like the master key. Default: DATA_DIR/pepper");
  app.add_option("--retention_days", values.retention_days,
                 "Destroy a request's personal data this many days after it was completed "
                 "or cancelled")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 36500.0));

  TlsOptions& tls = options.tls;
  app.add_option("--tls_cert", tls.cert_file, "Server certificate chain (PEM): serve TLS")
      ->check(CLI::ExistingFile);
  app.add_option("--tls_key", tls.key_file, "Server private key (PEM)")->check(CLI::ExistingFile);
  app.add_option("--client_ca", tls.client_ca_file,
                 "CA of client certificates (PEM): mutual TLS; a certificate with URI SAN "
                 "dsr:actors/ACTOR identifies that organisation")
      ->check(CLI::ExistingFile);
  app.add_flag("--require_tls", tls.require_tls, "Refuse to start on a plaintext port");

  app.add_option("--submits_per_address_per_minute", values.submits_per_address_per_minute,
                 "SubmitRequest calls one client address may make a minute (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--submits_per_address_burst", options.rate_limits.submits_per_address.burst,
                 "... and at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--submits_per_subject_per_hour", values.submits_per_subject_per_hour,
                 "New requests for one person (by any of their identifiers) an hour (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--submits_per_subject_burst", options.rate_limits.submits_per_subject.burst,
                 "... and at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--failed_auths_per_address_per_minute",
                 values.failed_authentications_per_address_per_minute,
                 "Failed authentications one client address may make a minute (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--failed_auths_per_address_burst",
                 options.rate_limits.failed_authentications_per_address.burst, "... and at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--trusted_proxies", options.rate_limits.trusted_proxies,
                 "IP addresses of front proxies whose x-forwarded-for names the client "
                 "(comma-separated), e.g. 127.0.0.1 for deploy/haproxy.cfg on this host")
      ->delimiter(',');
  app.add_option("--failed_auth_delay_ms", values.failed_authentication_delay_ms,
                 "How long the answer to a failed authentication waits")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60000.0));
}

void ApplySecurityFlags(const SecurityFlagValues& values, BrokerServerOptions& options) {
  options.retention = absl::Seconds(values.retention_days * 86400);
  RateLimits& rates = options.rate_limits;
  rates.submits_per_address.per_second = values.submits_per_address_per_minute / 60;
  rates.submits_per_subject.per_second = values.submits_per_subject_per_hour / 3600;
  rates.failed_authentications_per_address.per_second =
      values.failed_authentications_per_address_per_minute / 60;
  rates.failed_authentication_delay = absl::Milliseconds(values.failed_authentication_delay_ms);
}

}  // namespace dsr::broker
