#include "broker/server/identity_flags.h"

#include "broker/privacy/secret_file.h"
#include "common/status_macros.h"

namespace dsr::broker {

void AddIdentityFlags(CLI::App& app, BrokerServerOptions& options, IdentityFlagValues& values) {
  IdentityOptions& identity = options.identity;
  app.add_flag("--no_identity_verification", values.no_verification,
               "File requests without verified identifiers (no attestation): only for a broker "
               "behind an intake that verifies people itself, and for tests");
  app.add_option("--smtp_url", identity.smtp.url,
                 "SMTP server for codes and milestone emails: smtp://HOST[:PORT] (STARTTLS when "
                 "offered) or smtps://HOST[:PORT]. Without it the broker sends no email and "
                 "cannot verify email addresses");
  app.add_option("--smtp_from", identity.smtp.from, "Sender address of the broker's emails");
  app.add_option("--smtp_username", identity.smtp.username, "SMTP login, when needed");
  app.add_option("--smtp_password_file", values.smtp_password_file,
                 "File (mode 0600) with the SMTP password")
      ->check(CLI::ExistingFile);
  app.add_flag("--smtp_require_tls", identity.smtp.require_tls,
               "Send no email without TLS (STARTTLS or smtps)");
  app.add_option("--smtp_ca_file", identity.smtp.ca_file,
                 "CA certificates (PEM) to check the SMTP server with; default: the system's")
      ->check(CLI::ExistingFile);
  app.add_option("--phone_sender_command", identity.phone_command,
                 "Executable that sends a text message: run without arguments, the number on "
                 "the first line of standard input and the message after it, exit 0 when sent. "
                 "Without it phone numbers cannot be verified")
      ->check(CLI::ExistingFile);
  app.add_flag("!--no_web_site_verification", identity.verify_web_sites,
               "Do not verify URL identifiers by web-site challenge");
  app.add_option("--challenge_connect_to", identity.web.connect_to,
                 "HOST:PORT:CONNECT_HOST:CONNECT_PORT (as curl's --connect-to): fetch "
                 "challenges of HOST:PORT from elsewhere, still checking HOST's certificate "
                 "(tests)")
      ->delimiter(',');
  app.add_option("--challenge_ca_file", identity.web.ca_file,
                 "CA certificates (PEM) to check web sites with; default: the system's")
      ->check(CLI::ExistingFile);
  app.add_option("--attestation_key_file", identity.attestation_key_file,
                 "File with the Ed25519 key that signs attestations (64 hex digits, mode "
                 "0600), made when missing. Default: DATA_DIR/attestation_key");
  app.add_option("--code_minutes", values.code_minutes,
                 "How long a one-time code or challenge may be confirmed")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1440.0));
  app.add_option("--code_attempts", identity.code_attempts, "Wrong codes a verification takes")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  app.add_option("--verification_token_minutes", values.token_minutes,
                 "How long a verification token may be spent")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 10080.0));
  app.add_option("--verifications_per_address_per_hour", values.verifications_per_address_per_hour,
                 "CreateVerification calls one client address may make an hour (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--verifications_per_address_burst",
                 options.rate_limits.verifications_per_address.burst, "... and at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--verifications_per_identifier_per_hour",
                 values.verifications_per_identifier_per_hour,
                 "Codes sent to one identifier an hour, whoever asks (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--verifications_per_identifier_burst",
                 options.rate_limits.verifications_per_identifier.burst, "... and at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--lookups_per_address_per_hour", values.lookups_per_address_per_hour,
                 "ListRequests calls one client address may make an hour (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--lookups_per_identifier_per_hour", values.lookups_per_identifier_per_hour,
                 "ListRequests calls for one verified identifier an hour (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--confirmations_per_address_per_minute",
                 values.confirmations_per_address_per_minute,
                 "ConfirmVerification calls one client address may make a minute (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
}

absl::Status ApplyIdentityFlags(const IdentityFlagValues& values, BrokerServerOptions& options) {
  IdentityOptions& identity = options.identity;
  identity.require_verification = !values.no_verification;
  identity.code_lifetime = absl::Seconds(values.code_minutes * 60);
  identity.token_lifetime = absl::Seconds(values.token_minutes * 60);
  RateLimits& rates = options.rate_limits;
  rates.verifications_per_address.per_second = values.verifications_per_address_per_hour / 3600;
  rates.verifications_per_identifier.per_second =
      values.verifications_per_identifier_per_hour / 3600;
  rates.confirmations_per_address.per_second = values.confirmations_per_address_per_minute / 60;
  rates.lookups_per_address.per_second = values.lookups_per_address_per_hour / 3600;
  rates.lookups_per_identifier.per_second = values.lookups_per_identifier_per_hour / 3600;
  if (!values.smtp_password_file.empty()) {
    DSR_ASSIGN_OR_RETURN(std::optional<std::string> password,
                         ReadSecretFile(values.smtp_password_file, "SMTP password file"));
    if (!password.has_value()) {
      return absl::FailedPreconditionError("the SMTP password file is missing");
    }
    identity.smtp.password = *password;
  }
  return absl::OkStatus();
}

}  // namespace dsr::broker
