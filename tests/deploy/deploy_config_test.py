#!/usr/bin/env python3
"""What the deployment files say against what parleyd really reads and serves.

The Kubernetes manifests, the Containerfile and the env files each name
ports, probe paths and PARLEY_* variables. This starts the real parleyd and
checks every one of them: variables against `parleyd --help`, paths against
the ops endpoint's route table (GET /help), ports against the addresses the
same files give parleyd.
usage: deploy_config_test.py PARLEYD SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

parleyd, src = sys.argv[1], sys.argv[2]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def known_variables():
    out = subprocess.run([parleyd, "--help"], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"^  (PARLEY_[A-Z_]+|SENTRY_DSN)$", out, re.M))


def served_routes():
    with tempfile.TemporaryFile("w+") as log:
        env = dict(os.environ, PARLEY_OPS_ADDR="127.0.0.1:0", PARLEY_VOICE_ADDR="127.0.0.1:0",
                   PARLEY_STT="null", PARLEY_TTS="null", PARLEY_LOG_LEVEL="info")
        proc = subprocess.Popen([parleyd], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            port = None
            for _ in range(200):  # the log line, not a timer, says when
                log.seek(0)
                m = re.search(r'"addr":"[^"]*:(\d+)"[^\n]*"ops endpoint listening"|'
                              r'"ops endpoint listening"[^\n]*"addr":"[^"]*:(\d+)"', log.read())
                if m:
                    port = m.group(1) or m.group(2)
                    break
                time.sleep(0.05)
            check(port is not None, "parleyd did not say where its ops endpoint listens")
            if port is None:
                return set()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/help", timeout=5) as r:
                table = r.read().decode()  # "GET /livez   help" a line each
            return set(re.findall(r"^GET (\S+)", table, re.M))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def port_of(addr):
    return int(addr.rsplit(":", 1)[1])


variables = known_variables()
routes = served_routes()
check({"PARLEY_VOICE_ADDR", "PARLEY_OPS_ADDR"} <= variables, "--help lists no address variables")
check({"/livez", "/readyz", "/metrics"} <= routes, f"the route table lacks probes: {sorted(routes)}")

# Kubernetes.
docs = []
for name in sorted(os.listdir(f"{src}/ops/k8s")):
    if name.endswith(".yaml"):
        with open(f"{src}/ops/k8s/{name}") as f:
            docs += [d for d in yaml.safe_load_all(f) if d]
kinds = {d["kind"] for d in docs}
check({"Deployment", "Service", "PodDisruptionBudget"} <= kinds, f"manifests lack kinds: {kinds}")
deployment = next(d for d in docs if d["kind"] == "Deployment")
container = deployment["spec"]["template"]["spec"]["containers"][0]
env = {e["name"]: e.get("value") for e in container["env"]}
for name in env:
    check(name in variables, f"the Deployment sets {name}, which parleyd does not read")
ports = {p["name"]: p["containerPort"] for p in container["ports"]}
check(ports.get("voice") == port_of(env["PARLEY_VOICE_ADDR"]), "voice port != PARLEY_VOICE_ADDR")
check(ports.get("ops") == port_of(env["PARLEY_OPS_ADDR"]), "ops port != PARLEY_OPS_ADDR")
for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
    get = container[probe]["httpGet"]
    check(get["path"] in routes, f"{probe} asks {get['path']}, which parleyd does not serve")
    check(get["port"] == "ops", f"{probe} does not ask the ops port")
check(container["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness is not /readyz")
check(container["livenessProbe"]["httpGet"]["path"] == "/livez", "liveness is not /livez")
check("preStop" in container["lifecycle"], "no preStop drain")
grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
check(grace > int(env.get("PARLEY_DRAIN_SECONDS") or 20), "the grace period is shorter than the drain")
# The Discord StatefulSet: a shard per pod, the ordinal its index.
for sts in (d for d in docs if d["kind"] == "StatefulSet"):
    c = sts["spec"]["template"]["spec"]["containers"][0]
    senv = {e["name"]: e.get("value") for e in c["env"]}
    for name in senv:
        check(name in variables or name in ("POD_INDEX", "DISCORD_TOKEN_FILE"),
              f"the StatefulSet sets {name}, which parleyd does not read")
    shard = senv.get("PARLEY_DISCORD_SHARD") or ""
    check(shard.startswith("$(POD_INDEX)/"), "the StatefulSet's shard is not its pod index")
    check(shard.endswith("/" + str(sts["spec"]["replicas"])),
          f"PARLEY_DISCORD_SHARD={shard} does not match replicas {sts['spec']['replicas']}")
    for probe in ("readinessProbe", "livenessProbe"):
        check(c[probe]["httpGet"]["path"] in routes, f"StatefulSet {probe} asks an unknown path")

for svc in (d for d in docs if d["kind"] == "Service"):
    for p in svc["spec"]["ports"]:
        check(p["targetPort"] in ports, f"Service {svc['metadata']['name']} targets {p['targetPort']}")

# The Containerfile.
with open(f"{src}/Containerfile") as f:
    containerfile = f.read()
image_env = dict(re.findall(r"(PARLEY_[A-Z_]+)=(\S+)", containerfile.split("ENV", 1)[1].split("EXPOSE")[0]))
exposed = {int(p) for p in re.search(r"^EXPOSE (.+)$", containerfile, re.M).group(1).split()}
check(exposed == {port_of(image_env["PARLEY_VOICE_ADDR"]), port_of(image_env["PARLEY_OPS_ADDR"])},
      f"EXPOSE {exposed} is not the ports the image's ENV gives parleyd")
health = re.search(r'"--health", "([^"]+)"', containerfile)
check(health is not None and health.group(1) in routes, "HEALTHCHECK asks a path parleyd lacks")
check(re.search(r"^USER (\d+)", containerfile, re.M) and
      not re.search(r"^USER (0|root)\b", containerfile, re.M), "the image does not run as non-root")

# Env files: every variable known; .env.example documents all of them.
for name in sorted(os.listdir(f"{src}/ops/env")) + ["../../.env.example"]:
    with open(f"{src}/ops/env/{name}") as f:
        named = set(re.findall(r"^#? ?(PARLEY_[A-Z_]+|SENTRY_DSN)=", f.read(), re.M))
    for v in named - variables:
        check(False, f"{name} sets {v}, which parleyd does not read")
    if name.endswith(".env.example"):
        check(named == variables, f".env.example misses {sorted(variables - named)}")

for f in failures:
    print("FAIL:", f)
print(f"deploy config: {len(variables)} variables, {len(routes)} routes, {len(docs)} manifests; "
      f"{len(failures)} failures")
sys.exit(1 if failures else 0)
