#include "client/cli/enums.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/cli/cli.h"

namespace dsr::client {
namespace {

std::string Word(const std::string& name) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", "-"}});
}

}  // namespace

absl::StatusOr<int> ParseEnumWord(const google::protobuf::EnumDescriptor* type,
                                  const std::string& word, const std::string& what) {
  const std::string wanted = Word(word);
  for (int i = 0; i < type->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = type->value(i);
    if (value->number() != 0 && Word(value->name()) == wanted) return value->number();
  }
  return UsageError(absl::StrCat(what, " must be one of: ", absl::StrJoin(EnumWords(type), ", ")));
}

std::string EnumWord(const google::protobuf::EnumDescriptor* type, int value) {
  const google::protobuf::EnumValueDescriptor* found = type->FindValueByNumber(value);
  return found == nullptr ? absl::StrCat(value) : Word(found->name());
}

std::vector<std::string> EnumWords(const google::protobuf::EnumDescriptor* type) {
  std::vector<std::string> words;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) words.push_back(Word(type->value(i)->name()));
  }
  return words;
}

}  // namespace dsr::client
