"""Identity verification end to end: the real dsr-broker binary, a real SMTP
server (Debian's python3-aiosmtpd, with STARTTLS), a real HTTPS site for the
web-site challenge, and Python client code generated from the .proto files.

A person reads their one-time code from the delivered message; someone who
cannot read a mailbox never gets an ACCESS request filed for it; every holder
gets an attestation it can check with Debian's python3-cryptography; the
publisher example checks it too; and no address, code or token is in the
broker's log or in the clear in its files.
"""

import email
import email.policy
import http.server
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.environ["DSR_PYTHON_CLIENT"])

import grpc  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402
from dsr.v1 import actor_pb2, holding_pb2, link_pb2, request_pb2  # noqa: E402
from dsr.v1 import inbox_service_pb2 as inbox_service  # noqa: E402
from dsr.v1 import inbox_service_pb2_grpc as inbox_grpc  # noqa: E402
from dsr.v1 import registry_service_pb2 as rs  # noqa: E402
from dsr.v1 import registry_service_pb2_grpc as rs_grpc  # noqa: E402
from dsr.v1 import request_service_pb2 as req  # noqa: E402
from dsr.v1 import request_service_pb2_grpc as req_grpc  # noqa: E402
from dsr.v1 import verification_service_pb2 as ver  # noqa: E402
from dsr.v1 import verification_service_pb2_grpc as ver_grpc  # noqa: E402

BROKER = os.environ["DSR_BROKER_BINARY"]
EMAIL = request_pb2.SubjectIdentifier.EMAIL
URL = request_pb2.SubjectIdentifier.URL
ALICE = "alice.canary@example.org"
VICTIM = "victim.canary@example.org"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """The SMTP server's handler: keeps every delivered message."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append((envelope, session.ssl is not None))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=30):
        with self.arrived:
            ok = self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        if not ok:
            raise AssertionError(f"{count} messages expected, {len(self.messages)} arrived")
        return self.messages[count - 1]


def make_certificates(directory):
    """A CA, and a certificate it signs for myblog.example and 127.0.0.1."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=identity test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "site.key", "-out", "site.csr", "-subj", "/CN=myblog.example")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=DNS:myblog.example,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "site.pem", "-days", "2", "-extfile", "san.ext")


class IdentityEndToEndTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="dsr-id-", dir=os.environ.get("TEST_TMPDIR"))
        make_certificates(self.root)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.path.join(self.root, "site.pem"),
                            os.path.join(self.root, "site.key"))
        # The SMTP server offers STARTTLS and insists on it.
        self.mailbox = Mailbox()
        smtp_port = free_port()
        self.smtp = Controller(self.mailbox, hostname="127.0.0.1", port=smtp_port,
                               tls_context=tls, require_starttls=True)
        self.smtp.start()
        # The web site whose owner proves control of it.
        self.site_dir = os.path.join(self.root, "site")
        os.makedirs(os.path.join(self.site_dir, ".well-known", "dsr-challenge"))
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
            *a, directory=self.site_dir, **k)
        self.web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.web.socket = tls.wrap_socket(self.web.socket, server_side=True)
        threading.Thread(target=self.web.serve_forever, daemon=True).start()
        web_port = self.web.server_address[1]

        self.data = os.path.join(self.root, "var")
        self.log_path = os.path.join(self.root, "broker.log")
        self.log = open(self.log_path, "w+")
        self.broker = subprocess.Popen(
            [BROKER, "--listen", "127.0.0.1:0", "--data_dir", self.data,
             "--smtp_url", f"smtp://127.0.0.1:{smtp_port}", "--smtp_from", "broker@dsr.example",
             "--smtp_ca_file", os.path.join(self.root, "ca.pem"), "--smtp_require_tls",
             "--challenge_connect_to", f"myblog.example:443:127.0.0.1:{web_port}",
             "--challenge_ca_file", os.path.join(self.root, "ca.pem"),
             # The sweep sends the milestone emails: often, for the test.
             "--overdue_sweep_seconds", "0.2"],
            stdout=self.log, stderr=subprocess.STDOUT, text=True)
        self.address = None
        while self.address is None:
            self.assertIsNone(self.broker.poll(), self.read_log())
            for line in self.read_log().splitlines():
                if line.startswith("listening on "):
                    self.address = line.split()[2]
        with open(os.path.join(self.data, "admin_token")) as f:
            self.admin = [("authorization", "Bearer " + f.read().strip())]
        self.channel = grpc.insecure_channel(self.address)
        self.registry = rs_grpc.RegistryServiceStub(self.channel)
        self.requests = req_grpc.RequestServiceStub(self.channel)
        self.verify = ver_grpc.VerificationServiceStub(self.channel)
        self.inbox = inbox_grpc.InboxServiceStub(self.channel)

    def tearDown(self):
        self.channel.close()
        if self.broker.poll() is None:
            self.broker.send_signal(signal.SIGTERM)
            self.broker.wait(timeout=30)
        self.log.close()
        self.smtp.stop()
        self.web.shutdown()
        shutil.rmtree(self.root, ignore_errors=True)

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def actor(self, actor_id):
        made = self.registry.CreateActor(rs.CreateActorRequest(
            actor_id=actor_id, actor=actor_pb2.Actor(
                display_name=actor_id, roles=[actor_pb2.Actor.DATASET_PUBLISHER],
                contact_email=f"dpo@{actor_id}.example")), metadata=self.admin, timeout=10)
        return [("authorization", "Bearer " + made.token)]

    def holding(self, auth, actor_id, holding_id):
        self.registry.CreateHolding(rs.CreateHoldingRequest(
            parent=f"actors/{actor_id}", holding_id=holding_id,
            holding=holding_pb2.Holding(kind=holding_pb2.Holding.DATASET, title=holding_id)),
            metadata=auth, timeout=10)
        return f"actors/{actor_id}/holdings/{holding_id}"

    def code_from(self, count, to):
        """The code in the count-th delivered message, which must be to `to`."""
        envelope, over_tls = self.mailbox.wait_for(count)
        self.assertEqual(envelope.rcpt_tos, [to])
        self.assertTrue(over_tls, "the broker must use STARTTLS when it is offered")
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.assertEqual(message["From"].addresses[0].addr_spec, "broker@dsr.example")
        self.assertIn("verification code", message["Subject"])
        body = message.get_content()
        self.assertNotIn("requests/", body)  # nothing of any request
        return re.search(r"\b(\d{8})\b", body).group(1)

    def verify_email(self, address, count):
        started = self.verify.CreateVerification(ver.CreateVerificationRequest(
            identifier=request_pb2.SubjectIdentifier(type=EMAIL, value=address)), timeout=10)
        code = self.code_from(count, address)
        confirmed = self.verify.ConfirmVerification(
            ver.ConfirmVerificationRequest(name=started.name, code=code), timeout=10)
        return code, confirmed.verification_token

    def access(self, address, targets, tokens):
        return req.SubmitRequestRequest(request=request_pb2.Request(
            type=request_pb2.ACCESS, targets=targets,
            subject_identifiers=[request_pb2.SubjectIdentifier(type=EMAIL, value=address)]),
            verification_tokens=tokens)

    def check(self, task, keys):
        """The attestation's statement, after checking it as a holder does."""
        key = next(k for k in keys if k.key_id == task.attestation.key_id)
        self.assertEqual(key.algorithm, "Ed25519")
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(
            task.attestation.signature, task.attestation.statement)
        statement = request_pb2.AttestationStatement.FromString(task.attestation.statement)
        self.assertEqual(statement.purpose, "dsr-broker attestation v1")
        self.assertEqual(statement.request, task.name.split("/tasks/")[0])
        return statement

    def test_only_a_person_who_reads_the_mailbox_files_an_access_request(self):
        acme = self.actor("acme")
        source = self.holding(acme, "acme", "source")
        copy = self.holding(acme, "acme", "copy")
        self.registry.CreateLink(rs.CreateLinkRequest(link=link_pb2.Link(
            child=copy, parent=source, relation=link_pb2.Link.SUBSET)), metadata=acme, timeout=10)

        # Mallory asks for a code for the victim's address: it goes to the
        # victim's mailbox, and guessing it fails.
        started = self.verify.CreateVerification(ver.CreateVerificationRequest(
            identifier=request_pb2.SubjectIdentifier(type=EMAIL, value=VICTIM)), timeout=10)
        victim_code = self.code_from(1, VICTIM)
        guess = "00000000" if victim_code != "00000000" else "11111111"
        with self.assertRaises(grpc.RpcError) as wrong:
            self.verify.ConfirmVerification(
                ver.ConfirmVerificationRequest(name=started.name, code=guess), timeout=10)
        self.assertEqual(wrong.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        # Without a token, or with a token of her own address, nothing is filed.
        with self.assertRaises(grpc.RpcError) as refused:
            self.requests.SubmitRequest(self.access(VICTIM, [source], []), timeout=10)
        self.assertEqual(refused.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn("is not verified", refused.exception.details())
        _, mallory_token = self.verify_email("mallory@example.net", 2)
        with self.assertRaises(grpc.RpcError) as foreign:
            self.requests.SubmitRequest(self.access(VICTIM, [source], [mallory_token]), timeout=10)
        self.assertEqual(foreign.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        listed = self.inbox.ListTasks(inbox_service.ListTasksRequest(), metadata=acme, timeout=10)
        self.assertEqual(len(listed.tasks), 0)

        # Alice reads her code and files; every holder gets a valid attestation.
        alice_code, token = self.verify_email(ALICE, 3)
        access = self.access(ALICE, [source], [token])
        access.email_updates = True
        filed = self.requests.SubmitRequest(access, timeout=10)
        self.assertEqual(len(filed.tasks), 2)
        # The milestone email comes through the same SMTP server.
        envelope, over_tls = self.mailbox.wait_for(4)
        self.assertEqual(envelope.rcpt_tos, [ALICE])
        self.assertTrue(over_tls)
        filed_mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.assertEqual(filed_mail["Subject"], "Your request is filed")
        self.assertIn(filed.request.name, filed_mail.get_content())
        keys = self.verify.ListAttestationKeys(ver.ListAttestationKeysRequest(), timeout=10).keys
        listed = self.inbox.ListTasks(inbox_service.ListTasksRequest(), metadata=acme, timeout=10)
        self.assertEqual(len(listed.tasks), 2)
        for task in listed.tasks:
            statement = self.check(task, keys)
            self.assertEqual(statement.request, filed.request.name)
            self.assertEqual([(v.identifier.value, v.method) for v in statement.verified_identifiers],
                             [(ALICE, request_pb2.EMAIL_CODE)])
            tampered = bytearray(task.attestation.statement)
            tampered[-1] ^= 1
            with self.assertRaises(InvalidSignature):
                Ed25519PublicKey.from_public_bytes(keys[0].public_key).verify(
                    task.attestation.signature, bytes(tampered))
        # The token is spent.
        with self.assertRaises(grpc.RpcError) as replayed:
            self.requests.SubmitRequest(self.access(ALICE, [source], [token]), timeout=10)
        self.assertEqual(replayed.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)

        # The canary: no address, code or token in the log or, in the clear,
        # in any file of the data directory (after the broker has stopped).
        self.broker.send_signal(signal.SIGTERM)
        self.assertEqual(self.broker.wait(timeout=30), 0)
        log = self.read_log()
        for secret in (ALICE, VICTIM, "mallory@example.net", alice_code, victim_code, token):
            self.assertNotIn(secret, log)
        for directory, _, files in os.walk(self.data):
            for name in files:
                with open(os.path.join(directory, name), "rb") as f:
                    content = f.read()
                for secret in (ALICE, VICTIM, alice_code, token):
                    self.assertNotIn(secret.encode(), content, os.path.join(directory, name))

    def test_a_site_owner_proves_the_site_and_the_publisher_example_checks_it(self):
        pub = self.actor("pub")
        env = dict(os.environ, PYTHONPATH=os.environ["DSR_PYTHON_CLIENT"],
                   DSR_BROKER=self.address, DSR_TOKEN=pub[0][1].split()[1])
        example = subprocess.Popen(
            ["/usr/bin/python3", os.environ["DSR_EXAMPLE"], "--actor", "pub",
             "--holding", "crawl", "--title", "Crawl", "--max-events", "1"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertIn("registered", example.stdout.readline())

        site = request_pb2.SubjectIdentifier(type=URL, value="https://MyBlog.example/")
        started = self.verify.CreateVerification(
            ver.CreateVerificationRequest(identifier=site), timeout=10)
        self.assertEqual(started.challenge_url,
                         "https://myblog.example/.well-known/dsr-challenge/" + started.challenge)
        confirm = ver.ConfirmVerificationRequest(name=started.name, code=started.challenge,
                                                 identifier=site)
        with self.assertRaises(grpc.RpcError) as unserved:
            self.verify.ConfirmVerification(confirm, timeout=30)
        self.assertEqual(unserved.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn("HTTP 404", unserved.exception.details())
        with open(os.path.join(self.site_dir, ".well-known", "dsr-challenge",
                               started.challenge), "w") as f:
            f.write(started.challenge + "\n")
        site_token = self.verify.ConfirmVerification(confirm, timeout=30).verification_token

        _, email_token = self.verify_email("owner@myblog.example", 1)
        filed = self.requests.SubmitRequest(req.SubmitRequestRequest(
            request=request_pb2.Request(
                type=request_pb2.ERASURE, targets=["actors/pub/holdings/crawl"],
                subject_identifiers=[site, request_pb2.SubjectIdentifier(
                    type=EMAIL, value="owner@myblog.example")]),
            verification_tokens=[site_token, email_token]), timeout=10)
        output, _ = example.communicate(timeout=60)
        self.assertEqual(example.returncode, 0, output)
        self.assertIn(f"{filed.request.name}/tasks/1: attestation checked, the person proved "
                      "URL by HTTP_CHALLENGE, EMAIL by EMAIL_CODE", output)
        self.assertIn(f"completed {filed.request.name}/tasks/1", output)

    def test_the_command_line_verifies_files_and_finds_requests_again(self):
        acme = self.actor("acme")
        source = self.holding(acme, "acme", "source")
        env = dict(os.environ, DSR_BROKER=self.address,
                   XDG_DATA_HOME=os.path.join(self.root, "cli"))
        env.pop("DSR_TOKEN", None)

        def dsr(*args, stdin=None):
            return subprocess.run([os.environ["DSR_BINARY"], *args], env=env, input=stdin,
                                  capture_output=True, text=True, timeout=60)

        refused = dsr("submit", "access", "--email", ALICE, "--holding", source)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("is not verified", refused.stderr)
        self.assertIn("dsr verify", refused.stderr)
        started = dsr("verify", "email", ALICE)
        self.assertEqual(started.returncode, 0, started.stderr)
        self.assertIn("--code CODE", started.stdout)
        code = self.code_from(1, ALICE)
        confirmed = dsr("verify", "email", ALICE, "--code", code)
        self.assertEqual(confirmed.returncode, 0, confirmed.stderr)
        filed = dsr("submit", "access", "--email", ALICE, "--holding", source)
        self.assertEqual(filed.returncode, 0, filed.stderr)
        name = re.search(r"Filed (requests/\S+)", filed.stdout).group(1)
        # The receipts are lost; proving the address again finds the request.
        shutil.rmtree(os.path.join(self.root, "cli", "dsr", "receipts"))
        dsr("verify", "email", ALICE)
        dsr("verify", "email", ALICE, "--code", self.code_from(2, ALICE))
        found = dsr("requests", "--email", ALICE)
        self.assertEqual(found.returncode, 0, found.stderr)
        self.assertIn(name, found.stdout)
        status = dsr("status", name)
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn("ACCESS", status.stdout.upper())


if __name__ == "__main__":
    unittest.main(verbosity=2)
