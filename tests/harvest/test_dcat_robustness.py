"""DCAT sources that fail, lie or attack: every case ends with a recorded French error (or
a refusal before any parser or connection), nothing lost, nothing withdrawn, the next job
runs. The partner's server is the stub on 127.0.0.1; its request log shows what was asked."""

from __future__ import annotations

import json
import socket
import time

import pytest
from ckan.plugins import toolkit as tk

from ckanext.tgn.lib.context import site_user_context
from tests.helpers.catalog_server import Answer
from tests.helpers.harvest import OTHER, PARTNER, as_format, catalog_ttl, dataset_ttl

FAST = {"connect_timeout_s": 1, "read_timeout_s": 1, "deadline_s": 2}


def serve_pages(partner, pages: list[list[str]], nexts: list[str | None] | None = None):
    base = partner.base
    paths = ["/catalog.ttl"] + [f"/catalog.ttl?page={n}" for n in range(2, len(pages) + 1)]
    nexts = nexts or [*(base + p for p in paths[1:]), None]
    for path, records, following in zip(paths, pages, nexts, strict=True):
        partner.serve(path, Answer(catalog_ttl(records, page=base + path, next_page=following)))


def errors(status):
    job = status["last_job"]
    return job["gather_errors"] + job["object_errors"]


def titles(partner, source):
    return [d["title"] for d in partner.datasets(source)]


def public_titles(partner, source):
    return [d["title"] for d in partner.datasets(source) if not d["private"]]


class TestWithdrawal:
    def test_a_vanished_record_is_withdrawn_then_restored_with_its_id(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 6)]])
        partner.add("retrait")
        partner.run("retrait")
        gone = next(d for d in partner.datasets("retrait") if d["title"] == "Jeu numéro 5")
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 5)]])
        partner.run("retrait")
        withdrawn = next(d for d in partner.datasets("retrait") if d["id"] == gone["id"])
        assert withdrawn["private"] is True and withdrawn["harvest_withdrawn_at"]
        assert withdrawn["state"] == "active"  # kept during the grace period
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 6)]])
        partner.run("retrait")
        back = next(d for d in partner.datasets("retrait") if d["id"] == gone["id"])
        assert (back["private"], back["harvest_withdrawn_at"]) == (False, "")

    def test_after_the_grace_period_a_withdrawn_dataset_is_deleted(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 6)]])
        partner.add("grace", deletion={"grace_days": 0})
        partner.run("grace")
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 5)]])
        partner.run("grace")  # withdrawn today
        partner.run("grace")  # grace of 0 days: deleted
        assert len(partner.datasets("grace")) == 4
        deleted = [d for d in partner.datasets("grace", all_states=True) if d["state"] == "deleted"]
        assert [d["title"] for d in deleted] == ["Jeu numéro 5"]

    def test_a_record_back_on_its_last_day_is_restored_not_deleted(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 6)]])
        partner.add("retour", deletion={"grace_days": 0})
        partner.run("retour")
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 5)]])
        partner.run("retour")  # withdrawn, its grace period already over
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 6)]])
        partner.run("retour")  # read again in the run that would delete it
        assert len(public_titles(partner, "retour")) == 5
        states = [d["state"] for d in partner.datasets("retour", all_states=True)]
        assert states == ["active"] * 5

    def test_a_dataset_staff_made_private_stays_private(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(1, base)]])
        partner.add("prive")
        partner.run("prive")
        (dataset,) = partner.datasets("prive")
        tk.get_action("package_patch")(site_user_context(), {"id": dataset["id"], "private": True})
        serve_pages(partner, [[dataset_ttl(1, base, title='dct:title "Titre changé"')]])
        partner.run("prive")
        (after,) = partner.datasets("prive")
        assert (after["title"], after["private"]) == ("Titre changé", True)

    def test_a_dataset_staff_deleted_is_not_brought_back(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(1, base), dataset_ttl(2, base)]])
        partner.add("suppr")
        partner.run("suppr")
        gone = next(d for d in partner.datasets("suppr") if d["title"] == "Jeu numéro 1")
        tk.get_action("package_delete")(site_user_context(), {"id": gone["id"]})
        status = partner.run("suppr")
        assert titles(partner, "suppr") == ["Jeu numéro 2"]
        assert "supprimé sur la plateforme par l'équipe" in status["last_job"]["skipped"][0]

    @pytest.mark.parametrize("left", [0, 2])
    def test_an_empty_or_mostly_gone_catalog_withdraws_nothing(self, partner, left):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 6)]])
        partner.add("panne")
        partner.run("panne")
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, left + 1)]])
        status = partner.run("panne")
        assert len(public_titles(partner, "panne")) == 5
        (error,) = errors(status)
        assert f"{5 - left} jeux sur 5 ont disparu du catalogue" in error
        assert "aucun n'a été retiré" in error


