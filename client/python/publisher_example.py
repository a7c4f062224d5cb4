#!/usr/bin/python3
"""A dataset publisher's integration with the DSR Broker, to copy and adapt.

It registers a dataset, declares the dataset it was made from, then watches
the publisher's inbox and answers each erasure request: here it "erases" by
printing what it would delete; put your own deletion there.

Run it with Debian's python3-grpcio, the generated client code on the path
(build/client/python/generated), and your organisation's token:

  PYTHONPATH=build/client/python/generated DSR_TOKEN=dsr_actor_... \\
    /usr/bin/python3 client/python/publisher_example.py --actor acme \\
      --holding forum-dump --title "Forum dump 2026" \\
      --source actors/common/holdings/web-crawl

Against a broker with mutual TLS, your organisation's certificate replaces
the token: add --tls-ca ca.pem --tls-cert acme.pem --tls-key acme.key.
"""

import argparse
import os
import sys
import time

import grpc
from dsr.v1 import holding_pb2, link_pb2, request_pb2
from dsr.v1 import inbox_pb2, inbox_service_pb2 as inbox, inbox_service_pb2_grpc
from dsr.v1 import registry_service_pb2 as registry, registry_service_pb2_grpc
from dsr.v1 import verification_service_pb2 as verification, verification_service_pb2_grpc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--broker", default=os.environ.get("DSR_BROKER", "127.0.0.1:50051"))
    parser.add_argument("--actor", required=True, help="your organisation's id, e.g. acme")
    parser.add_argument("--holding", required=True, help="the dataset's id, e.g. forum-dump")
    parser.add_argument("--title", required=True)
    parser.add_argument("--source", help="the holding it was made from, actors/X/holdings/Y")
    parser.add_argument("--max-events", type=int, default=0,
                        help="stop after this many inbox events (0: run until stopped)")
    parser.add_argument("--tls-ca", help="connect over TLS, trusting this CA (PEM)")
    parser.add_argument("--tls-cert", help="your organisation's client certificate (PEM)")
    parser.add_argument("--tls-key", help="its private key (PEM)")
    args = parser.parse_args()
    token = os.environ.get("DSR_TOKEN")
    if not token and not args.tls_cert:
        sys.exit("publisher_example: set DSR_TOKEN to your organisation's token "
                 "(or give --tls-cert and --tls-key)")
    auth = [("authorization", "Bearer " + token)] if token else []
    channel = connect(args)
    reg = registry_service_pb2_grpc.RegistryServiceStub(channel)
    box = inbox_service_pb2_grpc.InboxServiceStub(channel)
    # The broker's public keys, to check that a task's person proved who
    # they are (its attestation). Keep them: checking needs no call.
    keys = verification_service_pb2_grpc.VerificationServiceStub(channel).ListAttestationKeys(
        verification.ListAttestationKeysRequest(), timeout=30).keys

    # 1. Register the dataset (once: a second run finds it there).
    name = f"actors/{args.actor}/holdings/{args.holding}"
    try:
        reg.CreateHolding(registry.CreateHoldingRequest(
            parent=f"actors/{args.actor}", holding_id=args.holding,
            holding=holding_pb2.Holding(kind=holding_pb2.Holding.DATASET, title=args.title)),
            metadata=auth, timeout=30)
        print(f"registered {name}", flush=True)
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.ALREADY_EXISTS:
            sys.exit(f"publisher_example: {e.details()}")

    # 2. Declare where it came from, so requests on the source reach you too.
    # A source of another organisation's must accept the link first: until
    # then it is PROPOSED and forwards nothing; a LINK_ACCEPTED (or
    # LINK_REJECTED) event on the inbox says how it was decided.
    if args.source:
        try:
            link = reg.CreateLink(registry.CreateLinkRequest(link=link_pb2.Link(
                child=name, parent=args.source, relation=link_pb2.Link.SUBSET)),
                metadata=auth, timeout=30)
            waiting = link.state == link_pb2.Link.PROPOSED
            print(f"declared {name} as a subset of {args.source}"
                  + ("; waiting for its owner to accept" if waiting else ""), flush=True)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.ALREADY_EXISTS:
                sys.exit(f"publisher_example: {e.details()}")

    # 3. Watch the inbox: the backlog after the committed cursor, then live.
    # A broken stream (broker restart) is resumed from the committed cursor:
    # nothing is missed, and an event may come twice, so answering is made
    # idempotent with a request id per task.
    handled = 0
    while True:
        stream = box.StreamInbox(inbox.StreamInboxRequest(from_committed_cursor=True),
                                 metadata=auth)
        try:
            for event in stream:
                answer(box, auth, keys, event)
                # 4. Commit the cursor: a restart resumes after this event.
                box.CommitInbox(inbox.CommitInboxRequest(sequence=event.sequence),
                                metadata=auth, timeout=30)
                handled += 1
                if args.max_events and handled >= args.max_events:
                    stream.cancel()
                    return
        except grpc.RpcError as e:
            if e.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
                sys.exit(f"publisher_example: {e.details()}")
            print("inbox stream ended; reconnecting", flush=True)
            time.sleep(1)


