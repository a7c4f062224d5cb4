// The building blocks of personal-data protection: authenticated encryption,
// keyed pseudonyms and the key files.

#include <sys/stat.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "broker/identity/identifiers.h"
#include "broker/privacy/aead.h"
#include "broker/privacy/pseudonyms.h"
#include "broker/privacy/secret_file.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace dsr::broker {
namespace {

using Type = dsr::v1::SubjectIdentifier::Type;

const std::string kKey(32, 'k');

TEST(AeadTest, OpensWhatItSealed) {
  ASSERT_OK_AND_ASSIGN(std::string sealed, Seal(kKey, "alice@example.com", "record-1"));
  EXPECT_EQ(sealed.find("alice"), std::string::npos);
  EXPECT_EQ(sealed.size(), 1 + 12 + 17 + 16);
  ASSERT_OK_AND_ASSIGN(std::string opened, Open(kKey, sealed, "record-1"));
  EXPECT_EQ(opened, "alice@example.com");
  ASSERT_OK_AND_ASSIGN(std::string empty, Seal(kKey, "", "record-1"));
  ASSERT_OK_AND_ASSIGN(std::string nothing, Open(kKey, empty, "record-1"));
  EXPECT_EQ(nothing, "");
}

// The GCM specification's test case 16 (AES-256, 96-bit nonce, with
// associated data), in the sealed format: version, nonce, ciphertext, tag.
TEST(AeadTest, OpensTheGcmSpecificationsTestVector) {
  const std::string key =
      absl::HexStringToBytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string sealed = absl::HexStringToBytes(
      "01"
      "cafebabefacedbaddecaf888"
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
      "56828838c5f61e6393ba7a0abcc9f662"
      "76fc6ece0f4e1768cddf8853bb2d551b");
  const std::string associated = absl::HexStringToBytes("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  ASSERT_OK_AND_ASSIGN(std::string plain, Open(key, sealed, associated));
  EXPECT_EQ(absl::BytesToHexString(plain),
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e"
            "2449a6b525b16aedf5aa0de657ba637b39");
}

TEST(AeadTest, EachSealUsesAFreshNonce) {
  ASSERT_OK_AND_ASSIGN(std::string a, Seal(kKey, "same", "ad"));
  ASSERT_OK_AND_ASSIGN(std::string b, Seal(kKey, "same", "ad"));
  EXPECT_NE(a, b);
}

TEST(AeadTest, RefusesAnotherKeyAnotherRecordAndAnyAlteredByte) {
  ASSERT_OK_AND_ASSIGN(std::string sealed, Seal(kKey, "alice@example.com", "record-1"));
  EXPECT_CODE(Open(std::string(32, 'x'), sealed, "record-1"), absl::StatusCode::kDataLoss);
  EXPECT_CODE(Open(kKey, sealed, "record-2"), absl::StatusCode::kDataLoss);
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] ^= 0x01;
    EXPECT_CODE(Open(kKey, altered, "record-1"), absl::StatusCode::kDataLoss) << "byte " << i;
  }
  EXPECT_CODE(Open(kKey, sealed.substr(0, 28), "record-1"), absl::StatusCode::kDataLoss);
  EXPECT_CODE(Open(kKey, "", "record-1"), absl::StatusCode::kDataLoss);
}

TEST(AeadTest, RefusesKeysOfTheWrongSize) {
  EXPECT_CODE(Seal(std::string(16, 'k'), "x", ""), absl::StatusCode::kInternal);
}