class TestIncompleteRuns:
    @pytest.mark.parametrize(
        ("answer", "words"),
        [
            (Answer("panne", "text/plain", 500), "erreur HTTP 500"),
            (Answer("absent", "text/plain", 404), "erreur HTTP 404"),
            (Answer("trop tard", "text/turtle", delay=3), "n'a pas répondu à temps"),
        ],
    )
    def test_a_failing_second_page_keeps_everything_and_withdraws_nothing(
        self, partner, answer, words
    ):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(1, base)], [dataset_ttl(2, base)]])
        partner.add("pages", limits=FAST)
        partner.run("pages")
        assert titles(partner, "pages") == ["Jeu numéro 1", "Jeu numéro 2"]
        serve_pages(partner, [[dataset_ttl(1, base, title='dct:title "Jeu 1 corrigé"')], []])
        partner.serve("/catalog.ttl?page=2", answer)
        status = partner.run("pages")
        (error,) = errors(status)
        assert error.startswith("page 2 : ") and words in error
        assert public_titles(partner, "pages") == ["Jeu 1 corrigé", "Jeu numéro 2"]

    @pytest.mark.parametrize("loop", ["self", "back", "cycle", "same-page"])
    def test_pagination_loops_stop_with_an_error_and_withdraw_nothing(self, partner, loop):
        base = partner.base
        p1, p2, p3 = (
            base + "/catalog.ttl",
            base + "/catalog.ttl?page=2",
            base + "/catalog.ttl?page=3",
        )
        serve_pages(partner, [[dataset_ttl(n, base)] for n in (1, 2, 3)])
        partner.add("boucle")
        partner.run("boucle")  # a complete first run: three datasets
        nexts = {"self": [p1, p3, None], "back": [p2, p1, None], "cycle": [p2, p3, p1]}
        if loop == "same-page":  # a server that ignores ?page= answers page 1 again
            serve_pages(partner, [[dataset_ttl(1, base)]], [p2])
            partner.serve("/catalog.ttl?page=2", partner.state["routes"]["/catalog.ttl"])
        else:
            serve_pages(partner, [[dataset_ttl(1, base)], [], []], nexts[loop])
        status = partner.run("boucle")
        assert any("boucle de pagination" in e for e in errors(status)), errors(status)
        assert len(public_titles(partner, "boucle")) == 3  # nothing withdrawn
        assert len(partner.requests()) <= 6

    def test_a_job_past_its_time_budget_stops_with_an_error(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(n, base)] for n in range(1, 4)])
        for path in ("/catalog.ttl", "/catalog.ttl?page=2", "/catalog.ttl?page=3"):
            partner.state["routes"][path].delay = 0.7
        partner.add("longue", limits={"job_deadline_s": 1})
        status = partner.run("longue")
        assert "moissonnage plus long que 1 s (limits.job_deadline_s)" in errors(status)[0]
        assert len(partner.requests()) == 2

    def test_more_pages_than_allowed_stop_with_an_error(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(n, base)] for n in range(1, 6)])
        partner.add("pages", limits={"max_pages": 3})
        status = partner.run("pages")
        assert "plus de 3 pages (limits.max_pages)" in errors(status)[0]
        assert titles(partner, "pages") == ["Jeu numéro 1", "Jeu numéro 2", "Jeu numéro 3"]
        assert len(partner.requests()) == 3

    def test_more_datasets_than_allowed_stop_with_an_error(self, partner):
        base = partner.base
        serve_pages(partner, [[dataset_ttl(n, base) for n in range(1, 6)]])
        partner.add("gros", limits={"max_datasets": 3})
        status = partner.run("gros")
        assert "plus de 3 jeux (limits.max_datasets)" in errors(status)[0]
        assert len(partner.datasets("gros")) == 3


