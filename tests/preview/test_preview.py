"""Table previews end to end: a served site and a real worker load uploads into the DataStore
through ckanext-xloader under our rules (tgn_preview), with the real PostgreSQL roles."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
import requests
import sqlalchemy
from ckan import model
from ckan.plugins import toolkit as tk

from ckanext.tgn.lib import signals
from ckanext.tgn.validation.engine import status
from tests.helpers import data
from tests.helpers.table_server import fresh_state
from tests.helpers.tables import DELIBERATIONS, INVALID_CSV, VALID_CSV, csv_bytes, deliberation

pytestmark = pytest.mark.usefixtures("live_site")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _wait(what: str, check: Callable[[], Any], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Api:
    """The live site's action API, as one user (or anonymous)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url, self.headers = url, headers or {}

    def call(self, action: str, files: dict | None = None, **params: Any) -> requests.Response:
        if files:
            return requests.post(
                f"{self.url}/api/3/action/{action}", data=params, files=files,
                headers=self.headers, timeout=60,
            )  # fmt: skip
        return requests.post(
            f"{self.url}/api/3/action/{action}", json=params, headers=self.headers, timeout=60
        )

    def result(self, action: str, files: dict | None = None, **params: Any) -> Any:
        response = self.call(action, files, **params)
        assert response.status_code == 200, response.text[:2000]
        return response.json()["result"]


@pytest.fixture(scope="module")
def agent(live_site):
    who = data.agent()
    return {"api": Api(live_site.url, who["headers"]), "org": who["org"]}


def _dataset(agent, **fields) -> dict[str, Any]:
    return data.dataset(owner_org=agent["org"]["id"], **fields)


def _upload(agent, dataset_id: str, content: bytes, name: str, schema: str = "", **fields):
    return agent["api"].result(
        "resource_create",
        files={"upload": (name, content, "text/csv")},
        package_id=dataset_id, name=name, conforms_to=schema, format="CSV", **fields,
    )  # fmt: skip


def _loaded(agent, resource_id: str) -> dict[str, Any] | None:
    """The resource once xloader has finished with it (datastore active), else None."""
    resource = agent["api"].result("resource_show", id=resource_id)
    return resource if resource.get("datastore_active") else None


def _xloader_state(agent, resource_id: str) -> str:
    response = agent["api"].call("xloader_status", resource_id=resource_id)
    return response.json()["result"].get("status", "") if response.status_code == 200 else ""


def _report(agent, resource_id: str) -> dict[str, Any] | None:
    response = agent["api"].call("tgn_validation_show", id=resource_id)
    if response.status_code != 200:
        return None
    report = response.json()["result"]
    return report if report["status"] not in (status.PENDING, status.RUNNING) else None


def test_the_subscriber_and_the_sender_agree_on_the_statuses():
    assert (signals.VALID, signals.INVALID) == (status.VALID, status.INVALID)


def test_a_valid_table_is_loaded_with_the_dictionary_of_its_schema(agent):
    dataset = _dataset(agent)
    resource = _upload(agent, dataset["id"], VALID_CSV, "deliberations.csv", DELIBERATIONS)
    report = _wait("the validation", lambda: _report(agent, resource["id"]))
    assert report["status"] == status.VALID
    _wait("the DataStore table", lambda: _loaded(agent, resource["id"]))
    rows = agent["api"].result("datastore_search", resource_id=resource["id"])
    assert rows["total"] == 3
    assert [r["DELIB_ID"] for r in rows["records"]] == [
        deliberation(n)["DELIB_ID"] for n in (1, 2, 3)
    ]
    # The dictionary is written right after the load: wait for it, then read the words.
    fields = _wait(
        "the data dictionary",
        lambda: [
            f for f in agent["api"].result("datastore_info", id=resource["id"])["fields"]
            if f.get("info", {}).get("label")
        ],
    )  # fmt: skip
    by_id = {f["id"]: f["info"] for f in fields}
    assert by_id["COLL_SIRET"]["label"] == "Code SIRET de la collectivité"
    assert "SIRET" in by_id["COLL_SIRET"]["notes"]
    views = agent["api"].result("resource_view_list", id=resource["id"])
    assert [v["view_type"] for v in views] == ["datatables_view"]


def test_an_invalid_table_gets_no_preview_until_its_corrected_file(agent):
    dataset = _dataset(agent)
    resource = _upload(agent, dataset["id"], INVALID_CSV, "deliberations.csv", DELIBERATIONS)
    report = _wait("the validation", lambda: _report(agent, resource["id"]))
    assert report["status"] == status.INVALID
    time.sleep(2)  # what the worker might still do with it
    assert not agent["api"].result("resource_show", id=resource["id"]).get("datastore_active")
    assert _xloader_state(agent, resource["id"]) == ""
    agent["api"].result(
        "resource_patch", id=resource["id"],
        files={"upload": ("deliberations.csv", VALID_CSV, "text/csv")},
    )  # fmt: skip
    _wait(
        "the new report",
        lambda: (_report(agent, resource["id"]) or {}).get("status") == status.VALID,
    )
    _wait("the DataStore table", lambda: _loaded(agent, resource["id"]))
    assert agent["api"].result("datastore_search", resource_id=resource["id"])["total"] == 3


