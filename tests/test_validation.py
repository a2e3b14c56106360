"""Validation on the platform: uploads and URLs, the queue, reports, pages, policy, limits.

Through the action API over HTTP and the web pages, on the real database, Solr and Redis.
Tables and the schema catalogue (../shared's copy of schema.data.gouv.fr) are served by a
test server on 127.0.0.1. Jobs run as the worker runs them (same function, same process),
and a real `ckan jobs worker --burst` runs in its own process.
"""

from __future__ import annotations

import contextlib
import datetime
import http.server
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zoneinfo
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers

from ckanext.tgn.lib import http
from ckanext.tgn.validation import job, policy, reports, table_schemas
from ckanext.tgn.validation.engine import status
from tests.tables import (
    DELIBERATIONS,
    ROOT,
    SDGF,
    SUBVENTIONS,
    csv_bytes,
    deliberation,
    subvention,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index")

VALID_CSV = csv_bytes([deliberation(n) for n in (1, 2, 3)])
INVALID_CSV = csv_bytes(
    [
        deliberation(1),
        deliberation(2, COLL_SIRET="24820009900014"),
        deliberation(3, PREF_DATE="2024-03-01"),
    ]
)


# --- a server for tables and the schema catalogue ---------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    state: ClassVar[dict[str, Any]] = {}

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.state.setdefault("requests", []).append(self.path)
        path = self.path.split("?", 1)[0]
        if path.startswith("/sdgf/"):
            if self.state.get("catalog_down"):
                return self._send(503, b"maintenance")
            target = (SDGF / path[len("/sdgf/") :]).resolve()
            if SDGF.resolve() in target.parents and target.is_file():
                return self._send(200, target.read_bytes(), "application/json")
            return self._send(404, b"not found")
        if path.startswith("/files/"):
            body = self.state.get("files", {}).get(path[len("/files/") :])
            return self._send(200, body, "text/csv") if body is not None else self._send(404, b"")
        if path.startswith("/slow/"):
            time.sleep(float(path[len("/slow/") :]))
            return self._send(200, VALID_CSV, "text/csv")
        if path.startswith("/status/"):
            return self._send(int(path[len("/status/") :]), b"")
        return self._send(404, b"")

    def _send(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@pytest.fixture(scope="session")
def table_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def served(table_server):
    """The server's state for this test: files to serve, catalogue up."""
    _Handler.state = {"files": {}, "requests": []}
    return _Handler.state


@pytest.fixture
def validation(ckan_config, monkeypatch, table_server, served):
    """Validation pointed at the test server (private addresses allowed), clean cache/queue."""
    settings = {
        "ckanext.tgn.validation.schema_catalog_url": f"{table_server}/sdgf/schemas.json",
        "ckanext.tgn.validation.allow_private_addresses": True,
        "ckanext.tgn.validation.connect_timeout": 5,
        "ckanext.tgn.validation.read_timeout": 5,
    }
    for key, value in settings.items():
        monkeypatch.setitem(ckan_config, key, value)
    redis = connect_to_redis()
    for key in redis.scan_iter("tgn:validation:*"):
        redis.delete(key)
    helpers.call_action("job_clear", {"ignore_auth": True})
    return {"server": table_server, "settings": settings}


@pytest.fixture
def staff():
    """A sysadmin's context, as the syndicate's staff act."""
    return {"user": factories.Sysadmin()["name"]}


def _upload(app, agent, dataset_id: str, content: bytes, name: str, schema: str, **fields):
    response = app.post(
        "/api/3/action/resource_create",
        data={
            "package_id": dataset_id,
            "name": name,
            "conforms_to": schema,
            "upload": (io.BytesIO(content), name),
            **fields,
        },
        headers=agent["headers"],
    )
    assert response.status_code == 200, response.json
    return response.json["result"]


def _link(app, agent, dataset_id: str, url: str, schema: str, **fields) -> dict[str, Any]:
    response = app.post(
        "/api/3/action/resource_create",
        json={"package_id": dataset_id, "name": "Lien", "url": url, "conforms_to": schema,
              **fields},
        headers=agent["headers"],
    )  # fmt: skip
    assert response.status_code == 200, response.json
    return response.json["result"]


def _report(app, resource_id: str, headers: dict | None = None) -> dict[str, Any]:
    response = app.get(
        "/api/3/action/tgn_validation_show", query_string={"id": resource_id}, headers=headers
    )
    assert response.status_code == 200, response.json
    return response.json["result"]


def _work(resource_id: str) -> None:
    """What the worker does with the queued job of this resource."""
    report = reports.ValidationReport.get(resource_id)
    assert report is not None
    job.run_validation(resource_id, report.token)
    model.Session.remove()


# --- the flow -----------------------------------------------------------------------------


class TestUploads:
    def test_an_upload_is_queued_then_found_valid(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "deliberations.csv", DELIBERATIONS)
        pending = _report(app, resource["id"])
        assert pending["status"] == "en attente"
        assert pending["status_label"] == "en attente"
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert any(resource["id"] in (j["title"] or "") for j in queued)

        _work(resource["id"])
        report = _report(app, resource["id"])  # anonymous: the dataset is public
        assert report["status"] == "valide"
        assert report["error_count"] == 0
        assert report["info"]["rows"] == 3 and report["info"]["delimiter"] == ";"
        assert report["started"] and report["finished"] >= report["started"]
        assert report["schema_url"] == DELIBERATIONS

    def test_an_invalid_upload_gets_a_french_report(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(
            app, agent, dataset["id"], INVALID_CSV, "deliberations.csv", DELIBERATIONS
        )
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "invalide"
        assert report["counts"] == {"french-siret-value": 1, "compare-columns-value": 1}
        by_type = {e["type"]: e for e in report["errors"]}
        siret = by_type["french-siret-value"]
        assert (siret["row"], siret["column"], siret["value"]) == (
            3,
            "COLL_SIRET",
            "24820009900014",
        )
        assert siret["title"] == "Numéro SIRET invalide"
        assert "annuaire-entreprises.data.gouv.fr" in siret["message"]
        assert "n'est pas un numéro SIRET valide" in siret["message"]
        dates = by_type["compare-columns-value"]
        assert (dates["row"], dates["column"]) == (4, "PREF_DATE")
        assert "supérieure ou égale à DELIB_DATE" in dates["message"]

    def test_latin1_is_detected_and_reported(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        content = csv_bytes(
            [deliberation(1, DELIB_MATIERE_NOM="Libertés publiques et pouvoirs de police/Voirie")],
            encoding="cp1252",
        )
        resource = _upload(app, agent, dataset["id"], content, "export.csv", DELIBERATIONS)
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "valide"
        assert report["info"]["encoding"] == "cp1252"
        assert any("Windows-1252" in w["message"] for w in report["warnings"])

    def test_a_file_that_is_not_a_table(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
        resource = _upload(app, agent, dataset["id"], png, "deliberations.csv", DELIBERATIONS)
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "erreur"
        assert "n'est pas un tableau" in report["message_text"]
        assert app.get(f"/dataset/{dataset['name']}").status_code == 200  # nothing else broken

    def test_a_table_schema_uploaded_by_the_agent(
        self, app, agent, make_dataset, validation, served
    ):
        """A schema of its own, uploaded as a resource, checks the agent's table."""
        dataset = make_dataset(owner_org=agent["org"]["id"])
        schema = {"fields": [{"name": "commune", "type": "string"},
                             {"name": "habitants", "type": "integer",
                              "constraints": {"required": True, "minimum": 0}}]}  # fmt: skip
        schema_resource = _upload(
            app, agent, dataset["id"], json.dumps(schema).encode(), "schema.json", ""
        )
        table = b"commune;habitants\r\nMontauban;61000\r\nMoissac;-3\r\n"
        resource = _upload(
            app, agent, dataset["id"], table, "population.csv", "",
            conforms_to_other=schema_resource["url"],
        )  # fmt: skip
        assert resource["conforms_to"] == schema_resource["url"]
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "invalide"
        assert [(e["row"], e["column"], e["params"]["constraint"]) for e in report["errors"]] == [
            (3, "habitants", "minimum")
        ]
        assert served["requests"] == []  # read from storage, not over HTTP


class TestRemoteFiles:
    def test_a_url_served_on_the_test_server(self, app, agent, make_dataset, validation, served):
        served["files"]["subventions.csv"] = csv_bytes(
            [subvention(1), subvention(2, nature="subvention")]
        )
        dataset = make_dataset(owner_org=agent["org"]["id"])
        url = f"{validation['server']}/files/subventions.csv"
        resource = _link(app, agent, dataset["id"], url, SUBVENTIONS)
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "invalide"
        assert [(e["type"], e["row"], e["column"]) for e in report["errors"]] == [
            ("constraint-error", 3, "nature")
        ]
        assert "n'est pas une valeur autorisée" in report["errors"][0]["message"]
        assert "/files/subventions.csv" in served["requests"]

    def test_private_addresses_are_refused_by_default(
        self, app, agent, make_dataset, validation, served, monkeypatch, ckan_config
    ):
        served["files"]["t.csv"] = VALID_CSV
        dataset = make_dataset(owner_org=agent["org"]["id"])
        # The catalogue lives on the test server too: cache it before closing the door.
        table_schemas.resolve(DELIBERATIONS)
        monkeypatch.setitem(ckan_config, "ckanext.tgn.validation.allow_private_addresses", False)
        served["requests"].clear()
        resource = _link(
            app, agent, dataset["id"], f"{validation['server']}/files/t.csv", DELIBERATIONS
        )
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "erreur"
        assert "pas sur le web public (réseau privé)" in report["message_text"]
        assert served["requests"] == []  # never asked

    def test_the_connection_goes_to_the_address_that_was_checked(
        self, validation, served, monkeypatch
    ):
        """DNS rebinding: the name resolves to a public address for the check, then to
        127.0.0.1; the connection must still go to the checked address, never here. No
        packet leaves the machine: the connection itself is intercepted."""
        import urllib3.util.connection

        served["files"]["t.csv"] = VALID_CSV
        port = int(validation["server"].rsplit(":", 1)[1])
        real = socket.getaddrinfo
        answers = iter(["93.184.216.34"])  # public for the check, 127.0.0.1 afterwards

        def rebinding(host, *args, **kwargs):
            if host == "rebind.example":
                address = next(answers, "127.0.0.1")
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
            return real(host, *args, **kwargs)

        dialled = []

        def intercepted(address, *args, **kwargs):
            dialled.append(address)
            raise ConnectionRefusedError("intercepted by the test")

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        monkeypatch.setattr(urllib3.util.connection, "create_connection", intercepted)
        with pytest.raises(http.FetchError) as failed:
            http.fetch_bytes(
                f"http://rebind.example:{port}/files/t.csv",
                max_size=10_000,
                timeouts=(1, 1),
                allow_private=False,
            )
        assert failed.value.code == "connection"
        assert dialled == [("93.184.216.34", port)]
        assert served["requests"] == []

    def test_pinned_https_keeps_the_host_name_for_tls(self, tmp_path):
        """Pinned to an address, TLS still sends the name (SNI) and checks the certificate
        against it."""
        import ssl

        cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-keyout", str(key), "-out", str(cert), "-subj", "/CN=donnees.exemple",
             "-addext", "subjectAltName=DNS:donnees.exemple"],
            check=True, capture_output=True,
        )  # fmt: skip
        seen: dict[str, Any] = {}
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

        def record_sni(sock: Any, name: str, ctx: Any) -> None:
            seen["sni"] = name

        context.sni_callback = record_sni

        class Hello(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                seen["host"] = self.headers["Host"]
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        try:
            session = requests.Session()
            url, headers = http._pinned(
                session, f"https://donnees.exemple:{port}/t.csv", "127.0.0.1"
            )
            response = session.get(url, headers=headers, verify=str(cert), timeout=5)
            assert response.text == "ok"
            assert seen == {"sni": "donnees.exemple", "host": f"donnees.exemple:{port}"}
            session = requests.Session()
            url, headers = http._pinned(session, f"https://autre.exemple:{port}/", "127.0.0.1")
            with pytest.raises(requests.exceptions.SSLError):
                session.get(url, headers=headers, verify=str(cert), timeout=5)
        finally:
            server.shutdown()

    @pytest.mark.parametrize(
        "path,settings,words",
        [
            ("/status/404", {}, "erreur 404"),
            ("/slow/3", {"ckanext.tgn.validation.read_timeout": 1}, "n'a pas répondu à temps"),
            ("/files/big.csv", {"ckanext.tgn.validation.max_size": 2000}, "plus de 2 ko"),
        ],
    )
    def test_download_limits(
        self, app, agent, make_dataset, validation, served, monkeypatch, ckan_config,
        path, settings, words,
    ):  # fmt: skip
        served["files"]["big.csv"] = csv_bytes([deliberation(n) for n in range(1, 40)])
        for key, value in settings.items():
            monkeypatch.setitem(ckan_config, key, value)
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _link(app, agent, dataset["id"], validation["server"] + path, DELIBERATIONS)
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "erreur"
        assert words in report["message_text"]

    def test_an_upload_over_the_size_limit(
        self, app, agent, make_dataset, validation, monkeypatch, ckan_config
    ):
        monkeypatch.setitem(ckan_config, "ckanext.tgn.validation.max_size", 1000)
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "erreur" and "plus de 1 ko" in report["message_text"]


class TestSchemaCatalogue:
    def test_unreachable_catalogue_is_a_clear_error(
        self, app, agent, make_dataset, validation, monkeypatch, ckan_config
    ):
        monkeypatch.setitem(
            ckan_config, "ckanext.tgn.validation.schema_catalog_url", "http://127.0.0.1:9/s.json"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        report = _report(app, resource["id"])
        assert report["status"] == "erreur"
        assert (
            "catalogue des schémas (http://127.0.0.1:9/s.json) est injoignable"
            in (report["message_text"])
        )

    def test_catalogue_and_schema_are_cached(
        self, app, agent, make_dataset, validation, served, monkeypatch, ckan_config
    ):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        first = _upload(app, agent, dataset["id"], VALID_CSV, "a.csv", DELIBERATIONS)
        _work(first["id"])
        assert served["requests"].count("/sdgf/schemas.json") == 1
        second = _upload(app, agent, dataset["id"], VALID_CSV, "b.csv", DELIBERATIONS)
        _work(second["id"])
        assert served["requests"].count("/sdgf/schemas.json") == 1  # from Redis
        # Expired and the catalogue down: the last good copy still serves.
        redis = connect_to_redis()
        for key in redis.scan_iter("tgn:validation:*"):
            if not key.endswith(b":last"):
                redis.delete(key)
        served["catalog_down"] = True
        third = _upload(app, agent, dataset["id"], VALID_CSV, "c.csv", DELIBERATIONS)
        _work(third["id"])
        assert _report(app, third["id"])["status"] == "valide"
        assert served["requests"].count("/sdgf/schemas.json") == 2


class TestWhenToValidate:
    def test_only_changes_that_matter_queue_a_validation(
        self, app, agent, make_dataset, validation, served, staff
    ):
        served["files"]["a.csv"] = VALID_CSV
        served["files"]["b.csv"] = INVALID_CSV
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _link(
            app, agent, dataset["id"], f"{validation['server']}/files/a.csv", DELIBERATIONS
        )
        _work(resource["id"])
        token = reports.ValidationReport.get(resource["id"]).token

        helpers.call_action(
            "resource_patch", dict(staff), id=resource["id"], description="Mise à jour"
        )
        assert reports.ValidationReport.get(resource["id"]).token == token
        assert _report(app, resource["id"])["status"] == "valide"

        helpers.call_action(
            "resource_patch",
            dict(staff),
            id=resource["id"],
            url=f"{validation['server']}/files/b.csv",
        )
        assert _report(app, resource["id"])["status"] == "en attente"
        _work(resource["id"])
        assert _report(app, resource["id"])["status"] == "invalide"

        helpers.call_action("resource_patch", dict(staff), id=resource["id"], conforms_to="")
        assert reports.ValidationReport.get(resource["id"]) is None  # no schema, no report

    def test_a_job_killed_by_the_worker_leaves_an_error(self, app, agent, make_dataset, validation):
        """rq's failure callback (job timeout, crash) closes the report."""
        from rq.timeouts import JobTimeoutException

        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        job = next(j for j in queued if resource["id"] in j["title"])
        from ckan.lib.jobs import job_from_id

        rq_job = job_from_id(job["id"])
        assert rq_job.failure_callback is job.job_failed
        job.job_failed(rq_job, None, JobTimeoutException, JobTimeoutException("900"), None)
        model.Session.remove()
        report = _report(app, resource["id"])
        assert report["status"] == "erreur"
        assert "a duré plus de 900 s" in report["message_text"]

    def test_a_job_superseded_while_it_runs_drops_its_result(
        self, app, agent, make_dataset, validation, staff, monkeypatch
    ):
        """The agent re-uploads while the old file is being checked: the old verdict is lost,
        the new job's stands."""
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        old_token = reports.ValidationReport.get(resource["id"]).token
        real = job.validate_resource

        def replaced_meanwhile(res, schema_url):
            outcome = real(res, schema_url)
            # Another session (the agent's request) asks for a new validation meanwhile.
            other = model.meta.create_local_session()
            report = other.get(reports.ValidationReport, resource["id"])
            report.token, report.status = "newer", status.PENDING
            other.commit()
            other.close()
            return outcome

        monkeypatch.setattr(job, "validate_resource", replaced_meanwhile)
        job.run_validation(resource["id"], old_token)
        model.Session.remove()
        report = reports.ValidationReport.get(resource["id"])
        assert (report.token, report.status, report.outcome) == ("newer", "en attente", None)

    def test_the_job_is_queued_only_when_the_save_commits(self, agent, make_org, validation, staff):
        """Not when the bookkeeping's savepoint is released: a worker would look for a
        report row that is not visible yet."""
        from tests.conftest import COMPLETE_DATASET

        context = {**staff, "defer_commit": True}
        dataset = helpers.call_action(
            "package_create",
            context,
            name="sauvegarde-differee",
            owner_org=agent["org"]["id"],
            resources=[{"url": "https://exemple.fr/d.csv", "conforms_to": DELIBERATIONS}],
            **COMPLETE_DATASET,
        )
        assert helpers.call_action("job_list", {"ignore_auth": True}) == []
        model.Session.commit()
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert [j["title"] for j in queued] == [f"tgn validation {dataset['resources'][0]['id']}"]

    def test_a_job_delivered_twice_runs_once(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        first = reports.ValidationReport.get(resource["id"]).finished
        _work(resource["id"])  # the same token again (e.g. `run --now` plus the queue)
        assert reports.ValidationReport.get(resource["id"]).finished == first

    def test_a_stuck_report_is_asked_again_on_the_next_save(
        self, app, agent, make_dataset, validation, staff
    ):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        report = reports.ValidationReport.get(resource["id"])
        report.status = status.RUNNING
        report.started = report.requested = reports.utcnow() - datetime.timedelta(hours=3)
        old_token = report.token
        model.Session.commit()
        helpers.call_action("package_patch", dict(staff), id=dataset["id"], notes="Relu")
        model.Session.remove()
        report = reports.ValidationReport.get(resource["id"])
        assert report.status == "en attente" and report.token != old_token

    def test_a_superseded_job_does_not_overwrite(self, app, agent, make_dataset, validation, staff):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        old_token = reports.ValidationReport.get(resource["id"]).token
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        job.run_validation(resource["id"], old_token)
        model.Session.remove()
        assert _report(app, resource["id"])["status"] == "en attente"


class TestAccess:
    def test_editors_run_others_cannot(self, app, agent, make_org, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        stranger = factories.User()
        other_org = make_org(users=[{"name": stranger["name"], "capacity": "editor"}])
        assert other_org
        stranger_token = factories.APIToken(user=stranger["name"])["token"]
        response = app.post(
            "/api/3/action/tgn_validation_run",
            json={"id": resource["id"]},
            headers={"Authorization": stranger_token},
        )
        assert response.status_code == 403
        assert _report(app, resource["id"])["status"] == "valide"
        anonymous = app.post("/api/3/action/tgn_validation_run", json={"id": resource["id"]})
        assert anonymous.status_code == 403

        response = app.post(
            "/api/3/action/tgn_validation_run",
            json={"id": resource["id"]},
            headers=agent["headers"],
        )
        assert response.status_code == 200 and response.json["result"]["status"] == "en attente"

    def test_private_dataset_reports_stay_private(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"], private=True)
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        anonymous = app.get(
            "/api/3/action/tgn_validation_show", query_string={"id": resource["id"]}
        )
        assert anonymous.status_code == 403
        assert _report(app, resource["id"], agent["headers"])["status"] == "invalide"
        org_page = app.get(f"/organization/{agent['org']['name']}")
        assert "Tableaux à corriger" not in org_page.body
        member_page = app.get(f"/organization/{agent['org']['name']}", headers=agent["headers"])
        assert "Tableaux à corriger" in member_page.body

    def test_a_resource_without_schema_cannot_be_run(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", "")
        response = app.post(
            "/api/3/action/tgn_validation_run",
            json={"id": resource["id"]},
            headers=agent["headers"],
        )
        assert response.status_code == 409
        assert "n'a pas de schéma de données" in response.json["error"]["conforms_to"][0]


class TestPolicy:
    def _org_admin(self, agent):
        admin = factories.User()
        helpers.call_action(
            "organization_member_create",
            id=agent["org"]["id"],
            username=admin["name"],
            role="admin",
        )
        return admin

    def test_only_staff_choose_the_policy(self, app, agent, validation, staff):
        admin = self._org_admin(agent)
        headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
        refused = app.post(
            "/api/3/action/organization_patch",
            json={"id": agent["org"]["id"], "validation_policy": "warn"},
            headers=headers,
        )
        assert refused.status_code == 409
        assert "Seule l'équipe de la plateforme" in refused.json["error"]["validation_policy"][0]
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        # The admin may still edit the rest; the staff's choice is kept.
        edited = app.post(
            "/api/3/action/organization_patch",
            json={"id": agent["org"]["id"], "description": "Nouvelle description"},
            headers=headers,
        )
        assert edited.status_code == 200, edited.json
        org = helpers.call_action("organization_show", id=agent["org"]["id"])
        assert org["validation_policy"] == "private"
        assert org["description"] == "Nouvelle description"

    def test_private_policy_holds_the_dataset_until_fixed(
        self, app, agent, make_dataset, validation, staff
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        other = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        assert app.get(f"/dataset/{dataset['name']}").status_code == 404
        assert helpers.call_action("package_show", id=other["id"])["private"] is False
        assert _report(app, resource["id"], agent["headers"])["made_private"] is True
        page = app.get(
            f"/dataset/{dataset['name']}/resource/{resource['id']}", headers=agent["headers"]
        )
        assert "garde ce jeu de données privé" in page.body
        # Nothing deleted: the file is still there, downloadable by the agent.
        download = app.get(
            resource["url"].replace("http://127.0.0.1:5000", ""), headers=agent["headers"]
        )
        assert download.status_code == 200 and download.data == INVALID_CSV

        response = app.post(
            "/api/3/action/resource_patch",
            data={"id": resource["id"], "upload": (io.BytesIO(VALID_CSV), "d.csv")},
            headers=agent["headers"],
        )
        assert response.status_code == 200, response.json
        _work(resource["id"])
        assert _report(app, resource["id"], agent["headers"])["status"] == "valide"
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
        assert app.get(f"/dataset/{dataset['name']}").status_code == 200

    def test_deleting_the_invalid_resource_publishes_again(
        self, app, agent, make_dataset, validation, staff
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        helpers.call_action("job_clear", {"ignore_auth": True})
        response = app.post(
            "/api/3/action/resource_delete", json={"id": resource["id"]}, headers=agent["headers"]
        )
        assert response.status_code == 200
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert [j["title"] for j in queued] == [f"tgn policy {dataset['id']}"]
        policy.apply_policy_job(dataset["id"])  # what the worker runs
        model.Session.remove()
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
        assert reports.ValidationReport.for_package(dataset["id"]) == []

    def test_an_admin_update_without_the_field_keeps_it(self, app, agent, validation, staff):
        admin = self._org_admin(agent)
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        org = helpers.call_action("organization_show", id=agent["org"]["id"])
        fields = {k: v for k, v in org.items() if k != "validation_policy"}
        fields["description"] = "Mise à jour par l'administratrice"
        headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
        response = app.post("/api/3/action/organization_update", json=fields, headers=headers)
        assert response.status_code == 200, response.json
        org = helpers.call_action("organization_show", id=agent["org"]["id"])
        assert org["validation_policy"] == "private"
        assert org["description"] == "Mise à jour par l'administratrice"

    def test_publishing_while_invalid_is_undone(self, app, agent, make_dataset, validation, staff):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        helpers.call_action("job_clear", {"ignore_auth": True})
        response = app.post(
            "/api/3/action/package_patch",
            json={"id": dataset["id"], "private": False},
            headers=agent["headers"],
        )
        assert response.status_code == 200 and response.json["result"]["private"] is False
        queued = helpers.call_action("job_list", {"ignore_auth": True})
        assert [j["title"] for j in queued] == [f"tgn policy {dataset['id']}"]
        policy.apply_policy_job(dataset["id"])
        model.Session.remove()
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True

    def test_a_held_dataset_stays_private_while_it_cannot_be_checked(
        self, app, agent, make_dataset, validation, staff, served
    ):
        """Fixed? Not known yet: a re-check that fails (server down) keeps it private."""
        served["files"]["t.csv"] = INVALID_CSV
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        url = f"{validation['server']}/files/t.csv"
        resource = _link(app, agent, dataset["id"], url, DELIBERATIONS)
        _work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        del served["files"]["t.csv"]  # the agent's server now answers 404
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        _work(resource["id"])
        assert _report(app, resource["id"], agent["headers"])["status"] == "erreur"
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True
        served["files"]["t.csv"] = VALID_CSV
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        _work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False

    def test_an_agent_making_it_private_during_the_check_wins(
        self, app, agent, make_dataset, validation, staff, monkeypatch
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        real = job.validate_resource

        def agent_hides_it_meanwhile(res, schema_url):
            outcome = real(res, schema_url)
            response = app.post(
                "/api/3/action/package_patch",
                json={"id": dataset["id"], "private": True},
                headers=agent["headers"],
            )
            assert response.status_code == 200
            return outcome

        monkeypatch.setattr(job, "validate_resource", agent_hides_it_meanwhile)
        _work(resource["id"])
        report = _report(app, resource["id"], agent["headers"])
        assert report["status"] == "invalide" and report["made_private"] is False
        # Fixed later: the dataset stays private, as the agent wanted.
        monkeypatch.setattr(job, "validate_resource", real)
        response = app.post(
            "/api/3/action/resource_patch",
            data={"id": resource["id"], "upload": (io.BytesIO(VALID_CSV), "d.csv")},
            headers=agent["headers"],
        )
        assert response.status_code == 200
        _work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True

    def test_a_dataset_the_agent_made_private_stays_private(
        self, app, agent, make_dataset, validation, staff
    ):
        helpers.call_action(
            "organization_patch", dict(staff), id=agent["org"]["id"], validation_policy="private"
        )
        dataset = make_dataset(owner_org=agent["org"]["id"], private=True)
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        helpers.call_action("tgn_validation_run", dict(staff), id=resource["id"])
        helpers.call_action("resource_patch", dict(staff), id=resource["id"], conforms_to="")
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is True

    def test_warn_policy_publishes_with_the_warning(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"], private=False)
        resource = _upload(app, agent, dataset["id"], INVALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["private"] is False
        page = app.get(f"/dataset/{dataset['name']}")
        assert 'data-status="invalide"' in page.body


class TestPages:
    def test_resource_dataset_and_organisation_pages(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"], title="Délibérations 2024")
        bad = _upload(app, agent, dataset["id"], INVALID_CSV, "mauvais.csv", DELIBERATIONS)
        good = _upload(app, agent, dataset["id"], VALID_CSV, "bon.csv", DELIBERATIONS)
        _work(bad["id"])
        _work(good["id"])

        page = app.get(f"/dataset/{dataset['name']}/resource/{bad['id']}").body
        assert "Conformité au schéma de données" in page
        finished = datetime.datetime.fromisoformat(_report(app, bad["id"])["finished"])
        in_paris = finished.replace(tzinfo=datetime.timezone.utc).astimezone(
            zoneinfo.ZoneInfo("Europe/Paris")
        )
        assert f"Vérifié le {in_paris:%d/%m/%Y %H:%M}." in page
        assert 'data-status="invalide"' in page
        assert "2 erreurs à corriger." in page
        assert 'data-type="french-siret-value">Numéro SIRET invalide' in page
        assert "24820009900014" in page
        assert "Relancer la validation" not in page  # anonymous visitor

        editor_page = app.get(
            f"/dataset/{dataset['name']}/resource/{bad['id']}", headers=agent["headers"]
        ).body
        assert "Relancer la validation" in editor_page

        dataset_page = app.get(f"/dataset/{dataset['name']}").body
        assert dataset_page.count('data-status="invalide"') == 1
        assert dataset_page.count('data-status="valide"') == 1

        org_page = app.get(f"/organization/{agent['org']['name']}").body
        assert "Tableaux à corriger" in org_page
        assert "Délibérations 2024 — mauvais.csv" in org_page
        assert "bon.csv" not in org_page.split("Tableaux à corriger")[1].split("</section>")[0]

    def test_rerun_button(self, app, agent, make_dataset, validation):
        dataset = make_dataset(owner_org=agent["org"]["id"])
        resource = _upload(app, agent, dataset["id"], VALID_CSV, "d.csv", DELIBERATIONS)
        _work(resource["id"])
        token = reports.ValidationReport.get(resource["id"]).token
        response = app.post(
            f"/dataset/{dataset['name']}/resource/{resource['id']}/validation",
            headers=agent["headers"],
            follow_redirects=False,
        )
        assert response.status_code == 302
        model.Session.remove()
        report = reports.ValidationReport.get(resource["id"])
        assert report.status == "en attente" and report.token != token
        anonymous = app.post(
            f"/dataset/{dataset['name']}/resource/{resource['id']}/validation",
            follow_redirects=False,
        )
        assert anonymous.status_code == 403


class TestCommandLine:
    def test_run_now_and_show(self, cli, agent, make_dataset, validation, served):
        from ckan.cli.cli import ckan

        served["files"]["a.csv"] = INVALID_CSV
        dataset = make_dataset(
            owner_org=agent["org"]["id"],
            resources=[
                {"url": f"{validation['server']}/files/a.csv", "conforms_to": DELIBERATIONS}
            ],
        )
        resource_id = dataset["resources"][0]["id"]
        result = cli.invoke(
            ckan, ["tgn", "validation", "run", "--now", "--dataset", dataset["name"]]
        )
        assert result.exit_code == 0, result.output
        assert f"[1/1] {resource_id} : invalide (2 erreur(s))" in result.output
        shown = cli.invoke(ckan, ["tgn", "validation", "show", resource_id])
        assert "Numéro SIRET invalide : 1" in shown.output
        missing = cli.invoke(ckan, ["tgn", "validation", "run", "pas-une-ressource"])
        assert missing.exit_code != 0 and "Ressource introuvable" in missing.output


class TestWorker:
    def test_a_burst_worker_runs_the_queue_and_survives_bad_files(
        self, app, agent, make_dataset, validation, tmp_path
    ):
        """`ckan jobs worker --burst` in its own process, as in production."""
        dataset = make_dataset(owner_org=agent["org"]["id"])
        broken = _upload(app, agent, dataset["id"], b"", "vide.csv", DELIBERATIONS)
        bad = _upload(app, agent, dataset["id"], INVALID_CSV, "mauvais.csv", DELIBERATIONS)
        good = _upload(app, agent, dataset["id"], VALID_CSV, "bon.csv", DELIBERATIONS)
        overrides = "\n".join(f"{k} = {str(v).lower()}" for k, v in validation["settings"].items())
        test_ini = (ROOT / "test.ini").read_text()
        logging = test_ini[test_ini.index("[loggers]") :]
        ini = tmp_path / "worker.ini"
        ini.write_text(f"[app:main]\nuse = config:{ROOT / 'test.ini'}\n{overrides}\n\n{logging}")
        ckan = str(Path(sys.executable).with_name("ckan"))
        result = subprocess.run(
            [ckan, "-c", str(ini), "jobs", "worker", "--burst"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ},
        )
        assert result.returncode == 0, result.stderr[-3000:]
        model.Session.remove()
        assert _report(app, broken["id"])["status"] == "erreur"
        assert _report(app, bad["id"])["status"] == "invalide"
        assert _report(app, good["id"])["status"] == "valide"
        assert helpers.call_action("job_list", {"ignore_auth": True}) == []
