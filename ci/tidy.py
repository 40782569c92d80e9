#!/usr/bin/env python3
"""clang-tidy on the given translation units, skipping those already found
clean with the same inputs.

A unit's key hashes what its result depends on: clang-tidy's version, the
.clang-tidy file, the unit's compile command (with the checkout's path taken
out, so another clone of the same commit hits), the unit and every project
header it includes, transitively. A clean unit leaves an empty file named by
its key in the cache; any change to one of those inputs runs it again.

    ci/tidy.py BUILD_DIR UNIT...      (from the repository's root)

PARLEY_TIDY_CACHE sets the cache folder (default ~/.cache/parley/tidy; an
empty value turns the cache off), PARLEY_JOBS the parallel runs.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

INCLUDE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)
ROOT = os.getcwd()


def project_headers(path, seen):
    """Adds to `seen` the project headers `path` includes, transitively."""
    with open(path, "rb") as f:
        text = f.read()
    for name in INCLUDE.findall(text):
        name = name.decode()
        for candidate in (name, os.path.join(os.path.dirname(path), name)):
            candidate = os.path.normpath(candidate)
            if os.path.isfile(candidate):
                if candidate not in seen:
                    seen.add(candidate)
                    project_headers(candidate, seen)
                break


def unit_key(unit, command, common):
    h = hashlib.sha256(common)
    h.update(command.replace(ROOT, "<src>").encode())
    headers = set()
    project_headers(unit, headers)
    for path in [unit] + sorted(headers):
        h.update(path.encode() + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def main():
    build, units = sys.argv[1], sys.argv[2:]
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = {os.path.relpath(e["file"], ROOT): e["command"] for e in json.load(f)}
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, check=True).stdout
    with open(".clang-tidy", "rb") as f:
        common = version + f.read()
    default_cache = os.path.join(os.path.expanduser("~"), ".cache", "parley", "tidy")
    cache = os.environ.get("PARLEY_TIDY_CACHE", default_cache)
    if cache:
        os.makedirs(cache, exist_ok=True)

    todo = []
    for unit in units:
        key = unit_key(unit, commands.get(unit, ""), common)
        if cache and os.path.exists(os.path.join(cache, key)):
            continue
        todo.append((unit, key))
    print(f"lint: clang-tidy on {len(todo)} of {len(units)} translation units "
          f"({len(units) - len(todo)} unchanged since found clean)", flush=True)

    def tidy(item):
        unit, key = item
        run = subprocess.run(["clang-tidy", "-p", build, "--quiet", unit],
                             capture_output=True, text=True)
        noise = "warnings generated"
        err = "\n".join(l for l in run.stderr.splitlines() if noise not in l)
        if run.returncode == 0 and not run.stdout.strip() and cache:
            open(os.path.join(cache, key), "w").close()
        return unit, run.returncode, run.stdout + err

    failed = 0
    jobs = int(os.environ.get("PARLEY_JOBS") or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for unit, code, out in pool.map(tidy, todo):
            if out.strip():
                print(out.strip(), flush=True)
            if code != 0:
                failed += 1
                print(f"lint: clang-tidy failed on {unit}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
