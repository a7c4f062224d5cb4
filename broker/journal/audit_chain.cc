#include "broker/journal/audit_chain.h"

#include "broker/base/tokens.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace dsr::broker {

const std::string& GenesisHash() {
  static const auto* genesis = new std::string(32, '\0');
  return *genesis;
}

std::string ChainHash(const std::string& previous_hash,
                      const dsr::storage::v1::AuditEventRecord& event) {
  dsr::storage::v1::AuditEventRecord unhashed = event;
  unhashed.clear_hash();
  std::string bytes = previous_hash;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    unhashed.SerializeToCodedStream(&out);
  }
  return Sha256(bytes);
}

}  // namespace dsr::broker
