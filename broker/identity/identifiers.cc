#include "broker/identity/identifiers.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace dsr::broker {
namespace {

using Type = dsr::v1::SubjectIdentifier::Type;

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, " is not a valid ", what));
}

// Tabs count as whitespace, not as control characters.
bool HasControl(absl::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

std::string CollapseWhitespace(absl::string_view s) {
  std::vector<absl::string_view> words =
      absl::StrSplit(s, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

absl::StatusOr<std::string> Email(absl::string_view value, absl::string_view field) {
  std::string email = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  const size_t at = email.find('@');
  const bool ok =
      at != std::string::npos && at > 0 && email.find('@', at + 1) == std::string::npos &&
      email.find('.', at) != std::string::npos && email.back() != '.' && email[at + 1] != '.' &&
      // Nothing that could split a header or an SMTP command.
      email.find_first_of(" \t<>,;:\"()[]\\") == std::string::npos;
  if (!ok) return Invalid(field, "email address");
  return email;
}

absl::StatusOr<std::string> Username(absl::string_view value, absl::string_view field) {
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  const size_t colon = name.find(':');
  const bool ok = colon != std::string::npos && colon > 0 && colon + 1 < name.size() &&
                  name.find_first_of(" \t") == std::string::npos;
  if (!ok) return Invalid(field, "username (platform:handle)");
  return name;
}

absl::StatusOr<std::string> Phone(absl::string_view value, absl::string_view field) {
  // "+33 (0)6 ..." writes the national trunk prefix in brackets; E.164 drops
  // it.
  const std::string without_trunk = absl::StrReplaceAll(value, {{"(0)", ""}});
  value = without_trunk;
  std::string digits;
  absl::string_view v = absl::StripAsciiWhitespace(value);
  bool plus = false;
  if (!v.empty() && v[0] == '+') {
    plus = true;
    v.remove_prefix(1);
  }
  for (char c : v) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return Invalid(field, "phone number (E.164)");
    }
  }
  if (!plus) {
    if (digits.rfind("00", 0) != 0) return Invalid(field, "phone number (E.164)");
    digits.erase(0, 2);
  }
  if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') {
    return Invalid(field, "phone number (E.164)");
  }
  return absl::StrCat("+", digits);
}

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Upper-case hex in every escape; escapes of unreserved characters decoded.
// False on a broken escape.
bool NormalizePercent(absl::string_view in, std::string* out) {
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    const char decoded = static_cast<char>(hi * 16 + lo);
    if (IsUnreserved(decoded)) {
      out->push_back(decoded);
    } else {
      absl::StrAppend(out, "%", absl::AsciiStrToUpper(absl::string_view(in.data() + i + 1, 2)));
    }
    i += 2;
  }
  return true;
}

// Host names are case-insensitive: lower case, except the hex digits of
// escapes, which stay upper case (RFC 3986 6.2.2.1). Run after
// NormalizePercent, which may decode an escape to an upper-case letter.
void LowerOutsideEscapes(std::string* s) {
  for (size_t i = 0; i < s->size(); ++i) {
    if ((*s)[i] == '%') {
      i += 2;
    } else {
      (*s)[i] = absl::ascii_tolower(static_cast<unsigned char>((*s)[i]));
    }
  }
}

// RFC 3986 5.2.4.
std::string RemoveDotSegments(absl::string_view path) {
  std::vector<absl::string_view> output;
  std::vector<absl::string_view> segments = absl::StrSplit(path, '/');
  // A path "/a/b" splits as "", "a", "b"; keep the leading empty segment.
  for (size_t i = 0; i < segments.size(); ++i) {
    absl::string_view seg = segments[i];
    const bool last = i + 1 == segments.size();
    if (seg == ".") {
      if (last) output.push_back("");
    } else if (seg == "..") {
      if (output.size() > 1) output.pop_back();
      if (last) output.push_back("");
    } else {
      output.push_back(seg);
    }
  }
  return absl::StrJoin(output, "/");
}

absl::StatusOr<std::string> Url(absl::string_view value, absl::string_view field) {
  absl::string_view v = absl::StripAsciiWhitespace(value);
  const size_t scheme_end = v.find("://");
  if (scheme_end == absl::string_view::npos || scheme_end == 0) return Invalid(field, "URL");
  std::string scheme = absl::AsciiStrToLower(v.substr(0, scheme_end));
  for (char c : scheme) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return Invalid(field, "URL");
    }
  }
  absl::string_view rest = v.substr(scheme_end + 3);
  const size_t authority_end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, authority_end);
  absl::string_view tail =
      authority_end == absl::string_view::npos ? "" : rest.substr(authority_end);
  std::string userinfo;
  const size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    userinfo = std::string(authority.substr(0, at + 1));
    authority.remove_prefix(at + 1);
  }
  std::string host;
  std::string port;
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos && authority.find(']', colon) == absl::string_view::npos) {
    host = absl::AsciiStrToLower(authority.substr(0, colon));
    port = std::string(authority.substr(colon + 1));
  } else {
    host = absl::AsciiStrToLower(authority);
  }
  // Outside an IP literal ("[::1]") a colon in the host would be read as the
  // port separator once the default port is dropped.
  const bool ip_literal = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (host.empty() || host.find_first_of(" \t") != std::string::npos ||
      (host.find(':') != std::string::npos && !ip_literal)) {
    return Invalid(field, "URL");
  }
  for (char c : port) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return Invalid(field, "URL");
  }
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443") || port.empty()) {
    port.clear();
  }
  // Path, then query and fragment as they are (percent-normalised).
  const size_t path_end = tail.find_first_of("?#");
  absl::string_view raw_path = tail.substr(0, path_end);
  absl::string_view suffix = path_end == absl::string_view::npos ? "" : tail.substr(path_end);
  std::string path, rest_out, host_out;
  if (!NormalizePercent(raw_path, &path) || !NormalizePercent(suffix, &rest_out) ||
      !NormalizePercent(host, &host_out)) {
    return Invalid(field, "URL");
  }
  LowerOutsideEscapes(&host_out);
  path = RemoveDotSegments(path);
  if (path.empty() && (scheme == "http" || scheme == "https")) path = "/";
  return absl::StrCat(scheme, "://", userinfo, host_out, port.empty() ? "" : ":", port, path,
                      rest_out);
}

}  // namespace

absl::StatusOr<std::string> NormalizeIdentifier(Type type, absl::string_view value,
                                                size_t max_bytes, absl::string_view field) {
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be at most ", max_bytes, " bytes"));
  }
  if (HasControl(value)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must not contain control characters"));
  }
  if (absl::StripAsciiWhitespace(value).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  switch (type) {
    case dsr::v1::SubjectIdentifier::EMAIL:
      return Email(value, field);
    case dsr::v1::SubjectIdentifier::URL:
      return Url(value, field);
    case dsr::v1::SubjectIdentifier::USERNAME:
      return Username(value, field);
    case dsr::v1::SubjectIdentifier::PHONE:
      return Phone(value, field);
    case dsr::v1::SubjectIdentifier::NAME:
    case dsr::v1::SubjectIdentifier::OTHER:
      return CollapseWhitespace(value);
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, " has an unknown type"));
  }
}

}  // namespace dsr::broker
