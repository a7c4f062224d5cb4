#include "broker/notify/smtp_mailer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "broker/base/tokens.h"
#include "broker/notify/curl_ready.h"

namespace dsr::broker {

namespace {

bool IsAscii(absl::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A header value without line breaks (a message never carries the caller's
// text in a header, but the sender and subject come from flags and code).
std::string OneLine(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"\r", " "}, {"\n", " "}});
}

struct Upload {
  std::string data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  Upload* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct CurlFree {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

absl::Status SendOnce(const SmtpOptions& options, const OutgoingMessage& message) {
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  CURL* c = curl.get();
  Upload upload{FormatEmail(options, message, absl::Now())};
  std::unique_ptr<curl_slist, SlistFree> recipients(
      curl_slist_append(nullptr, absl::StrCat("<", message.to, ">").c_str()));
  curl_easy_setopt(c, CURLOPT_URL, options.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, absl::StrCat("<", options.from, ">").c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_USE_SSL, options.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options.password.c_str());
  }
  const CURLcode code = curl_easy_perform(c);
  if (code == CURLE_OK) return absl::OkStatus();
  // curl's messages name the server and the SMTP reply, never the
  // recipient; the reply text is the server's and could echo the address,
  // so only the code and curl's own words are kept.
  return absl::UnavailableError(absl::StrCat("SMTP: ", curl_easy_strerror(code)));
}

}  // namespace

std::string FormatEmail(const SmtpOptions& options, const OutgoingMessage& message,
                        absl::Time now) {
  const std::string subject = OneLine(message.subject);
  const std::string encoded_subject =
      IsAscii(subject) ? subject : absl::StrCat("=?UTF-8?B?", absl::Base64Escape(subject), "?=");
  std::string body = absl::StrReplaceAll(message.body, {{"\r\n", "\n"}});
  body = absl::StrReplaceAll(body, {{"\n", "\r\n"}});
  if (!absl::EndsWith(body, "\r\n")) body += "\r\n";
  std::string domain = "dsr-broker";
  if (size_t at = options.from.find('@'); at != std::string::npos) {
    domain = options.from.substr(at + 1);
  }
  return absl::StrCat(
      "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", now, absl::UTCTimeZone()), "\r\n",
      "From: <", OneLine(options.from), ">\r\n", "To: <", OneLine(message.to), ">\r\n",
      "Subject: ", encoded_subject, "\r\n", "Message-ID: <", NewRandomId(128), "@", OneLine(domain),
      ">\r\n", "MIME-Version: 1.0\r\n", "Content-Type: text/plain; charset=UTF-8\r\n",
      "Content-Transfer-Encoding: 8bit\r\n", "Auto-Submitted: auto-generated\r\n", "\r\n", body);
}

absl::StatusOr<std::unique_ptr<SendQueue>> NewSmtpMailer(SmtpOptions options) {
  if (!absl::StartsWith(options.url, "smtp://") && !absl::StartsWith(options.url, "smtps://")) {
    return absl::InvalidArgumentError("smtp_url must start with smtp:// or smtps://");
  }
  if (options.from.empty() || options.from.find('@') == std::string::npos ||
      options.from.find_first_of("\r\n<> ") != std::string::npos) {
    return absl::InvalidArgumentError("smtp_from must be an email address");
  }
  EnsureCurlReady();
  options.queue.channel = "email";
  SendQueueOptions queue = options.queue;
  return std::make_unique<SendQueue>(
      queue, [options = std::move(options)](const OutgoingMessage& message) {
        return SendOnce(options, message);
      });
}

}  // namespace dsr::broker