class TestSlowAndHugeServers:
    def test_a_silent_then_a_trickling_server_end_within_their_limits(self, partner):
        base = partner.base
        partner.serve("/silence.ttl", Answer("", delay=5))
        body = catalog_ttl([dataset_ttl(1, base)], page=base + "/goutte.ttl")
        partner.serve("/goutte.ttl", Answer(body, trickle=0.05))
        partner.add("silence", "/silence.ttl", limits=FAST)
        partner.add("goutte", "/goutte.ttl", limits=FAST)
        started = time.monotonic()
        assert "n'a pas répondu à temps" in errors(partner.run("silence"))[0]
        assert "téléchargement trop long" in errors(partner.run("goutte"))[0]
        # Unbounded, the silence lasts 5 s and the trickle about 100 s.
        assert time.monotonic() - started < 10  # parsed, the 7 levels take over 60 s0
        serve_pages(partner, [[dataset_ttl(1, base)]])
        partner.add("suivante")
        partner.run("suivante")
        assert titles(partner, "suivante") == ["Jeu numéro 1"]

    @pytest.mark.parametrize("shape", ["announced", "unannounced", "gzip-bomb"])
    def test_documents_over_the_size_cap_are_refused(self, partner, shape):
        filler = "# " + "x" * 1000 + "\n"
        body = (
            catalog_ttl([dataset_ttl(1, partner.base)], page=partner.base + "/catalog.ttl")
            + filler * 3000
        )
        answer = {
            "announced": Answer(body),
            "unannounced": Answer(body, content_length=False),
            "gzip-bomb": Answer(body + "#" * 40_000_000, gzip=True),
        }[shape]
        partner.serve("/catalog.ttl", answer)
        partner.add("gros", limits={"max_document_mb": 1})
        status = partner.run("gros")
        assert "document trop volumineux" in errors(status)[0]
        assert partner.datasets("gros") == []


class TestAddressesAndLinks:
    @pytest.mark.parametrize(
        ("target", "address"),
        [
            ("http://metadonnees.test/latest/meta-data/", "169.254.169.254"),
            ("http://interne.test/", "10.0.0.1"),
        ],
    )
    def test_every_redirect_hop_is_checked_with_the_guard_on(
        self, partner, ckan_config, monkeypatch, target, address
    ):
        """The guard on, the partner's own name let through (it is the stub on 127.0.0.1),
        every other hop checked as in production: a redirect to a name of the cloud metadata
        service or of the internal network is refused before any connection."""
        from ckanext.tgn.lib import http

        real_check, real_resolve = http.check_address, socket.getaddrinfo
        host = http.host_of(target)
        checked = []

        def partner_allowed(url, *, allow_private):
            checked.append(url)
            if http.host_of(url) == PARTNER:
                return None
            return real_check(url, allow_private=allow_private)

        def resolve(name, port, *args, **kwargs):
            if name == host:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
            return real_resolve(name, port, *args, **kwargs)

        monkeypatch.setitem(ckan_config, "ckanext.tgn.harvest.allow_private_addresses", False)
        monkeypatch.setattr(http, "check_address", partner_allowed)
        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        partner.serve("/catalog.ttl", Answer("", status=302, location=target))
        partner.add("metadonnees", allowed_hosts=[PARTNER, host])
        status = partner.run("metadonnees")
        assert "adresse non publique" in errors(status)[0]
        assert checked == [partner.base + "/catalog.ttl", target]
        assert partner.requests() == ["GET /catalog.ttl"]

    def test_a_name_that_resolves_to_this_machine_is_never_connected(
        self, partner, ckan_config, monkeypatch
    ):
        monkeypatch.setitem(ckan_config, "ckanext.tgn.harvest.allow_private_addresses", False)
        serve_pages(partner, [[dataset_ttl(1, partner.base)]])
        partner.add("interne")
        status = partner.run("interne")
        assert "adresse non publique" in errors(status)[0]
        assert partner.requests() == []

    @pytest.mark.parametrize(
        "target",
        [
            "file:///etc/passwd",
            # A relative next page is a path on the partner's own server (asked, not served).
            pytest.param("/etc/hostname", marks=pytest.mark.unserved_requests_expected),
            "http://{other}/catalog.ttl",
            "http://[::ffff:127.0.0.1]:{port}/x",
        ],
    )
    def test_next_pages_and_redirects_stay_on_the_allowed_hosts(self, partner, target):
        target = target.format(other=f"{OTHER}:{partner.state['port']}", port=partner.state["port"])
        base = partner.base
        serve_pages(partner, [[dataset_ttl(1, base)], [dataset_ttl(2, base)]], [target, None])
        partner.serve("/redirige.ttl", Answer("", status=302, location=target))
        partner.add("liens")
        partner.add("redirection", "/redirige.ttl")
        status = partner.run("liens")
        assert titles(partner, "liens") == ["Jeu numéro 1"]
        assert any(e.startswith("page 2 : ") for e in errors(status)), errors(status)
        assert errors(partner.run("redirection"))
        assert set(partner.state["hosts"]) == {PARTNER}  # never the other host
        assert all(r.startswith("GET /") for r in partner.requests())  # web requests only
        hostname = socket.gethostname()
        for dataset in partner.datasets():
            assert hostname not in json.dumps(dataset) and "root:" not in json.dumps(dataset)


