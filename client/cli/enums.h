#ifndef DSR_CLIENT_CLI_ENUMS_H_
#define DSR_CLIENT_CLI_ENUMS_H_

// Command-line words for the API's enums: lowercase, dashes for
// underscores ("erasure", "no-data-found"). Pure functions.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace dsr::client {

// The value of `type` named `word` ("fine-tuned-from" for FINE_TUNED_FROM);
// INVALID_ARGUMENT naming `what` and listing the choices otherwise. The
// *_UNSPECIFIED value is never a choice.
absl::StatusOr<int> ParseEnumWord(const google::protobuf::EnumDescriptor* type,
                                  const std::string& word, const std::string& what);

// The word for `value` of `type` ("erasure").
std::string EnumWord(const google::protobuf::EnumDescriptor* type, int value);

// Every word of `type`, for help texts.
std::vector<std::string> EnumWords(const google::protobuf::EnumDescriptor* type);

}  // namespace dsr::client

#endif  // DSR_CLIENT_CLI_ENUMS_H_
