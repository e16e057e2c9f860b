#!/usr/bin/env python3
"""Contract checks of a running gateway, for scripts/contract.sh (run by `make test`).

  validate URL              the served OpenAPI document is valid OpenAPI 3.0.3, and every
                            example in it is valid against its schema (schemathesis starts
                            from the examples; an incomplete one makes it draw at random)
  operator-token BASE KEY   creates a venue operator of KEY's partner, logs it in, prints
                            its bearer token (so schemathesis can reach the venue app)
  metrics URL               /metrics parses as Prometheus text, and every histogram has
                            monotone buckets whose +Inf bucket equals its _count

Prints one line per check; exits non-zero with the reason on any failure.
"""
import json
import math
import secrets
import sys
import urllib.error
import urllib.request


def fetch(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, method=method, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def validate(url):
    import yaml
    from openapi_spec_validator import validate as validate_spec

    status, headers, body = fetch(url)
    if status != 200:
        fail(f"GET {url} answered {status}")
    if not headers.get("Content-Type", "").startswith("application/yaml"):
        fail(f"GET {url} has Content-Type {headers.get('Content-Type')!r}, expected application/yaml")
    spec = yaml.safe_load(body)
    if spec.get("openapi") != "3.0.3":
        fail(f"the document says openapi {spec.get('openapi')!r}, expected 3.0.3")
    try:
        validate_spec(spec)
    except Exception as e:  # the validator's own error says what is wrong and where
        fail(f"the served OpenAPI document is not valid: {e}")
    operations = sum(1 for item in spec["paths"].values() for m in item if m in ("get", "post", "patch", "put", "delete"))
    examples = validate_examples(spec)
    print(f"openapi: valid OpenAPI 3.0.3 ({len(spec['paths'])} paths, {operations} operations, {examples} examples valid)")


def validate_examples(spec):
    """Every `example` of a media type or a component schema against its schema; returns the count."""
    from openapi_schema_validator import OAS30Validator

    def check(where, schema, example):
        # The components travel with the schema, so that its $refs resolve.
        errors = sorted(OAS30Validator({**schema, "components": spec.get("components", {})}).iter_errors(example), key=str)
        if errors:
            fail(f"the example of {where} is not valid against its schema: {errors[0].message}")

    count = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            bodies = [("request body", operation.get("requestBody", {}))]
            bodies += [(f"response {code}", r) for code, r in operation.get("responses", {}).items()]
            for label, body in bodies:
                for media, content in body.get("content", {}).items():
                    if "example" in content and "schema" in content:
                        check(f"{method.upper()} {path} {label} ({media})", content["schema"], content["example"])
                        count += 1
    for name, response in spec.get("components", {}).get("responses", {}).items():
        for media, content in response.get("content", {}).items():
            if "example" in content and "schema" in content:
                check(f"components.responses.{name} ({media})", content["schema"], content["example"])
                count += 1
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        if "example" in schema:
            check(f"components.schemas.{name}", schema, schema["example"])
            count += 1
    return count


def operator_token(base, key):
    username = "contract." + secrets.token_hex(4)
    password = "contract-" + secrets.token_hex(8)
    body = json.dumps({"username": username, "password": password, "display_name": "Contract checks"}).encode()
    status, _, text = fetch(f"{base}/api/ota/operators", "POST", body, {"X-API-Key": key, "Content-Type": "application/json"})
    if status != 201:
        fail(f"creating the contract operator answered {status}: {text[:300]!r}")
    # The development partners' codes, by key (the operator belongs to the key's partner).
    partner = {"ota_test_key_12345": "ota-test-partner", "ota251103_key_67890": "ota251103"}[key]
    body = json.dumps({"partner": partner, "username": username, "password": password}).encode()
    status, _, text = fetch(f"{base}/operators/login", "POST", body, {"Content-Type": "application/json"})
    if status != 200:
        fail(f"logging the contract operator in answered {status}: {text[:300]!r}")
    print(json.loads(text)["token"])


def le_value(sample):
    le = sample.labels["le"]
    return math.inf if le == "+Inf" else float(le)


def metrics(url):
    from prometheus_client.parser import text_string_to_metric_families

    status, _, body = fetch(url)
    if status != 200:
        fail(f"GET {url} answered {status}")
    try:
        families = list(text_string_to_metric_families(body.decode("utf-8")))
    except Exception as e:
        fail(f"/metrics is not valid Prometheus text: {e}")
    histograms = series = 0
    for family in families:
        if family.type != "histogram":
            continue
        histograms += 1
        groups = {}
        for s in family.samples:
            labels = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            groups.setdefault(labels, {"buckets": [], "count": None})
            if s.name.endswith("_bucket"):
                groups[labels]["buckets"].append(s)
            elif s.name.endswith("_count"):
                groups[labels]["count"] = s.value
        for labels, g in groups.items():
            series += 1
            where = f"{family.name}{{{', '.join(f'{k}={v}' for k, v in labels)}}}"
            buckets = sorted(g["buckets"], key=le_value)
            if not buckets or le_value(buckets[-1]) != math.inf:
                fail(f"{where} has no +Inf bucket")
            for a, b in zip(buckets, buckets[1:]):
                if b.value < a.value:
                    fail(f"{where}: bucket le={b.labels['le']} ({b.value}) is below le={a.labels['le']} ({a.value})")
            if g["count"] is None or buckets[-1].value != g["count"]:
                fail(f"{where}: the +Inf bucket ({buckets[-1].value}) differs from _count ({g['count']})")
    if histograms == 0 or series == 0:
        fail("/metrics has no histogram series to check")
    print(f"metrics: {len(families)} families parse; {histograms} histogram(s), {series} series with monotone buckets and +Inf == _count")


if __name__ == "__main__":
    commands = {"validate": (validate, 1), "operator-token": (operator_token, 2), "metrics": (metrics, 1)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) - 2 != commands[sys.argv[1]][1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    command, _ = commands[sys.argv[1]]
    command(*sys.argv[2:])
