#!/usr/bin/env python3
"""Checks the thread-safety annotations (ABSL_GUARDED_BY and friends) with
clang's analysis, whatever compiler built the project: each of the project's
own sources in compile_commands.json is compiled again by clang++-14 with
-fsyntax-only -Wthread-safety -Werror. Fails, naming the breaches, if any.

  thread_safety.py BUILD_DIR SOURCE_DIR
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys

CLANG = "/usr/bin/clang++-14"
# The project's own code; generated code and tests are not checked.
OWN = ("broker/", "storage/", "client/")


def command_for(entry, source_dir):
    args = entry.get("arguments") or shlex.split(entry["command"])
    out = [CLANG, "-fsyntax-only", "-Wthread-safety", "-Werror"]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD"):
            continue
        out.append(a)
    return out


def main():
    build_dir, source_dir = sys.argv[1], os.path.realpath(sys.argv[2])
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    mine = []
    for e in entries:
        path = os.path.realpath(os.path.join(e["directory"], e["file"]))
        rel = os.path.relpath(path, source_dir)
        if rel.startswith(OWN):
            mine.append((rel, e))
    if not mine:
        print("no sources of the project in compile_commands.json")
        return 1

    def check(item):
        rel, e = item
        run = subprocess.run(command_for(e, source_dir), cwd=e["directory"],
                             capture_output=True, text=True)
        return rel, run.returncode, run.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for rel, code, err in pool.map(check, sorted(mine)):
            if code != 0:
                failed += 1
                print(f"{rel}:\n{err}")
    print(f"{len(mine)} sources checked, {failed} with breaches")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