def connect(args):
    """A plaintext channel, or TLS (and mutual TLS) when the files are given."""
    if not (args.tls_ca or args.tls_cert):
        return grpc.insecure_channel(args.broker)

    def read(path):
        with open(path, "rb") as f:
            return f.read()
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(args.tls_ca) if args.tls_ca else None,
        private_key=read(args.tls_key) if args.tls_key else None,
        certificate_chain=read(args.tls_cert) if args.tls_cert else None)
    return grpc.secure_channel(args.broker, credentials)


def check_attestation(task, keys):
    """What the broker attests the person proved, or why the attestation fails.

    Returns (verified, words): verified is a list of (type, method) names,
    or None when the task carries no valid attestation.
    """
    if not task.HasField("attestation"):
        return None, "no attestation: the broker filed it without verifying the person"
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None, "cannot check the attestation: install python3-cryptography"
    attestation = task.attestation
    key = next((k for k in keys if k.key_id == attestation.key_id), None)
    if key is None or key.algorithm != "Ed25519":
        return None, "the attestation is signed by a key the broker does not publish"
    try:
        # Check the bytes as received; parse them only once they check.
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(
            attestation.signature, attestation.statement)
    except InvalidSignature:
        return None, "the attestation's signature does not check"
    statement = request_pb2.AttestationStatement.FromString(attestation.statement)
    if (statement.purpose != "dsr-broker attestation v1"
            or statement.request != task.name.split("/tasks/")[0]
            or statement.request_type != task.request_type):
        return None, "the attestation is for another request"
    held = {(i.type, i.value) for i in task.subject_identifiers}
    verified = []
    for v in statement.verified_identifiers:
        if (v.identifier.type, v.identifier.value) not in held:
            return None, "the attestation names an identifier the task does not carry"
        verified.append((request_pb2.SubjectIdentifier.Type.Name(v.identifier.type),
                         request_pb2.VerificationMethod.Name(v.method)))
    return verified, "checked"


def answer(box, auth, keys, event):
    """Erases what an erasure task asks for, then completes the task."""
    if event.kind in (inbox_pb2.InboxEvent.LINK_ACCEPTED, inbox_pb2.InboxEvent.LINK_REJECTED):
        decided = "accepted" if event.kind == inbox_pb2.InboxEvent.LINK_ACCEPTED else "rejected"
        print(f"{event.link.parent} {decided} {event.link.name}", flush=True)
        return
    task = event.task
    if (event.kind != inbox_pb2.InboxEvent.TASK_CREATED
            or task.request_type != request_pb2.ERASURE
            or task.state not in (request_pb2.Task.OPEN, request_pb2.Task.ACKNOWLEDGED)):
        return
    verified, words = check_attestation(task, keys)
    if verified is None:
        print(f"{task.name}: {words}", flush=True)
    else:
        proved = ", ".join(f"{t} by {m}" for t, m in verified)
        print(f"{task.name}: attestation checked, the person proved {proved}", flush=True)
    # An attestation that is present but fails is a forgery or a mistake:
    # refuse rather than act on it (a real integration may ask for proof).
    if task.HasField("attestation") and verified is None:
        box.RefuseTask(inbox.RefuseTaskRequest(
            name=task.name, ground=request_pb2.IDENTITY_NOT_VERIFIED,
            explanation="The broker's attestation of your identity did not check."),
            metadata=auth, timeout=30)
        return
    # The identifiers are personal data: use them to find the records, never
    # print or log them. With an attestation, act only on what the person
    # proved; the others are their hints (weigh them; here, left alone).
    identifiers = [(i.type, i.value) for i in task.subject_identifiers]
    if verified is not None:
        proved = {(i.identifier.type, i.identifier.value) for i in
                  request_pb2.AttestationStatement.FromString(task.attestation.statement)
                  .verified_identifiers}
        identifiers = [i for i in identifiers if i in proved]
    print(f"erasing the records of {len(identifiers)} identifier(s) for {task.name}", flush=True)
    # ... delete the records matching `identifiers` here, then say so:
    try:
        box.CompleteTask(inbox.CompleteTaskRequest(
            name=task.name, outcome=request_pb2.ERASED,
            explanation="Removed from the dataset and from future releases.",
            request_id="complete-" + task.name.replace("/", "-")[-50:]),
            metadata=auth, timeout=30)
        print(f"completed {task.name}", flush=True)
    except grpc.RpcError as e:
        # Answered already (a redelivered event), or withdrawn meanwhile.
        if e.code() != grpc.StatusCode.FAILED_PRECONDITION:
            raise


if __name__ == "__main__":
    main()
