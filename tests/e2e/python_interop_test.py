"""A client nobody on this project wrote: Python client code generated from the
.proto files, on Debian's python3-grpcio, against the real dsr-broker binary.
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
from dsr.v1 import actor_pb2, holding_pb2, lineage_pb2, link_pb2, request_pb2  # noqa: E402
from dsr.v1 import inbox_pb2, inbox_service_pb2 as inbox_service  # noqa: E402
from dsr.v1 import inbox_service_pb2_grpc as inbox_grpc  # noqa: E402
from dsr.v1 import request_service_pb2 as req_service  # noqa: E402
from dsr.v1 import request_service_pb2_grpc as req_grpc  # noqa: E402
from dsr.v1 import registry_service_pb2 as rs  # noqa: E402
from dsr.v1 import registry_service_pb2_grpc as rs_grpc  # noqa: E402
# The generated health module lives at grpc/health/v1/ in the generated code, a path the
# installed grpc package shadows; import it by its directory instead.
sys.path.insert(0, os.path.join(os.environ["DSR_PYTHON_CLIENT"], "grpc", "health", "v1"))
import health_pb2  # noqa: E402


class PythonInteropTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="dsr-py-", dir=os.environ.get("TEST_TMPDIR"))
        self.broker = subprocess.Popen(
            [os.environ["DSR_BROKER_BINARY"], "--listen", "127.0.0.1:0", "--data_dir", self.data,
             "--no_identity_verification"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        address = None
        for line in self.broker.stdout:
            if line.startswith("listening on "):
                address = line.split()[-1]
                break
        self.assertIsNotNone(address, "dsr-broker did not start")
        with open(os.path.join(self.data, "admin_token")) as f:
            self.admin = [("authorization", "Bearer " + f.read().strip())]
        self.channel = grpc.insecure_channel(address)
        self.registry = rs_grpc.RegistryServiceStub(self.channel)

    def tearDown(self):
        self.channel.close()
        self.broker.send_signal(signal.SIGTERM)
        self.assertEqual(self.broker.wait(timeout=30), 0)
        self.broker.stdout.close()
        shutil.rmtree(self.data, ignore_errors=True)

    def test_health_is_serving(self):
        check = self.channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString)
        reply = check(health_pb2.HealthCheckRequest(), timeout=10)
        self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING)

    def test_register_link_and_walk_lineage(self):
        created = self.registry.CreateActor(rs.CreateActorRequest(
            actor_id="py-org",
            actor=actor_pb2.Actor(display_name="Python Org",
                                  roles=[actor_pb2.Actor.MODEL_DEVELOPER],
                                  contact_email="dpo@py.example")),
            metadata=self.admin, timeout=10)
        self.assertEqual(created.actor.name, "actors/py-org")
        me = [("authorization", "Bearer " + created.token)]

        names = []
        for holding_id, kind in [("corpus", holding_pb2.Holding.DATASET),
                                 ("model", holding_pb2.Holding.MODEL)]:
            holding = self.registry.CreateHolding(rs.CreateHoldingRequest(
                parent="actors/py-org", holding_id=holding_id,
                holding=holding_pb2.Holding(kind=kind, title=holding_id.title(),
                                            external_ids=["py:" + holding_id])),
                metadata=me, timeout=10)
            names.append(holding.name)
        link = self.registry.CreateLink(rs.CreateLinkRequest(
            link=link_pb2.Link(child=names[1], parent=names[0],
                               relation=link_pb2.Link.TRAINED_ON)),
            metadata=me, timeout=10)
        self.assertTrue(link.name.startswith("links/"))

        lineage = self.registry.GetLineage(rs.GetLineageRequest(
            holding=names[0], direction=lineage_pb2.DOWNSTREAM), timeout=10)
        self.assertEqual([n.holding for n in lineage.nodes], names)
        self.assertEqual(lineage.nodes[1].kind, holding_pb2.Holding.MODEL)
        self.assertEqual(lineage.edges[0].relation, link_pb2.Link.TRAINED_ON)

        found = self.registry.ListHoldings(rs.ListHoldingsRequest(
            parent="actors/-", external_id="py:model"), timeout=10)
        self.assertEqual([h.name for h in found.holdings], [names[1]])

    def test_request_reaches_the_holders_stream_and_is_answered(self):
        org = self.registry.CreateActor(rs.CreateActorRequest(
            actor_id="py-holder",
            actor=actor_pb2.Actor(display_name="Holder", roles=[actor_pb2.Actor.DATASET_PUBLISHER],
                                  contact_email="dpo@holder.example")),
            metadata=self.admin, timeout=10)
        me = [("authorization", "Bearer " + org.token)]
        holding = self.registry.CreateHolding(rs.CreateHoldingRequest(
            parent="actors/py-holder", holding_id="corpus",
            holding=holding_pb2.Holding(kind=holding_pb2.Holding.DATASET, title="Corpus")),
            metadata=me, timeout=10)

        requests = req_grpc.RequestServiceStub(self.channel)
        submitted = requests.SubmitRequest(req_service.SubmitRequestRequest(
            request=request_pb2.Request(
                type=request_pb2.ERASURE,
                subject_identifiers=[request_pb2.SubjectIdentifier(
                    type=request_pb2.SubjectIdentifier.EMAIL, value=" Frank@Example.org ")],
                targets=[holding.name])), timeout=10)
        self.assertTrue(submitted.receipt_token)
        self.assertEqual(len(submitted.tasks), 1)

        inbox = inbox_grpc.InboxServiceStub(self.channel)
        stream = inbox.StreamInbox(inbox_service.StreamInboxRequest(), metadata=me, timeout=10)
        event = next(stream)
        stream.cancel()
        self.assertEqual(event.sequence, 1)
        self.assertEqual(event.kind, inbox_pb2.InboxEvent.TASK_CREATED)
        self.assertEqual(event.task.subject_identifiers[0].value, "frank@example.org")

        done = inbox.CompleteTask(inbox_service.CompleteTaskRequest(
            name=event.task.name, outcome=request_pb2.ERASED), metadata=me, timeout=10)
        self.assertEqual(done.state, request_pb2.Task.COMPLETED)
        mine = [("authorization", "Bearer " + submitted.receipt_token)]
        status = requests.GetRequest(req_service.GetRequestRequest(name=submitted.request.name),
                                     metadata=mine, timeout=10)
        self.assertEqual(status.request.state, request_pb2.Request.COMPLETED)

    def test_errors_carry_codes_and_name_the_field(self):
        with self.assertRaises(grpc.RpcError) as denied:
            self.registry.CreateActor(rs.CreateActorRequest(actor_id="nope"),
                                      metadata=[("authorization", "Bearer wrong")], timeout=10)
        self.assertEqual(denied.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        with self.assertRaises(grpc.RpcError) as invalid:
            self.registry.CreateActor(rs.CreateActorRequest(
                actor_id="ok-id", actor=actor_pb2.Actor(
                    display_name="X", roles=[actor_pb2.Actor.DATASET_PUBLISHER],
                    contact_email="alice-not-an-email")),
                metadata=self.admin, timeout=10)
        self.assertEqual(invalid.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("actor.contact_email", invalid.exception.details())
        self.assertNotIn("alice", invalid.exception.details())


if __name__ == "__main__":
    unittest.main(verbosity=2)
