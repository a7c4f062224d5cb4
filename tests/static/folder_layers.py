#!/usr/bin/python3
"""Fails when the source folders include each other in a loop.

The folders of broker/ (and the top-level common/, storage/, client/) form
layers (docs/DESIGN.md, "Where things are"): a folder may include headers of
the folders below it, never of one above. Any loop between folders, however
long, fails this check, naming one include per step of the loop. Besides,
common/ and storage/ may include nothing of broker/ or client/, and client/
nothing of broker/ or storage/.

Before it reads the tree, the check runs its loop finder on a planted loop
and fails if it does not see it.

Usage: folder_layers.py SOURCE_DIR
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
TOP = ("broker", "common", "storage", "client")
# Top-level folders that must not reach the ones listed.
FORBIDDEN = {
    "common": ("broker", "client", "storage"),
    "storage": ("broker", "client"),
    "client": ("broker", "storage"),
}


def folder_of(path):
    """broker/x/y.h -> broker/x; storage/y.h -> storage; else None."""
    parts = path.split("/")
    if parts[0] not in TOP:
        return None
    if parts[0] == "broker" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0]


def edges_of(source_dir):
    """{(from_folder, to_folder): 'file -> include'} over the tree."""
    edges = {}
    for top in TOP:
        for root, _, files in os.walk(os.path.join(source_dir, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, source_dir)
                src = folder_of(rel)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                for included in INCLUDE.findall(text):
                    dst = folder_of(included)
                    if dst is None or dst == src:
                        continue
                    edges.setdefault((src, dst), f"{rel} includes {included}")
    return edges


def find_loop(edges):
    """One loop as a list of folders [a, b, ..., a], or None."""
    graph = {}
    for src, dst in edges:
        graph.setdefault(src, []).append(dst)
        graph.setdefault(dst, [])
    state = {}  # folder -> 1 while on the path, 2 when done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                loop = visit(nxt)
                if loop:
                    return loop
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            loop = visit(node)
            if loop:
                return loop
    return None


def self_test():
    planted = {("broker/a", "broker/b"): "", ("broker/b", "broker/c"): "",
               ("broker/c", "broker/a"): "", ("broker/c", "storage"): ""}
    loop = find_loop(planted)
    if not loop or set(loop) != {"broker/a", "broker/b", "broker/c"}:
        sys.exit(f"folder_layers: the loop finder missed a planted loop (found {loop})")
    if find_loop({("broker/a", "broker/b"): "", ("broker/b", "storage"): ""}):
        sys.exit("folder_layers: the loop finder saw a loop where there is none")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    self_test()
    edges = edges_of(sys.argv[1])
    failures = []
    loop = find_loop(edges)
    if loop:
        steps = [f"  {edges[(a, b)]}" for a, b in zip(loop, loop[1:])]
        failures.append("folders include each other in a loop: " + " -> ".join(loop) + "\n" +
                        "\n".join(steps))
    for (src, dst), example in sorted(edges.items()):
        top_src, top_dst = src.split("/")[0], dst.split("/")[0]
        if top_dst in FORBIDDEN.get(top_src, ()):
            failures.append(f"{src} may not use {top_dst}/: {example}")
    if failures:
        sys.exit("\n".join(failures))
    folders = sorted({f for edge in edges for f in edge})
    print(f"folder_layers: {len(folders)} folders, {len(edges)} dependencies, no loop")


if __name__ == "__main__":
    main()
