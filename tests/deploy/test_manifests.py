"""Cross-resource checks on the rendered Kubernetes manifests, which schema validation cannot do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.capacity import wait_budget
from app.metrics import Metrics
from app.settings import Settings, env_name, memory_needed_mib

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ["deploy/base", "deploy/overlays/production"]

if shutil.which("kubectl") is None:
    if os.environ.get("KLING_MCP_REQUIRE_KUBECTL"):
        raise RuntimeError("kubectl is required for the manifest checks")
    pytest.skip("kubectl is not installed (make deploy-check requires it)", allow_module_level=True)

yaml = pytest.importorskip("yaml")


def render(target: str) -> dict[str, dict[str, Any]]:
    out = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / target)], capture_output=True, text=True, check=True
    )
    return {doc["kind"]: doc for doc in yaml.safe_load_all(out.stdout) if doc}


@pytest.fixture(params=TARGETS, scope="module")
def docs(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    return render(request.param)


def pod_labels(docs: dict[str, dict[str, Any]]) -> dict[str, str]:
    labels: dict[str, str] = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def container(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = docs["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def settings_data(docs: dict[str, dict[str, Any]]) -> dict[str, str]:
    data: dict[str, str] = docs["ConfigMap"]["data"]
    return data


def test_selectors_match_the_pods(docs: dict[str, dict[str, Any]]) -> None:
    labels = pod_labels(docs)
    deployment = docs["Deployment"]["spec"]
    assert selects(deployment["selector"]["matchLabels"], labels)
    assert selects(docs["Service"]["spec"]["selector"], labels)
    assert selects(docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"], labels)
    assert selects(docs["NetworkPolicy"]["spec"]["podSelector"]["matchLabels"], labels)
    for spread in deployment["template"]["spec"]["topologySpreadConstraints"]:
        assert selects(spread["labelSelector"]["matchLabels"], labels)


def test_network_policy_peers_are_not_rewritten(docs: dict[str, dict[str, Any]]) -> None:
    """kustomize `includeSelectors` would add our labels to these and cut off DNS and the ingress."""
    policy = docs["NetworkPolicy"]["spec"]
    ingress_peer = policy["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    assert ingress_peer == {"app.kubernetes.io/name": "ingress-nginx"}
    assert policy["egress"][0]["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
    assert {p["port"] for p in policy["egress"][1]["ports"]} == {443}


def test_metrics_are_on_their_own_port_open_only_to_the_scraper(docs: dict[str, dict[str, Any]]) -> None:
    ports = {p["name"]: p["containerPort"] for p in container(docs)["ports"]}
    assert ports["metrics"] == int(settings_data(docs)["KLING_MCP_METRICS_PORT"]) != ports["http"]
    service_ports = {p.get("targetPort") for p in docs["Service"]["spec"]["ports"]}
    assert (
        "metrics" not in service_ports and ports["metrics"] not in service_ports
    )  # never behind the ingress
    rules = docs["NetworkPolicy"]["spec"]["ingress"]
    scraper = next(rule for rule in rules if {p["port"] for p in rule["ports"]} == {"metrics"})
    assert scraper["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    ]


def test_ports_and_probes(docs: dict[str, dict[str, Any]]) -> None:
    c = container(docs)
    port_names = {p["name"] for p in c["ports"]}
    assert docs["Service"]["spec"]["ports"][0]["targetPort"] in port_names
    backend = docs["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == docs["Service"]["metadata"]["name"]
    assert backend["port"]["name"] == docs["Service"]["spec"]["ports"][0]["name"]
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_hpa_and_replicas(docs: dict[str, dict[str, Any]]) -> None:
    hpa = docs["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == docs["Deployment"]["metadata"]["name"]
    assert docs["Deployment"]["spec"]["replicas"] >= 2 and hpa["minReplicas"] >= 2


def test_security_context(docs: dict[str, dict[str, Any]]) -> None:
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    sc = container(docs)["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]


def test_config_keys_are_real_settings(docs: dict[str, dict[str, Any]]) -> None:
    known = {env_name(field) for field in Settings.model_fields}
    data = settings_data(docs)
    assert set(data) <= known, f"unknown settings: {set(data) - known}"
    Settings.model_validate(
        {field: data[env_name(field)] for field in Settings.model_fields if env_name(field) in data}
    )


def test_host_allowlist_covers_the_ingress_host(docs: dict[str, dict[str, Any]]) -> None:
    host = docs["Ingress"]["spec"]["rules"][0]["host"]
    data = settings_data(docs)
    assert host in data["KLING_MCP_ALLOWED_HOSTS"].split(",")
    assert data["KLING_MCP_PUBLIC_BASE_URL"] == f"https://{host}"
    assert docs["Ingress"]["spec"]["tls"][0]["hosts"] == [host]


def test_timeouts_fit_the_drain_and_the_longest_wait(docs: dict[str, dict[str, Any]]) -> None:
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    data = settings_data(docs)
    pre_stop = int(container(docs)["lifecycle"]["preStop"]["exec"]["command"][1])
    grace = int(data["KLING_MCP_SHUTDOWN_GRACE_SECONDS"])
    assert pod["terminationGracePeriodSeconds"] > pre_stop + grace
    defaults = Settings()
    submit = float(data.get("KLING_MCP_SUBMIT_TIMEOUT_SECONDS", defaults.submit_timeout_seconds))
    connect = float(data.get("KLING_MCP_CONNECT_TIMEOUT_SECONDS", defaults.connect_timeout_seconds))
    assert grace > submit + connect  # a submission in flight at SIGTERM is answered
    annotations = docs["Ingress"]["metadata"]["annotations"]
    longest_wait = int(data["KLING_MCP_WAIT_MAX_TIMEOUT_SECONDS"])
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) > longest_wait
    assert annotations["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"  # SSE answers stream
    assert annotations["nginx.ingress.kubernetes.io/proxy-request-buffering"] == "on"  # bodies arrive whole
    body_limit = int(data["KLING_MCP_MAX_MEDIA_REQUEST_BODY_BYTES"])
    assert (
        int(annotations["nginx.ingress.kubernetes.io/proxy-body-size"].rstrip("m")) * 1024 * 1024
        >= body_limit
    )


def configured(docs: dict[str, dict[str, Any]]) -> Settings:
    data = settings_data(docs)
    return Settings.model_validate(
        {field: data[env_name(field)] for field in Settings.model_fields if env_name(field) in data}
    )


def test_memory_limit_covers_the_request_body_pools(docs: dict[str, dict[str, Any]]) -> None:
    limit = container(docs)["resources"]["limits"]["memory"]
    assert limit.endswith("Mi")
    assert int(limit.removesuffix("Mi")) >= memory_needed_mib(configured(docs))


def test_hpa_scales_on_held_waits_before_the_budget_is_spent(docs: dict[str, dict[str, Any]]) -> None:
    """The waits metric is one the server exports, the adapter rule serves it under the HPA's name, and
    the HPA's target per pod sits below the wait budget the pod's memory limit gives it."""
    pods = [m["pods"] for m in docs["HorizontalPodAutoscaler"]["spec"]["metrics"] if m["type"] == "Pods"]
    assert len(pods) == 1
    name = pods[0]["metric"]["name"]
    assert f"\n{name} " in Metrics().render().decode()  # a gauge of that name, without labels
    adapter = yaml.safe_load(render("deploy/prometheus-adapter")["ConfigMap"]["data"]["config.yaml"])
    [rule] = adapter["rules"]
    assert rule["name"]["as"] == name and rule["seriesQuery"].startswith(f"{name}{{")
    limit_mib = int(container(docs)["resources"]["limits"]["memory"].removesuffix("Mi"))
    budget = wait_budget(configured(docs), limit_mib=limit_mib)
    target = int(pods[0]["target"]["averageValue"])
    assert 0.5 * budget <= target <= 0.8 * budget, (target, budget)
    env = {item["name"]: item for item in container(docs)["env"]}
    source = env["KLING_MCP_MEMORY_LIMIT_MIB"]["valueFrom"]["resourceFieldRef"]
    assert source == {"containerName": container(docs)["name"], "resource": "limits.memory", "divisor": "1Mi"}


def test_oauth_keys_come_from_a_mounted_secret_shipped_empty(docs: dict[str, dict[str, Any]]) -> None:
    """The door is shut until an operator puts keys in the Secret; the keys are a file, never an env value."""
    secret = docs["Secret"]
    assert secret["metadata"]["name"] == "kling-mcp-oauth" and secret["stringData"] == {"keys": ""}
    env = {item["name"]: item.get("value") for item in container(docs)["env"]}
    keys_file = env["KLING_MCP_OAUTH_KEYS_FILE"]
    assert "KLING_MCP_OAUTH_KEYS" not in env and "KLING_MCP_OAUTH_KEYS" not in settings_data(docs)
    mounts = {m["name"]: m for m in container(docs)["volumeMounts"]}
    volumes = {v["name"]: v for v in docs["Deployment"]["spec"]["template"]["spec"]["volumes"]}
    assert volumes["oauth-keys"]["secret"]["secretName"] == "kling-mcp-oauth"
    assert keys_file == mounts["oauth-keys"]["mountPath"] + "/keys" and mounts["oauth-keys"]["readOnly"]
