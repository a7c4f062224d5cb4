#ifndef DSR_TESTS_SUPPORT_PROVENANCE_DATA_H_
#define DSR_TESTS_SUPPORT_PROVENANCE_DATA_H_

#include <string>

namespace dsr::testing {

// The directory of the real lineage graph's TSV files (data/
// provenance/, set by the build).
inline std::string ProvenanceDir() { return DSR_PROVENANCE_DIR; }

}  // namespace dsr::testing

#endif  // DSR_TESTS_SUPPORT_PROVENANCE_DATA_H_