TEST(PseudonymsTest, DigestIsHmacSha256) {
  // RFC 4231, test case 2.
  Pseudonyms jefe("Jefe");
  EXPECT_EQ(absl::BytesToHexString(jefe.Digest("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// The stored form: HMAC-SHA256(pepper, decimal type, 0x00, normalised value).
// Computed independently with
//   printf '1\0alice@example.com' | openssl dgst -sha256 -mac HMAC -macopt key:ppp...p
TEST(PseudonymsTest, FormatIsPinned) {
  const Pseudonyms pepper(std::string(32, 'p'));
  EXPECT_EQ(
      absl::BytesToHexString(pepper.Of(dsr::v1::SubjectIdentifier::EMAIL, "alice@example.com")),
      "c801f8ebea38bd4bb17a0c65cbee9a138593c70adb857a58588b5ab68790dbcd");
}

// The same person written differently gets one pseudonym; different people,
// types or peppers get different ones.
TEST(PseudonymsTest, FollowNormalisation) {
  const Pseudonyms pepper(std::string(32, 'p'));
  auto of = [&](Type type, absl::string_view value) {
    absl::StatusOr<std::string> normalised = NormalizeIdentifier(type, value, 512, "f");
    EXPECT_OK(normalised);
    return pepper.Of(type, normalised.ok() ? *normalised : "");
  };
  struct Same {
    Type type;
    const char* a;
    const char* b;
  };
  const Same same[] = {
      {dsr::v1::SubjectIdentifier::EMAIL, "Alice@Example.COM", "alice@example.com"},
      {dsr::v1::SubjectIdentifier::EMAIL, "  alice@example.com\t", "alice@example.com"},
      {dsr::v1::SubjectIdentifier::URL, "HTTPS://Example.com:443/a/../b", "https://example.com/b"},
      {dsr::v1::SubjectIdentifier::URL, "https://example.com", "https://example.com/"},
      {dsr::v1::SubjectIdentifier::URL, "https://example.com/%7Ealice",
       "https://example.com/~alice"},
      {dsr::v1::SubjectIdentifier::NAME, "  Alice   Smith ", "Alice Smith"},
      {dsr::v1::SubjectIdentifier::PHONE, "+44 (20) 7946-0000", "+442079460000"},
  };
  for (const Same& s : same) {
    EXPECT_EQ(absl::BytesToHexString(of(s.type, s.a)), absl::BytesToHexString(of(s.type, s.b)))
        << s.a << " vs " << s.b;
  }
  EXPECT_NE(of(dsr::v1::SubjectIdentifier::EMAIL, "alice@example.com"),
            of(dsr::v1::SubjectIdentifier::EMAIL, "alice@example.org"));
  EXPECT_NE(of(dsr::v1::SubjectIdentifier::NAME, "alice"),
            of(dsr::v1::SubjectIdentifier::OTHER, "alice"));
  EXPECT_NE(pepper.Of(1, "alice@example.com"),
            Pseudonyms(std::string(32, 'q')).Of(1, "alice@example.com"));
  EXPECT_EQ(pepper.Of(1, "alice@example.com").size(), 32);
}

TEST(KeyFileTest, MakesAPrivateHexKeyOnlyWhenAllowed) {
  testing::TempDir dir;
  const std::string path = dir.Sub("keys/master_key");
  EXPECT_CODE(LoadOrCreateKeyFile(path, "master key file", /*may_create=*/false),
              absl::StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(std::string key, LoadOrCreateKeyFile(path, "master key file", true));
  EXPECT_EQ(key.size(), 32);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, absl::BytesToHexString(key));
  ASSERT_OK_AND_ASSIGN(std::string again, LoadOrCreateKeyFile(path, "master key file", false));
  EXPECT_EQ(again, key);
}

TEST(KeyFileTest, RefusesOpenPermissionsAndMalformedKeys) {
  testing::TempDir dir;
  const std::string path = dir.Sub("pepper");
  { std::ofstream(path) << std::string(64, 'a') << "\n"; }
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_CODE(LoadOrCreateKeyFile(path, "pepper file", true),
              absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_OK_AND_ASSIGN(std::string pepper, LoadOrCreateKeyFile(path, "pepper file", true));
  EXPECT_EQ(pepper, std::string(32, '\xaa'));
  for (const std::string& bad :
       {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'g')}) {
    std::ofstream(path, std::ios::trunc) << bad << "\n";
    absl::StatusOr<std::string> read = LoadOrCreateKeyFile(path, "pepper file", true);
    EXPECT_CODE(read, absl::StatusCode::kFailedPrecondition) << bad;
    EXPECT_EQ(read.status().message().find(bad), std::string::npos);
  }
}

}  // namespace
}  // namespace dsr::broker
