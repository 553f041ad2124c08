#!/usr/bin/python3
"""Validates Kubernetes manifests strictly, as `kubectl apply --validate=strict` would:
Kubernetes' own kinds against the typed models of the Kubernetes Python client (Debian's
python3-kubernetes: every field known, of its type, required ones present), Routing's kinds
against the openAPIV3Schema of their CRD in manifests/crds (unknown fields refused).
Usage: validate_manifests.py CRD_DIR FILE...   Prints one line per error; exit 1 if any."""
import copy
import datetime
import glob
import json
import os
import sys

import jsonschema
import yaml
import kubernetes.client
import kubernetes.client.models as models

CORE = {
    ("v1", "ServiceAccount"): "V1ServiceAccount",
    ("v1", "Namespace"): "V1Namespace",
    ("v1", "Pod"): "V1Pod",
    ("v1", "Service"): "V1Service",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("apps/v1", "DaemonSet"): "V1DaemonSet",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): "V1ClusterRole",
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): "V1ClusterRoleBinding",
    ("rbac.authorization.k8s.io/v1", "Role"): "V1Role",
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): "V1RoleBinding",
    ("networking.k8s.io/v1", "NetworkPolicy"): "V1NetworkPolicy",
    ("discovery.k8s.io/v1", "EndpointSlice"): "V1EndpointSlice",
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): "V1CustomResourceDefinition",
}

PRIMITIVES = {"str": str, "bool": bool, "float": (int, float), "object": object}


def check_model(value, typ, path, errors):
    if typ.startswith("list["):
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            check_model(item, typ[5:-1], f"{path}[{i}]", errors)
    elif typ.startswith("dict("):
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a mapping, got {type(value).__name__}")
            return
        inner = typ[5:-1].split(", ", 1)[1]
        for key, item in value.items():
            check_model(item, inner, f"{path}.{key}", errors)
    elif typ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected an integer, got {value!r}")
    elif typ in ("datetime", "date"):
        if not isinstance(value, (str, datetime.date)):
            errors.append(f"{path}: expected a timestamp, got {value!r}")
    elif typ in PRIMITIVES:
        if not isinstance(value, PRIMITIVES[typ]):
            errors.append(f"{path}: expected {typ}, got {value!r}")
    else:
        cls = getattr(models, typ)
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a {typ} mapping, got {value!r}")
            return
        fields = {json_name: attr for attr, json_name in cls.attribute_map.items()}
        for key, item in value.items():
            if key not in fields:
                errors.append(f"{path}.{key}: unknown field in {typ}")
                continue
            check_model(item, cls.openapi_types[fields[key]], f"{path}.{key}", errors)


class Response:
    def __init__(self, data):
        self.data = json.dumps(data, default=str)


def check_core(document, model, errors):
    check_model(document, model, "", errors)
    if not errors:
        # The models' own checks: required fields present, enums where the client knows them.
        try:
            kubernetes.client.ApiClient().deserialize(Response(document), model)
        except (ValueError, TypeError) as e:
            errors.append(f": {e}")


def strict(schema):
    """An openAPIV3Schema as JSON Schema with unknown fields refused, as a strict apply does."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node \
                    and not node.get("x-kubernetes-preserve-unknown-fields"):
                node["additionalProperties"] = False
            if node.get("x-kubernetes-int-or-string"):
                node.pop("type", None)
                node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def load_crds(directory):
    schemas = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        with open(path) as f:
            for crd in yaml.safe_load_all(f):
                if not crd:
                    continue
                spec = crd["spec"]
                for version in spec["versions"]:
                    key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                    schemas[key] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


def main():
    crds = load_crds(sys.argv[1])
    failed = False
    for path in sys.argv[2:]:
        with open(path) as f:
            documents = list(yaml.safe_load_all(f))
        for index, document in enumerate(documents, 1):
            if document is None:
                continue
            key = (document.get("apiVersion"), document.get("kind"))
            name = (document.get("metadata") or {}).get("name", "?")
            where = f"{path}: document {index} ({key[1]}/{name})"
            errors = []
            if key in CORE:
                check_core(document, CORE[key], errors)
            elif key in crds:
                validator = jsonschema.Draft7Validator(crds[key])
                for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
                    location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
                    errors.append(f"{location}: {error.message}")
            else:
                errors.append(f": no schema for apiVersion {key[0]} kind {key[1]}")
            for error in errors:
                failed = True
                print(f"{where}{error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
