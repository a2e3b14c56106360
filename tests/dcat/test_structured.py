"""The schema.org block of dataset pages kept in Redis (ckanext.tgn.dcat.structured):
prepared by `ckan tgn dcat warm`, used by the page only while its digest matches what this
page is made of, never stored for a private dataset or a reuse. Real Redis, Solr, PostgreSQL."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import rdflib
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers
from rdflib.compare import isomorphic

from ckanext.tgn.dcat import structured
from tests.helpers import data

pytestmark = pytest.mark.usefixtures("with_plugins", "tgn_db", "clean_index", "clean_redis")

_SCRIPT = re.compile(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', re.S)


def _document(app, name: str, prefix: str = "") -> str:
    scripts = _SCRIPT.findall(app.get(f"{prefix}/dataset/{name}").get_data(as_text=True))
    assert len(scripts) == 1
    return scripts[0]


def _stored(package_id: str, lang: str = "fr") -> tuple[str, str] | None:
    value = connect_to_redis().get(structured._key(package_id, lang))
    if value is None:
        return None
    found, _, body = value.decode().partition("\n")
    return found, body


def _graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="json-ld")  # the context is inline


def _mark(package_id: str, lang: str = "fr") -> None:
    """Put a recognisable body under the stored digest: a page that shows it used the store."""
    stored = _stored(package_id, lang)
    assert stored
    connect_to_redis().set(structured._key(package_id, lang), f'{stored[0]}\n{{"marked": 1}}')


@pytest.fixture
def published() -> dict[str, Any]:
    org = data.organisation(name="cc-quercy-caussadais", title="CC Quercy Caussadais")
    return data.dataset(name="budget-2025", title="Budget 2025", owner_org=org["id"])


def test_warm_prepares_every_public_page_once(cli, published):
    hidden = data.dataset(name="budget-interne", owner_org=published["owner_org"], private=True)
    first = cli.invoke(ckan_cli, ["tgn", "dcat", "warm"])
    assert first.exit_code == 0, first.output
    assert "1 document(s) schema.org préparé(s) ; 1 jeu(x) public(s)" in first.output
    assert _stored(published["id"]) is not None
    assert _stored(hidden["id"]) is None  # private: never stored
    again = cli.invoke(ckan_cli, ["tgn", "dcat", "warm"])
    assert "0 document(s) schema.org préparé(s)" in again.output
    forced = cli.invoke(ckan_cli, ["tgn", "dcat", "warm", "--force"])
    assert "1 document(s) schema.org préparé(s)" in forced.output
    cleared = cli.invoke(ckan_cli, ["tgn", "dcat", "clear", "--yes"])
    assert "Documents schema.org des pages supprimés : 1." in cleared.output
    assert _stored(published["id"]) is None


def test_the_page_serves_the_prepared_document_as_rendered(app, cli, published):
    rendered = _document(app, "budget-2025")  # nothing stored yet: rendered, then stored
    assert "Budget 2025" in rendered
    assert _stored(published["id"])[1] == rendered
    cli.invoke(ckan_cli, ["tgn", "dcat", "warm", "--force"])
    # What warm prepares (an anonymous visitor's view) is what the page renders: the same
    # graph (blank nodes get new random names, hence another order of the nodes).
    assert isomorphic(_graph(_stored(published["id"])[1]), _graph(rendered))
    _mark(published["id"])
    assert _document(app, "budget-2025") == '{"marked": 1}'


def test_an_edit_or_a_renamed_organisation_is_shown_at_once(app, cli, published):
    cli.invoke(ckan_cli, ["tgn", "dcat", "warm"])
    _mark(published["id"])
    sysadmin = factories.Sysadmin()
    helpers.call_action(
        "package_patch", {"user": sysadmin["name"]}, id=published["id"], title="Budget primitif"
    )
    assert "Budget primitif" in _document(app, "budget-2025")
    _mark(published["id"])
    helpers.call_action(
        "organization_patch",
        {"user": sysadmin["name"]},
        id=published["owner_org"],
        title="Communauté de communes du Quercy Caussadais",
    )
    document = json.loads(_document(app, "budget-2025"))  # non-ASCII is escaped in the page
    assert "Communauté de communes du Quercy Caussadais" in json.dumps(document, ensure_ascii=False)


def test_each_language_has_its_own_document(app, published):
    _document(app, "budget-2025")
    _document(app, "budget-2025", prefix="/en")
    assert _stored(published["id"], "fr") and _stored(published["id"], "en")
    _mark(published["id"], "en")
    assert _document(app, "budget-2025", prefix="/en") == '{"marked": 1}'
    assert _document(app, "budget-2025") != '{"marked": 1}'


def test_an_editor_s_view_of_a_private_dataset_is_rendered_and_never_stored(app, published):
    hidden = data.dataset(name="budget-interne", owner_org=published["owner_org"], private=True)
    sysadmin = factories.Sysadmin()
    page = app.get("/dataset/budget-interne", headers=data.api_headers(sysadmin))
    assert page.status_code == 200
    assert "budget-interne" in "".join(_SCRIPT.findall(page.get_data(as_text=True)))
    assert _stored(hidden["id"]) is None
    assert app.get("/dataset/budget-interne").status_code == 404


def test_a_save_prepares_the_document_in_the_background(app, published):
    """The job queued by a save (render_on_write) renders the page's document too."""
    from ckanext.tgn.dcat import jobs

    with app.flask_app.test_request_context():
        jobs.render_job([published["id"]])
    assert _stored(published["id"]) is not None
    _mark(published["id"])
    assert _document(app, "budget-2025") == '{"marked": 1}'  # the page finds it ready