XXE = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/hostname"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="http://data.partenaire.test/d/1"><dct:title>&secret;</dct:title></dcat:Dataset>
</rdf:RDF>"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY l0 "ha">\n'
    + "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">\n' for n in range(1, 8))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description><x>&l7;</x></rdf:Description></rdf:RDF>'
)


class TestDocumentsThatAttackTheParser:
    @pytest.mark.parametrize("body", [XXE, LAUGHS], ids=["xxe", "entity-expansion"])
    def test_xml_with_a_dtd_is_refused_before_parsing(self, partner, body):
        partner.serve("/catalog.rdf", Answer(body, "application/rdf+xml"))
        partner.add("dtd", "/catalog.rdf")
        started = time.monotonic()
        status = partner.run("dtd")
        assert time.monotonic() - started < 2
        assert "déclare une DTD ou des entités" in errors(status)[0]
        assert partner.datasets() == []

    @pytest.mark.parametrize("context", ["{base}/context.jsonld", "file:///etc/passwd"])
    def test_json_ld_with_a_remote_context_is_refused_and_never_fetched(self, partner, context):
        document = json.loads(
            as_format(
                catalog_ttl([dataset_ttl(1, partner.base)], page=partner.base + "/c.jsonld"),
                "json-ld",
            )
        )
        body = json.dumps({"@context": context.format(base=partner.base), "@graph": document})
        partner.serve("/context.jsonld", Answer("{}", "application/ld+json"))
        partner.serve("/c.jsonld", Answer(body, "application/ld+json"))
        partner.add("contexte", "/c.jsonld")
        status = partner.run("contexte")
        assert "son @context (ou @import) est une adresse" in errors(status)[0]
        assert partner.requests() == ["GET /c.jsonld"]

    @pytest.mark.parametrize(
        ("body", "content_type", "words"),
        [
            (
                '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Descr',
                "application/rdf+xml",
                "catalogue RDF illisible",
            ),
            (
                "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> a dcat:Dataset ;;; ]",
                "text/turtle",
                "catalogue RDF illisible",
            ),
            ('{"@graph": [', "application/ld+json", "document JSON-LD illisible"),
            ("[" * 50_000 + "]" * 50_000, "application/ld+json", "JSON-LD"),
            ("<html><body>Maintenance</body></html>", "text/html", "page HTML"),
        ],
        ids=["truncated-xml", "bad-turtle", "bad-json-ld", "deep-json", "html"],
    )
    def test_a_malformed_document_is_one_error_and_the_next_job_runs(
        self, partner, body, content_type, words
    ):
        partner.serve("/casse", Answer(body, content_type))
        partner.add("casse", "/casse")
        status = partner.run("casse")
        assert any(words in e for e in errors(status)), errors(status)
        serve_pages(partner, [[dataset_ttl(1, partner.base)]])
        partner.add("saine")
        partner.run("saine")
        assert titles(partner, "saine") == ["Jeu numéro 1"]

    def test_a_latin_1_document_that_says_so_is_read(self, partner):
        page = as_format(
            catalog_ttl(
                [dataset_ttl(1, partner.base, title='dct:title "Réseau d\'électricité"')],
                page=partner.base + "/l.rdf",
            ),
            "xml",
        )
        body = page.replace('encoding="utf-8"', 'encoding="iso-8859-1"').encode("iso-8859-1")
        partner.serve("/l.rdf", Answer(body, "application/rdf+xml"))
        partner.add("latin", "/l.rdf")
        partner.run("latin")
        assert titles(partner, "latin") == ["Réseau d'électricité"]
