"""The whole story with the real binaries and the `dsr` command line alone:
the operator registers organisations, they register and link holdings, a
person files requests, the holders answer through `dsr task`, and the person
follows it to the end with `dsr status` and `dsr report`.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

BROKER = os.environ["DSR_BROKER_BINARY"]
DSR = os.environ["DSR_BINARY"]


class CliStoryTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="dsr-cli-", dir=os.environ.get("TEST_TMPDIR"))
        self.broker = subprocess.Popen(
            [BROKER, "--listen", "127.0.0.1:0", "--data_dir", os.path.join(self.root, "var"),
             "--no_identity_verification"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.broker.stdout:
            if line.startswith("listening on "):
                self.address = line.split()[-1]
                break
        with open(os.path.join(self.root, "var", "admin_token")) as f:
            self.admin = f.read().strip()
        self.env = dict(os.environ, DSR_BROKER=self.address,
                        XDG_DATA_HOME=os.path.join(self.root, "person"))
        self.env.pop("DSR_TOKEN", None)

    def tearDown(self):
        self.broker.send_signal(signal.SIGTERM)
        self.assertEqual(self.broker.wait(timeout=30), 0)
        self.broker.stdout.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def dsr(self, *args, token=None, ok=True):
        command = [DSR] + (["--token", token] if token else []) + list(args)
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60)
        if ok:
            self.assertEqual(done.returncode, 0, f"{args}: {done.stderr}")
        return done

    def actor(self, name):
        out = self.dsr("admin", "actor", "create", name, "--name", name.title(), "--role",
                       "dataset-publisher", "--contact", f"dpo@{name}.example",
                       token=self.admin).stdout
        return out.strip().splitlines()[-1]

    def test_erasure_and_access_from_filing_to_completion(self):
        acme, beta = self.actor("acme"), self.actor("beta")
        self.dsr("holding", "create", "crawl", "--owner", "actors/acme", "--kind", "dataset",
                 "--title", "Crawl", "--external-id", "hf:acme/crawl", token=acme)
        self.dsr("holding", "create", "model", "--owner", "actors/beta", "--kind", "model",
                 "--title", "Model", "--category", "forum posts", token=beta)
        proposed = self.dsr("link", "add", "actors/beta/holdings/model",
                            "actors/acme/holdings/crawl", "--relation", "trained-on",
                            token=beta).stdout
        self.assertIn("proposed: requests follow it once the owner of", proposed)
        # Until acme accepts, the claim forwards nothing and shows in no lineage.
        self.assertNotIn("beta", self.dsr("lineage", "actors/acme/holdings/crawl").stdout)
        pending = self.dsr("link", "list", "actors/acme", "--state", "proposed", token=acme).stdout
        link = re.search(r"(links/\w+)", pending).group(1)
        self.assertIn("accepted", self.dsr("link", "accept", link, token=acme).stdout)
        tree = self.dsr("lineage", "actors/acme/holdings/crawl").stdout
        self.assertIn("└── actors/beta/holdings/model", tree)

        filed = self.dsr("submit", "erasure", "--email", "Grace@Example.org",
                         "--holding", "actors/acme/holdings/crawl").stdout
        self.assertIn("forwarded to 2 holdings", filed)
        request = re.search(r"Filed (requests/\w+)", filed).group(1)

        # Each holder finds its task in its inbox and answers it.
        acme_tasks = self.dsr("inbox", "list", token=acme).stdout
        acme_task = re.search(r"(requests/\w+/tasks/\d+)", acme_tasks).group(1)
        self.assertIn("grace@example.org", self.dsr("task", "show", acme_task, token=acme).stdout)
        self.dsr("task", "complete", acme_task, "--outcome", "erased", token=acme)
        # Beta's inbox: the link's acceptance, then the task.
        watched = self.dsr("inbox", "watch", "--count", "2", token=beta).stdout
        self.assertIn("link-accepted", watched)
        beta_task = re.search(r"(requests/\w+/tasks/\d+)", watched).group(1)
        self.dsr("task", "refuse", beta_task, "--ground", "legal-claims",
                 "--explanation", "needed for a pending lawsuit", token=beta)

        status = self.dsr("status").stdout
        self.assertIn(f"{request}  erasure  completed", status)
        self.assertIn("erased", status)
        self.assertIn('legal-claims: (the holder\'s words) "needed for a pending lawsuit"', status)
        # A holder cannot answer twice; the person is told why in one line.
        again = self.dsr("task", "complete", acme_task, "--outcome", "erased", token=acme, ok=False)
        self.assertEqual(again.returncode, 1)
        self.assertEqual(len(again.stderr.strip().splitlines()), 1)

        # An access request: the report shows sources and recipients from the lineage.
        self.dsr("submit", "access", "--email", "grace@example.org", "--holding",
                 "actors/acme/holdings/crawl")
        report = self.dsr("report").stdout
        self.assertIn('recipients: (the holder\'s words) "actors/beta/holdings/model"', report)
        self.assertIn('sources: (the holder\'s words) "actors/acme/holdings/crawl"', report)

    def test_real_graph_imported_then_an_erasure_answered_by_every_holder(self):
        provenance = os.environ["DSR_PROVENANCE_DIR"]
        tokens_file = os.path.join(self.root, "tokens.txt")
        imported = self.dsr("admin", "import", "--nodes", os.path.join(provenance, "nodes.tsv"),
                            "--edges", os.path.join(provenance, "graph.tsv"),
                            "--tokens-out", tokens_file, token=self.admin).stdout
        self.assertIn("links:         3531 new", imported)
        self.assertEqual(os.stat(tokens_file).st_mode & 0o777, 0o600)
        again = self.dsr("admin", "import", "--nodes", os.path.join(provenance, "nodes.tsv"),
                         "--edges", os.path.join(provenance, "graph.tsv"),
                         "--tokens-out", tokens_file, token=self.admin).stdout
        self.assertIn("Nothing to change", again)
        tokens = dict(line.split() for line in open(tokens_file))

        found = self.dsr("holdings", "--external-id", "hf:squad").stdout.splitlines()
        self.assertEqual(len(found), 2, found)  # header and one holding
        squad = found[1].split()[0]

        filed = self.dsr("submit", "erasure", "--email", "heidi@example.com",
                         "--holding", squad).stdout
        self.assertIn("forwarded to 38 holdings", filed)  # squad and its 37 descendants
        request = re.search(r"Filed (requests/\w+)", filed).group(1)
        status = self.dsr("status").stdout
        holders = sorted(set(re.findall(r"^actors/([\w-]+)\s", status, re.M)))
        self.assertEqual(len(re.findall(r"^actors/", status, re.M)), 38)

        # Every reached organisation finds its tasks in its inbox and answers
        # them with its own token.
        answered = 0
        for holder in holders:
            token = tokens[holder]
            listed = self.dsr("inbox", "list", "--state", "open", token=token).stdout
            for task in re.findall(rf"^({request}/tasks/\d+)", listed, re.M):
                self.assertIn("heidi@example.com",
                              self.dsr("task", "show", task, token=token).stdout)
                if answered % 2 == 0:
                    self.dsr("task", "complete", task, "--outcome", "excluded-from-training",
                             token=token)
                else:
                    self.dsr("task", "refuse", task, "--ground", "archiving-research-statistics",
                             "--explanation", "kept in a public research archive", token=token)
                answered += 1
        self.assertEqual(answered, 38)
        final = self.dsr("status").stdout
        self.assertIn(f"{request}  erasure  completed", final)
        self.assertIn("completed 19, refused 19", final)
        self.assertIn("excluded-from-training", final)

        self.dsr("submit", "access", "--email", "heidi@example.com", "--holding", squad,
                 "--scope", "target")
        report = self.dsr("report").stdout
        self.assertIn("recipients: ", report)

    def test_errors_are_one_clear_line(self):
        unreachable = subprocess.run([DSR, "--broker", "127.0.0.1:1", "holdings"], env=self.env,
                                     capture_output=True, text=True, timeout=60)
        self.assertEqual(unreachable.returncode, 1)
        self.assertEqual(unreachable.stderr,
                         "dsr: cannot reach the broker at 127.0.0.1:1 (if it serves TLS, add --tls-ca)\n")
        bad = self.dsr("inbox", "list", token="dsr_actor_nope", ok=False)
        self.assertIn("unknown token", bad.stderr)
        invalid = self.dsr("submit", "erasure", "--email", "nobody-at-all", "--holding",
                           "actors/x/holdings/yyy", ok=False)
        self.assertIn("is not a valid email address", invalid.stderr)
        self.assertNotIn("nobody-at-all", invalid.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
