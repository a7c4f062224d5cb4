#!/usr/bin/env python3
"""Checks the thread-safety annotations (ABSL_GUARDED_BY and friends) with
clang's analysis, whatever compiler built the project: each of the project's
own sources in compile_commands.json is compiled again by clang++-14 with
-fsyntax-only -Wthread-safety -Werror=thread-safety (after a canary with a
breach has shown that the check catches one). Fails, naming the breaches.

  thread_safety.py BUILD_DIR SOURCE_DIR
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import tempfile

CLANG = "/usr/bin/clang++-14"
# The project's own code; generated code and tests are not checked.
OWN = ("broker/", "storage/", "client/")


def command_for(entry, source=None):
    """The entry's compile command as a clang thread-safety check: its
    defines and include paths, none of its warning flags, the analysis last
    (so that nothing inherited turns it off)."""
    args = entry.get("arguments") or shlex.split(entry["command"])
    if os.path.basename(args[0]).startswith("ccache"):
        args = args[1:]  # a compiler launcher
    out = [CLANG, "-fsyntax-only"]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a.startswith("-W") or a == "-w":
            continue
        if source is not None and a == entry["file"]:
            a = source
        out.append(a)
    return out + ["-Wthread-safety", "-Werror=thread-safety"]


# Code with a breach: the check must fail on it, or it checks nothing.
CANARY = """
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
struct Canary {
  absl::Mutex mu;
  int guarded ABSL_GUARDED_BY(mu) = 0;
  int Read() { return guarded; }
};
"""


def main():
    build_dir, source_dir = sys.argv[1], os.path.realpath(sys.argv[2])
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    mine = {}
    for e in entries:
        path = os.path.realpath(os.path.join(e["directory"], e["file"]))
        rel = os.path.relpath(path, source_dir)
        if rel.startswith(OWN):
            mine.setdefault(rel, e)
    if not mine:
        print("no sources of the project in compile_commands.json")
        return 1

    # The canary, compiled as the first source is.
    rel, first = sorted(mine.items())[0]
    with tempfile.TemporaryDirectory() as tmp:
        canary = os.path.join(tmp, "canary.cc")
        with open(canary, "w") as f:
            f.write(CANARY)
        run = subprocess.run(command_for(first, canary), cwd=first["directory"],
                             capture_output=True, text=True)
    if run.returncode == 0 or "-Wthread-safety" not in run.stderr:
        print("the check does not catch a breach planted on purpose:\n" + run.stderr)
        return 1

    def check(item):
        rel, e = item
        run = subprocess.run(command_for(e), cwd=e["directory"],
                             capture_output=True, text=True)
        return rel, run.returncode, run.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for rel, code, err in pool.map(check, sorted(mine.items())):
            if code != 0:
                failed += 1
                print(f"{rel}:\n{err}")
    print(f"{len(mine)} sources checked, {failed} with breaches")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
