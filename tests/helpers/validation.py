"""What the validation tests do through the platform: upload or link a table, read its
report over the API, and run the queued job as the worker does."""

from __future__ import annotations

import io
from typing import Any

from ckan import model

from ckanext.tgn.validation import job, reports


def upload(app, agent, dataset_id: str, content: bytes, name: str, schema: str, **fields):
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


def link(app, agent, dataset_id: str, url: str, schema: str, **fields) -> dict[str, Any]:
    response = app.post(
        "/api/3/action/resource_create",
        json={"package_id": dataset_id, "name": "Lien", "url": url, "conforms_to": schema,
              **fields},
        headers=agent["headers"],
    )  # fmt: skip
    assert response.status_code == 200, response.json
    return response.json["result"]


def api_report(app, resource_id: str, headers: dict | None = None) -> dict[str, Any]:
    response = app.get(
        "/api/3/action/tgn_validation_show", query_string={"id": resource_id}, headers=headers
    )
    assert response.status_code == 200, response.json
    return response.json["result"]


def work(resource_id: str) -> None:
    """What the worker does with the queued job of this resource."""
    queued = reports.ValidationReport.get(resource_id)
    assert queued is not None
    job.run_validation(resource_id, queued.token)
    model.Session.remove()