def test_a_table_replaced_by_an_invalid_file_loses_its_stale_preview(agent):
    dataset = _dataset(agent)
    resource = _upload(agent, dataset["id"], VALID_CSV, "deliberations.csv", DELIBERATIONS)
    _wait("the DataStore table", lambda: _loaded(agent, resource["id"]))
    agent["api"].result(
        "resource_patch", id=resource["id"],
        files={"upload": ("deliberations.csv", INVALID_CSV, "text/csv")},
    )  # fmt: skip
    _wait(
        "the preview to go",
        lambda: not agent["api"].result("resource_show", id=resource["id"]).get("datastore_active"),
    )
    assert agent["api"].call("datastore_search", resource_id=resource["id"]).status_code == 404


def test_an_upload_without_schema_is_loaded_and_a_link_never_is(agent, table_server):
    state = fresh_state()
    table = csv_bytes([{"commune": "Montauban", "habitants": "62945"}])
    state["files"]["communes.csv"] = table
    dataset = _dataset(agent)
    uploaded = _upload(agent, dataset["id"], table, "communes.csv")
    linked = agent["api"].result(
        "resource_create", package_id=dataset["id"], name="Lien", format="CSV",
        url=f"{table_server}/files/communes.csv",
    )  # fmt: skip
    _wait("the DataStore table", lambda: _loaded(agent, uploaded["id"]))
    time.sleep(2)
    assert not agent["api"].result("resource_show", id=linked["id"]).get("datastore_active")
    assert not any("communes.csv" in path for path in state["requests"])


def _xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_upload_is_loaded_and_shown_as_a_table(agent):
    content = _xlsx([["commune", "habitants"], ["Castelsarrasin", "13934"], ["Moissac", "13419"]])
    dataset = _dataset(agent)
    resource = agent["api"].result(
        "resource_create",
        files={"upload": ("communes.xlsx", content, XLSX_TYPE)},
        package_id=dataset["id"], name="Communes", format="XLSX",
    )  # fmt: skip

    _wait("the DataStore table", lambda: _loaded(agent, resource["id"]))
    found = agent["api"].result("datastore_search", resource_id=resource["id"], sort="commune")
    assert [(r["commune"], r["habitants"]) for r in found["records"]] == [
        ("Castelsarrasin", "13934"),
        ("Moissac", "13419"),
    ]
    views = agent["api"].result("resource_view_list", id=resource["id"])
    assert "datatables_view" in [v["view_type"] for v in views]


def test_the_data_api_of_a_private_dataset_is_closed_to_others(agent, live_site):
    dataset = _dataset(agent, private=True)
    table = csv_bytes([{"commune": "Moissac", "habitants": "13419"}])
    resource = _upload(agent, dataset["id"], table, "prive.csv")
    _wait("the DataStore table", lambda: _loaded(agent, resource["id"]))
    anonymous = Api(live_site.url)
    other = Api(live_site.url, data.agent()["headers"])
    sql = f'SELECT * FROM "{resource["id"]}"'
    for who in (anonymous, other):
        # A private dataset's resource is "not found" to whoever may not see it (tgn_security).
        answer = who.call("datastore_search", resource_id=resource["id"])
        assert answer.status_code == 404 and "Moissac" not in answer.text
        answer = who.call("datastore_search_sql", sql=sql)  # switched off on the platform
        assert answer.status_code == 400 and "Moissac" not in answer.text
    assert agent["api"].result("datastore_search", resource_id=resource["id"])["total"] == 1


def test_the_read_role_reads_the_datastore_only(agent):
    """SQL search is off (CKAN's default), and the role it would use can neither write in the
    DataStore's database nor connect to CKAN's, which holds the users and their keys."""
    response = agent["api"].call("datastore_search_sql", sql='SELECT name FROM "user"')
    assert response.status_code == 400 and "admin" not in response.text, response.text
    read = sqlalchemy.create_engine(tk.config["ckan.datastore.read_url"])
    try:
        with read.connect() as connection, pytest.raises(sqlalchemy.exc.ProgrammingError):
            connection.execute(sqlalchemy.text("CREATE TABLE intrus (x int)"))
    finally:
        read.dispose()
    main_db = tk.config["sqlalchemy.url"].rsplit("/", 1)[1]
    read_url = sqlalchemy.engine.make_url(tk.config["ckan.datastore.read_url"])
    as_reader = read_url.set(database=main_db)
    engine = sqlalchemy.create_engine(as_reader)
    try:
        with pytest.raises(sqlalchemy.exc.OperationalError, match="CONNECT"):
            engine.connect()
    finally:
        engine.dispose()
    model.Session.remove()
