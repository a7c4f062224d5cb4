"""client/python/publisher_example.py, run as a publisher would, against a
live broker: it registers its dataset, declares the source, and answers the
erasure that a person files on the source.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ["DSR_PYTHON_CLIENT"])

import grpc  # noqa: E402
from dsr.v1 import actor_pb2, holding_pb2, link_pb2, request_pb2  # noqa: E402
from dsr.v1 import registry_service_pb2 as rs, registry_service_pb2_grpc as rs_grpc  # noqa: E402
from dsr.v1 import request_service_pb2 as req, request_service_pb2_grpc as req_grpc  # noqa: E402


class PublisherExampleTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="dsr-pub-", dir=os.environ.get("TEST_TMPDIR"))
        self.broker = subprocess.Popen(
            [os.environ["DSR_BROKER_BINARY"], "--listen", "127.0.0.1:0", "--data_dir",
             os.path.join(self.root, "var"), "--no_identity_verification"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        for line in self.broker.stdout:
            if line.startswith("listening on "):
                self.address = line.split()[-1]
                break
        with open(os.path.join(self.root, "var", "admin_token")) as f:
            self.admin = [("authorization", "Bearer " + f.read().strip())]
        self.channel = grpc.insecure_channel(self.address)

    def tearDown(self):
        self.channel.close()
        self.broker.send_signal(signal.SIGTERM)
        self.assertEqual(self.broker.wait(timeout=30), 0)
        self.broker.stdout.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def test_example_answers_an_erasure_filed_on_its_source(self):
        registry = rs_grpc.RegistryServiceStub(self.channel)
        tokens = {}
        for actor in ("common", "acme"):
            made = registry.CreateActor(rs.CreateActorRequest(actor_id=actor, actor=actor_pb2.Actor(
                display_name=actor, roles=[actor_pb2.Actor.DATASET_PUBLISHER],
                contact_email=f"dpo@{actor}.example")), metadata=self.admin, timeout=10)
            tokens[actor] = made.token
        registry.CreateHolding(rs.CreateHoldingRequest(
            parent="actors/common", holding_id="web-crawl",
            holding=holding_pb2.Holding(kind=holding_pb2.Holding.DATASET, title="Crawl")),
            metadata=[("authorization", "Bearer " + tokens["common"])], timeout=10)

        env = dict(os.environ, PYTHONPATH=os.environ["DSR_PYTHON_CLIENT"],
                   DSR_BROKER=self.address, DSR_TOKEN=tokens["acme"])
        example = subprocess.Popen(
            ["/usr/bin/python3", os.environ["DSR_EXAMPLE"], "--actor", "acme",
             "--holding", "forum-dump", "--title", "Forum dump",
             "--source", "actors/common/holdings/web-crawl", "--max-events", "2"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # Its registration and link come first; wait until the link exists.
        self.assertIn("registered", example.stdout.readline())
        self.assertIn("waiting for its owner to accept", example.stdout.readline())
        # The source's owner finds the proposal and accepts it.
        common = [("authorization", "Bearer " + tokens["common"])]
        proposed = registry.ListLinks(rs.ListLinksRequest(
            actor="actors/common", state=link_pb2.Link.PROPOSED), metadata=common, timeout=10)
        self.assertEqual(len(proposed.links), 1)
        registry.AcceptLink(rs.AcceptLinkRequest(name=proposed.links[0].name),
                            metadata=common, timeout=10)

        requests = req_grpc.RequestServiceStub(self.channel)
        filed = requests.SubmitRequest(req.SubmitRequestRequest(request=request_pb2.Request(
            type=request_pb2.ERASURE,
            subject_identifiers=[request_pb2.SubjectIdentifier(
                type=request_pb2.SubjectIdentifier.EMAIL, value="ivan@example.com")],
            targets=["actors/common/holdings/web-crawl"])), timeout=10)
        self.assertEqual(len(filed.tasks), 2)

        output, _ = example.communicate(timeout=60)
        self.assertEqual(example.returncode, 0, output)
        self.assertIn(f"accepted {proposed.links[0].name}", output)
        self.assertIn(f"completed {filed.request.name}/tasks/2", output)
        # This broker files without verification: the example says so.
        self.assertIn(f"{filed.request.name}/tasks/2: no attestation", output)
        # The example never prints the person's identifiers.
        self.assertNotIn("ivan", output)
        status = requests.GetRequest(
            req.GetRequestRequest(name=filed.request.name),
            metadata=[("authorization", "Bearer " + filed.receipt_token)], timeout=10)
        answered = {t.holding: t for t in status.tasks}
        dump = answered["actors/acme/holdings/forum-dump"]
        self.assertEqual(dump.state, request_pb2.Task.COMPLETED)
        self.assertEqual(dump.outcome, request_pb2.ERASED)
        self.assertEqual(dump.reason, request_pb2.Task.LINEAGE)


if __name__ == "__main__":
    unittest.main(verbosity=2)
