"""Validates an RO-Crate with the profile validator of the RO-Crate community (roc-validator, SHACL shapes of RO-Crate
1.1, Workflow RO-Crate, Process Run Crate and Workflow Run Crate) and expands it with pyld. Offline: the RO-Crate
JSON-LD context is served from the copy the `rocrate` package ships (its 1.3 context, a superset of 1.1's terms).

usage: python3 validate_ro_crate.py CRATE_DIR PROFILE SEVERITY  ->  JSON {"issues": [...], "expanded": N, "dropped": [...]}
"""

import json
import os
import sys
from urllib.parse import urljoin

import rocrate
from pyld import jsonld

CONTEXT_FILE = os.path.join(os.path.dirname(rocrate.__file__), "data", "ro-crate.jsonld")
CONTEXT = json.load(open(CONTEXT_FILE))
# That copy is RO-Crate 1.3's context; RO-Crate 1.1 (what the crate declares, and what the validator's shapes expect)
# maps the four Bioschemas terms to these IRIs instead (https://w3id.org/ro/crate/1.1/context).
CONTEXT["@context"].update(
    {
        "ComputationalWorkflow": "https://bioschemas.org/ComputationalWorkflow",
        "FormalParameter": "https://bioschemas.org/FormalParameter",
        "input": "https://bioschemas.org/ComputationalWorkflow#input",
        "output": "https://bioschemas.org/ComputationalWorkflow#output",
    }
)


def local_context(url):
    if url.startswith("https://w3id.org/ro/crate/") and url.rstrip("/").endswith("/context"):
        return CONTEXT
    raise RuntimeError(f"offline: no copy of {url}")


def main():
    crate_dir, profile, severity = sys.argv[1:4]
    import requests
    from rocrate_validator import models, services
    from rocrate_validator.utils import document_loader
    from rocrate_validator.utils.http import HttpRequester

    # The validator's two ways of fetching the context (its JSON-LD loader and its HTTP client), pointed at the copy.
    document_loader._fetch_json_ld = local_context
    document_loader.install_document_loader()
    fallback = HttpRequester.__getattr__

    def get(self, url, *args, **kwargs):
        try:
            body = local_context(url)
        except RuntimeError:
            return fallback(self, "get")(url, *args, **kwargs)
        r = requests.Response()
        r.status_code, r.url, r._content = 200, url, json.dumps(body).encode()
        r.headers["Content-Type"] = "application/ld+json"
        return r

    HttpRequester.get = get
    result = services.validate(
        services.ValidationSettings(rocrate_uri=crate_dir, profile_identifier=profile, requirement_severity=models.Severity[severity], abort_on_first=False)
    )
    issues = [f"[{i.severity.name}] {i.check.requirement.name if i.check and i.check.requirement else ''}: {i.message}" for i in result.get_issues()]

    # JSON-LD: every property of every entity must expand to an IRI (an unmapped term would be silently dropped).
    doc = json.load(open(os.path.join(crate_dir, "ro-crate-metadata.json")))
    loader = lambda url, options=None: {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": local_context(url)}  # noqa: E731
    base = "http://crate.invalid/"
    expanded = jsonld.expand(doc, {"documentLoader": loader, "base": base})
    by_id = {e["@id"]: e for e in expanded}
    dropped = []
    for e in doc["@graph"]:
        x = by_id.get(urljoin(base, e["@id"]), {})
        n = len([k for k in e if k not in ("@id", "@type")])
        m = len([k for k in x if k not in ("@id", "@type")])
        if n != m:
            dropped.append(f"{e['@id']}: {sorted(k for k in e if not k.startswith('@'))}")
    print(json.dumps({"issues": issues, "expanded": len(expanded), "dropped": dropped}))


main()
