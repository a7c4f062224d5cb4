// The text-message sender runs an operator's command: what the command gets,
// and what happens when it fails or goes away without reading.

#include "broker/notify/command_sender.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace dsr::broker {
namespace {

std::string Script(const testing::TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.Sub(name);
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0700);
  return path;
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CommandSenderTest, TheCommandGetsTheNumberAndMessageOnItsInputOnly) {
  testing::TempDir dir;
  const std::string out = dir.Sub("got");
  ::setenv("DSR_TEST_SECRET", "leaked", 1);
  const std::string command =
      Script(dir, "send",
             "echo \"args:$# secret:${DSR_TEST_SECRET:-none} path:${PATH:+set}\" > " + out +
                 "; cat >> " + out);
  std::unique_ptr<SendQueue> sender = NewCommandSender(command);
  ASSERT_TRUE(sender->DeliverNow({"+442079460958", "", "Your code: 12345678\n"}).ok());
  const std::string got = Read(out);
  // No argument (the number is not on a command line), nothing of the
  // broker's environment but PATH.
  EXPECT_EQ(got, "args:0 secret:none path:set\n+442079460958\nYour code: 12345678\n");
}

TEST(CommandSenderTest, AFailingOrDeafCommandIsAnErrorNotACrash) {
  testing::TempDir dir;
  EXPECT_FALSE(NewCommandSender(Script(dir, "fail", "exit 3"))
                   ->DeliverNow({"+442079460958", "", "hello"})
                   .ok());
  // Exits without reading a long message: the write meets a closed pipe,
  // which fails the delivery (and does not kill the process with SIGPIPE).
  OutgoingMessage long_message{"+442079460958", "", std::string(1 << 20, 'x')};
  EXPECT_FALSE(NewCommandSender(Script(dir, "deaf", "exit 0"))->DeliverNow(long_message).ok());
  EXPECT_FALSE(NewCommandSender(dir.Sub("missing"))->DeliverNow({"+1", "", "x"}).ok());
}

}  // namespace
}  // namespace dsr::broker
