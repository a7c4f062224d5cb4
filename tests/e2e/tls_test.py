"""Mutual TLS end to end: certificates from deploy/mint-certs.sh, the real
dsr-broker with --require_tls, the dsr command line identified by its client
certificate alone, and a Python client on Debian's python3-grpcio.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.environ["DSR_PYTHON_CLIENT"])

import grpc  # noqa: E402
from dsr.v1 import actor_pb2, holding_pb2, request_pb2  # noqa: E402
from dsr.v1 import request_service_pb2 as req_service  # noqa: E402
from dsr.v1 import request_service_pb2_grpc as req_grpc  # noqa: E402
from dsr.v1 import inbox_service_pb2 as inbox_service  # noqa: E402
from dsr.v1 import inbox_service_pb2_grpc as inbox_grpc  # noqa: E402
from dsr.v1 import registry_service_pb2 as rs  # noqa: E402
from dsr.v1 import registry_service_pb2_grpc as rs_grpc  # noqa: E402

BROKER = os.environ["DSR_BROKER_BINARY"]
DSR = os.environ["DSR_BINARY"]
MINT = os.path.join(os.environ["DSR_SOURCE_DIR"], "deploy", "mint-certs.sh")


def read(path):
    with open(path, "rb") as f:
        return f.read()


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dsr-tls-", dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.certs = os.path.join(self.dir, "certs")
        subprocess.run([MINT, self.certs, "acme"], check=True, stdout=subprocess.DEVNULL)
        self.data = os.path.join(self.dir, "data")
        self.broker = subprocess.Popen(
            [BROKER, "--listen", "127.0.0.1:0", "--data_dir", self.data, "--require_tls",
             "--no_identity_verification",
             "--tls_cert", self.cert("server.pem"), "--tls_key", self.cert("server.key"),
             "--client_ca", self.cert("ca.pem")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(self.stop_broker)
        self.address = None
        for line in self.broker.stdout:
            if line.startswith("listening on "):
                self.address = line.split()[-1]
                break
        self.assertIsNotNone(self.address, "dsr-broker did not start")
        # Keep reading what the broker prints, so that its pipe never fills.
        threading.Thread(target=self.broker.stdout.read, daemon=True).start()
        with open(os.path.join(self.data, "admin_token")) as f:
            self.admin = [("authorization", "Bearer " + f.read().strip())]

    def stop_broker(self):
        if self.broker.poll() is None:
            self.broker.send_signal(signal.SIGTERM)
            self.assertEqual(self.broker.wait(timeout=30), 0)

    def cert(self, name):
        return os.path.join(self.certs, name)

    def channel(self, client=None):
        credentials = grpc.ssl_channel_credentials(
            root_certificates=read(self.cert("ca.pem")),
            private_key=read(self.cert(client + ".key")) if client else None,
            certificate_chain=read(self.cert(client + ".pem")) if client else None)
        return grpc.secure_channel(self.address, credentials)

    def dsr(self, *args, token=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DSR_TOKEN")}
        env["HOME"] = self.dir
        command = [DSR, "--broker", self.address, "--tls-ca", self.cert("ca.pem")]
        if token:
            command += ["--token", token]
        return subprocess.run(command + list(args), capture_output=True, text=True, env=env,
                              timeout=60)

    def test_organisation_identified_by_its_certificate(self):
        with self.channel() as channel:
            registry = rs_grpc.RegistryServiceStub(channel)
            created = registry.CreateActor(rs.CreateActorRequest(
                actor_id="acme", actor=actor_pb2.Actor(
                    display_name="Acme", roles=[actor_pb2.Actor.DATASET_PUBLISHER],
                    contact_email="dpo@acme.example")), metadata=self.admin, timeout=10)
            self.assertEqual(created.actor.name, "actors/acme")

        # The dsr command line: the certificate alone, no token.
        with_cert = ["--tls-cert", self.cert("actors/acme.pem"),
                     "--tls-key", self.cert("actors/acme.key")]
        made = self.dsr(*with_cert, "holding", "create", "corpus", "--owner", "actors/acme",
                        "--title", "Corpus", "--kind", "dataset")
        self.assertEqual(made.returncode, 0, made.stderr)
        listed = self.dsr(*with_cert, "inbox", "list")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        # Without the certificate (and without a token) it is anonymous.
        anonymous = self.dsr("inbox", "list")
        self.assertEqual(anonymous.returncode, 1)
        self.assertIn("needs an actor's token", anonymous.stderr)

        # A Python client with the same certificate is acme too.
        with self.channel("actors/acme") as channel:
            inbox = inbox_grpc.InboxServiceStub(channel)
            inbox.ListTasks(inbox_service.ListTasksRequest(), timeout=10)
            registry = rs_grpc.RegistryServiceStub(channel)
            holding = registry.GetHolding(rs.GetHoldingRequest(name="actors/acme/holdings/corpus"),
                                          timeout=10)
            self.assertEqual(holding.kind, holding_pb2.Holding.DATASET)

    def test_publisher_example_answers_by_certificate_alone(self):
        with self.channel() as channel:
            rs_grpc.RegistryServiceStub(channel).CreateActor(rs.CreateActorRequest(
                actor_id="acme", actor=actor_pb2.Actor(
                    display_name="Acme", roles=[actor_pb2.Actor.DATASET_PUBLISHER],
                    contact_email="dpo@acme.example")), metadata=self.admin, timeout=10)
        env = {k: v for k, v in os.environ.items() if k != "DSR_TOKEN"}
        env["PYTHONPATH"] = os.environ["DSR_PYTHON_CLIENT"]
        example = subprocess.Popen(
            ["/usr/bin/python3", os.environ["DSR_EXAMPLE"], "--broker", self.address,
             "--actor", "acme", "--holding", "forum-dump", "--title", "Forum dump",
             "--max-events", "1", "--tls-ca", self.cert("ca.pem"),
             "--tls-cert", self.cert("actors/acme.pem"), "--tls-key", self.cert("actors/acme.key")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.addCleanup(example.kill)
        self.assertIn("registered", example.stdout.readline())
        with self.channel() as channel:
            filed = req_grpc.RequestServiceStub(channel).SubmitRequest(
                req_service.SubmitRequestRequest(request=request_pb2.Request(
                    type=request_pb2.ERASURE,
                    subject_identifiers=[request_pb2.SubjectIdentifier(
                        type=request_pb2.SubjectIdentifier.EMAIL, value="tls.person@example.com")],
                    targets=["actors/acme/holdings/forum-dump"])), timeout=10)
        output = example.communicate(timeout=60)[0]
        self.assertEqual(example.returncode, 0, output)
        self.assertIn(f"completed {filed.request.name}/tasks/1", output)
        self.assertNotIn("tls.person", output)

    def test_plaintext_is_refused(self):
        with grpc.insecure_channel(self.address) as channel:
            registry = rs_grpc.RegistryServiceStub(channel)
            with self.assertRaises(grpc.RpcError) as caught:
                registry.ListActors(rs.ListActorsRequest(), timeout=5)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_require_tls_without_certificates_refuses_to_start(self):
        result = subprocess.run(
            [BROKER, "--listen", "127.0.0.1:0", "--data_dir", os.path.join(self.dir, "other"),
             "--require_tls"], capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 1)
        self.assertIn("require_tls", result.stderr)


if __name__ == "__main__":
    unittest.main()
