"""The harvest mapping: what partner catalogs write becomes values our schema accepts.

Pure functions, no service. Hostile inputs (scripts, handlers, javascript: links, 100k-char
strings, unknown licences) are mapped to nothing rather than passed on.
"""

from __future__ import annotations

import json

import pytest
from ckan.lib.navl.dictization_functions import Invalid
from ckan.logic.validators import tag_length_validator, tag_name_validator
from ckan.model import MAX_TAG_LENGTH, MIN_TAG_LENGTH

from ckanext.tgn.harvest import mapping
from ckanext.tgn.lib import refdata, vocab
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.unit

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
DATAGOUV_LICENCES = ROOT.parent / "shared" / "reference" / "datagouv-licences.json"
ETALAB_PDF = "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"
ISO_CODELIST = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
INSPIRE_FREQUENCY = "http://inspire.ec.europa.eu/metadata-codelist/MaintenanceFrequency/"


class TestNormaliseUrl:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("https://www.Example.ORG/Path/", "http://example.org/Path"),
            ("HTTP://example.org/a#frag", "http://example.org/a"),
            ("https://example.org", "http://example.org"),
            ("https://example.org/", "http://example.org"),
            ("https://example.org:443/a/?q=1", "http://example.org/a?q=1"),
            ("http://example.org:8080/a", "http://example.org:8080/a"),
            ("  https://www.etalab.gouv.fr/licence-ouverte-open-licence/ ", "http://etalab.gouv.fr/licence-ouverte-open-licence"),
            ("ftp://Example.org/x/", "ftp://example.org/x"),
            ("not a url/", "not a url"),
            ("http://[::1", "http://[::1"),
        ],
    )  # fmt: skip
    def test_forms_of_one_address_compare_equal(self, url, expected):
        assert mapping.normalise_url(url) == expected


class TestLicence:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "lov2"),
            ("http://etalab.gouv.fr/licence-ouverte-open-licence/", "lov2"),
            (ETALAB_PDF, "lov2"),
            ("Licence Ouverte v2.0", "lov2"),
            ("licence ouverte V2.0", "lov2"),
            ("Licence Ouverte / Open Licence version 2.0", "lov2"),
            ("License Etalab", "lov2"),
            ("etalab-2.0", "lov2"),
            ("https://spdx.org/licenses/etalab-2.0.html", "lov2"),
            ("lov2", "lov2"),
            ("http://opendatacommons.org/licenses/odbl/1-0/", "odc-odbl"),
            ("https://opendatacommons.org/licenses/odbl/", "odc-odbl"),
            ("http://opendatacommons.org/licenses/odbl/summary/", "odc-odbl"),
            ("https://opendefinition.org/licenses/odc-odbl", "odc-odbl"),
            ("ODbL-1.0", "odc-odbl"),
            ("Open Database License (ODbL) 1.0", "odc-odbl"),
            ("odc-odbl", "odc-odbl"),
            ("https://creativecommons.org/licenses/by/4.0/", "cc-by"),
            ("https://creativecommons.org/licenses/by/4.0/deed.fr", "cc-by"),
            ("CC-BY-4.0", "cc-by"),
            ("CC BY 4.0", "cc-by"),
            ("http://www.opendefinition.org/licenses/cc-by", "cc-by"),
            ("https://creativecommons.org/licenses/by-sa/4.0/", "cc-by-sa"),
            ("CC-BY-SA-4.0", "cc-by-sa"),
            ("Creative Commons Attribution Share-Alike", "cc-by-sa"),
            ("https://creativecommons.org/publicdomain/zero/1.0/", "cc-zero"),
            ("CC0-1.0", "cc-zero"),
            ("https://spdx.org/licenses/CC0-1.0", "cc-zero"),
            ("Creative Commons CCZero", "cc-zero"),
            ("opendatacommons.org/licenses/odbl/1-0/", "odc-odbl"),
        ],
    )  # fmt: skip
    def test_known_forms_give_our_licence(self, value, expected):
        assert mapping.licence_id(value) == expected

    @pytest.mark.parametrize(
        "value",
        [
            None,
            "",
            "   ",
            "https://example.org/my-licence",
            "fr-lo",
            "Licence Ouverte / Open Licence",  # version 1.0, not ours
            "https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf",
            "https://creativecommons.org/licenses/by-nc/4.0/",
            "https://creativecommons.org/licenses/by/3.0/",  # not relabelled as 4.0
            "odc-by",
            "notspecified",
            "javascript:alert(1)",
            "Licence Ouverte v2.0" * 5000,
        ],
    )
    def test_anything_else_is_none_never_a_default(self, value):
        assert mapping.licence_id(value) is None

    def test_every_alternate_of_datagouv_for_our_ids_is_recognised(self):
        ours = {licence["id"] for licence in vocab.licences()}
        for licence in json.loads(DATAGOUV_LICENCES.read_text(encoding="utf-8")):
            if licence["id"] not in ours:
                continue
            for value in [licence["url"], *licence["alternate_urls"], *licence["alternate_titles"]]:
                assert mapping.licence_id(value) == licence["id"], value

    def test_each_alternate_in_our_file_names_its_own_licence_only(self):
        for licence in vocab.licences():
            for value in [*licence["alternate_urls"], *licence["alternate_titles"]]:
                assert mapping.licence_id(value) == licence["id"], value


class TestThemes:
    def test_uris_codes_labels_and_aliases(self):
        uris, unknown = mapping.theme_uris(
            [
                THEME + "ENVI",
                "https://publications.europa.eu/resource/authority/data-theme/TRAN/",
                "ECON",
                "Santé",
                "Environnement",
                "Transports, Déplacements",
                "transports déplacements",
                "Education",
                "planningCadastre",
                "transportation",
                "http://inspire.ec.europa.eu/theme/hy",
                "Hydrographie",
                "https://data.example.fr/explore/?refine.theme=Sports%2C+Loisirs",
            ]
        )
        assert uris == [THEME + code for code in ("ECON", "EDUC", "ENVI", "HEAL", "REGI", "TRAN")]
        assert unknown == []

    def test_what_is_not_understood_is_returned_once_in_order(self):
        uris, unknown = mapping.theme_uris(["Zorglub", "", "ENVI", "  ", "Zorglub", "x" * 100_000])
        assert uris == [THEME + "ENVI"]
        assert unknown == ["Zorglub", "x" * 100_000]

    def test_the_source_label_map_comes_first(self):
        label_map = {"Cadre de vie": "ENVI", "Environnement": "SOCI", "Cassé": "NOPE"}
        uris, unknown = mapping.theme_uris(["cadre DE vie", "ENVIRONNEMENT", "Cassé"], label_map)
        assert uris == [THEME + "ENVI", THEME + "SOCI"]
        assert unknown == ["Cassé"]  # a map entry to no theme does not invent one

    def test_the_label_map_may_give_uris(self):
        assert mapping.theme_uris(["Mobilité douce"], {"Mobilité douce": THEME + "TRAN"}) == (
            [THEME + "TRAN"],
            [],
        )

    @pytest.mark.parametrize(
        ("name", "resolve"),
        [
            ("data-theme", lambda v: mapping.theme_uris([v])[0]),
            ("frequency", lambda v: [mapping.frequency_uri(v)]),
            ("language", lambda v: mapping.language_uris([v])),
        ],
    )
    def test_every_alias_names_its_own_concept_only(self, name, resolve):
        for concept in vocab.vocabulary(name).concepts:
            for alias in [concept.uri, concept.code, concept.fr, concept.en]:
                assert resolve(alias) == [concept.uri], alias
            for alias in concept.extra.get("aliases", []):
                assert resolve(str(alias)) == [concept.uri], alias


class TestFrequency:
    @pytest.mark.parametrize(
        ("value", "code"),
        [
            (FREQUENCY + "ANNUAL", "ANNUAL"),
            ("ANNUAL", "ANNUAL"),
            ("annuelle", "ANNUAL"),
            ("Annuelle", "ANNUAL"),
            ("http://purl.org/cld/freq/annual", "ANNUAL"),
            ("https://purl.org/cld/freq/daily", "DAILY"),
            ("http://purl.org/cld/freq/irregular", "IRREG"),
            ("http://purl.org/cld/freq/continuous", "UPDATE_CONT"),
            ("http://purl.org/cld/freq/biennial", "BIENNIAL"),
            ("continual", "UPDATE_CONT"),
            ("daily", "DAILY"),
            ("weekly", "WEEKLY"),
            ("fortnightly", "BIWEEKLY"),
            ("monthly", "MONTHLY"),
            ("quarterly", "QUARTERLY"),
            ("biannually", "ANNUAL_2"),
            ("annually", "ANNUAL"),
            ("asNeeded", "IRREG"),
            ("irregular", "IRREG"),
            ("notPlanned", "NEVER"),
            ("unknown", "UNKNOWN"),
            ("En continu", "UPDATE_CONT"),
            ("Quotidienne", "DAILY"),
            ("Hebdomadaire", "WEEKLY"),
            ("Mensuelle", "MONTHLY"),
            ("Trimestrielle", "QUARTERLY"),
            ("Semestrielle", "ANNUAL_2"),
            ("https://data.example.fr/api/explore/v2.1/En%20continu", "UPDATE_CONT"),
            ("https://data.example.fr/frequency/Annuelle", "ANNUAL"),
            (ISO_CODELIST + "#MD_MaintenanceFrequencyCode_annually", None),
            (ISO_CODELIST + "#annually", "ANNUAL"),
            (INSPIRE_FREQUENCY + "annually", "ANNUAL"),
            ("http://publications.europa.eu/resource/authority/frequency/CONT", "UPDATE_CONT"),
            (FREQUENCY + "BIWEEKLY", "BIWEEKLY"),
        ],
    )  # fmt: skip
    def test_known_forms(self, value, code):
        assert mapping.frequency_uri(value) == (FREQUENCY + code if code else None)

    @pytest.mark.parametrize(
        "value",
        [None, "", "souvent", FREQUENCY + "BIMONTHLY", "https://example.org/", "x" * 100_000],
    )
    def test_unknown_is_none(self, value):
        assert mapping.frequency_uri(value) is None

    def test_the_source_label_map_comes_first(self):
        assert mapping.frequency_uri("Chaque rentrée", {"chaque rentrée": "ANNUAL"}) == (
            FREQUENCY + "ANNUAL"
        )
        assert mapping.frequency_uri("En continu", {"En continu": "DAILY"}) == FREQUENCY + "DAILY"

    def test_biweekly_is_in_the_vocabulary(self):
        concept = vocab.vocabulary("frequency").lookup("BIWEEKLY")
        assert concept is not None
        assert (concept.fr, concept.en) == ("toutes les deux semaines", "biweekly")


class TestLanguages:
    def test_codes_uris_and_names(self):
        assert mapping.language_uris(
            [
                "fr",
                "fre",
                "fra",
                "FRA",
                "http://id.loc.gov/vocabulary/iso639-1/fr",
                "https://id.loc.gov/vocabulary/iso639-2/fre",
                LANGUAGE + "FRA",
                "français",
                "Francais",
                "fr-FR",
                "en",
                "oc",
                "xx",
                "klingon",
                "",
            ]
        ) == [LANGUAGE + "FRA", LANGUAGE + "ENG", LANGUAGE + "OCI"]

    def test_unknown_languages_are_dropped(self):
        assert mapping.language_uris(["http://id.loc.gov/vocabulary/iso639-1/xx", "zz-ZZ"]) == []


class TestTerritories:
    def test_insee_uris_sirens_codes_and_names(self):
        codes, unknown = mapping.territory_codes(
            [
                "http://id.insee.fr/geo/commune/82121",
                "https://id.insee.fr/geo/commune/82112/",
                "http://id.insee.fr/geo/intercommunalite/248200016",
                "https://id.insee.fr/geo/departement/82",
                "https://annuaire-entreprises.data.gouv.fr/entreprise/248200099",
                "82121",
                "248200057",
                "Montauban",
                "MOISSAC",
                "saint antonin noble val",
                "Tarn-et-Garonne",
                "Montauban (82121)",
            ]
        )
        assert codes == ["248200016", "248200057", "248200099", "82", "82112", "82121", "82155"]
        assert unknown == []

    def test_the_siren_of_a_commune_or_of_the_departement_gives_its_code(self):
        montauban = refdata.territory("82121")
        assert montauban is not None
        assert mapping.territory_codes([montauban.siren]) == (["82121"], [])
        assert mapping.territory_codes(
            ["https://annuaire-entreprises.data.gouv.fr/entreprise/228200010"]
        ) == (["82"], [])

    def test_what_is_outside_our_reference_data_is_not_understood(self):
        values = [
            "http://id.insee.fr/geo/commune/31555",  # Toulouse
            "http://id.insee.fr/geo/commune/82",  # a département code under commune
            "http://id.insee.fr/geo/departement/31",
            "http://id.insee.fr/geo/region/76",
            "https://example.org/geo/commune/82121",
            "32358",  # a member of an EPCI of 82, outside the département
            "France entière et hors territoire",
            "Toulouse",
            "Montaubanx",
        ]
        assert mapping.territory_codes([*values, "", "Toulouse"]) == ([], values)

    def test_no_two_territories_share_a_name(self):
        for code, territory in refdata.territories().items():
            assert mapping.territory_codes([territory.name]) == ([code], []), territory.name


class TestHtmlToMarkdown:
    @pytest.mark.parametrize(
        ("html", "markdown"),
        [
            ("<p>Un</p><p>Deux</p>", "Un\n\nDeux"),
            ("<p>Ligne 1<br>Ligne 2</p>", "Ligne 1  \nLigne 2"),
            ("<p><b>gras</b>, <strong>fort</strong>, <em>penché</em>, <i>aussi</i></p>",
             "**gras**, **fort**, *penché*, *aussi*"),
            ("<p><b> espacé </b>ici</p>", "**espacé** ici"),
            ("<h1>Titre</h1><h3>Sous-titre</h3><p>Texte</p>", "# Titre\n\n### Sous-titre\n\nTexte"),
            ("<ul><li>un</li><li>deux</li></ul>", "- un\n- deux"),
            ("<ol><li>un</li><li>deux</li></ol>", "1. un\n2. deux"),
            ("<ul><li>un<ul><li>un.a</li></ul></li><li>deux</li></ul>", "- un\n    - un.a\n- deux"),
            ("<p>Voir <a href='https://example.org/page'>la page</a>.</p>", "Voir [la page](https://example.org/page)."),
            ("<a href='mailto:sig@example.fr'>écrire</a>", "[écrire](mailto:sig@example.fr)"),
            ("<a href='https://example.org/a(b)'>x</a>", "[x](https://example.org/a%28b%29)"),
            ("<a href='https://example.org/'></a>", "[https://example.org/](https://example.org/)"),
            ("<p>caf&eacute; &amp; th&#233; &lt;3</p>", "café & thé &lt;3"),
            ("<div>Texte <span style='color:red'>coloré</span></div>", "Texte coloré"),
            ("<blockquote><p>Cité</p><p>Suite</p></blockquote>", "> Cité\n>\n> Suite"),
            ("<pre>a = 1\n  b</pre>", "    a = 1\n      b"),
            ("<p>a</p><hr><p>b</p>", "a\n\n---\n\nb"),
            ("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
             "A | B  \n1 | 2"),
            ("<p>5*3 [note] _x_ snake_case</p>", "5\\*3 \\[note\\] \\_x\\_ snake_case"),
            ("<p>#hashtag</p>", "\\#hashtag"),
            ("Voir <https://example.org/x> et <b>ceci</b>",
             "Voir [https://example.org/x](https://example.org/x) et **ceci**"),
            ("<p>a<!-- commentaire --></p><p>   </p>", "a"),
        ],
    )  # fmt: skip
    def test_structure_is_kept(self, html, markdown):
        assert mapping.html_to_markdown(html) == markdown

    @pytest.mark.parametrize(
        "text",
        [
            "Texte simple.",
            "Un texte **Markdown** déjà,\n\n- avec une liste\n- et [un lien](https://example.org)",
            "a < b et c > d",
            "Voir <https://example.org>.",
        ],
    )
    def test_text_without_tags_passes_unchanged(self, text):
        assert mapping.html_to_markdown(f"\n  {text}  \n") == text

    @pytest.mark.parametrize("text", [None, "", "   ", "<p></p>", "<script>x</script>"])
    def test_nothing_gives_empty(self, text):
        assert mapping.html_to_markdown(text) == ""

    @pytest.mark.parametrize(
        ("html", "markdown"),
        [
            ("<script>alert(1)</script>Texte", "Texte"),
            ("<p>a<script type='text/javascript'>document.cookie</script>b</p>", "ab"),
            ("<style>p { color: red }</style><p>Texte</p>", "Texte"),
            ("<img src=x onerror=alert(1)>Texte", "Texte"),
            ("<p onclick='alert(1)' class='x'>Texte</p>", "Texte"),
            ("<a href='javascript:alert(1)'>piège</a>", "piège"),
            ("<a href='JaVaScRiPt:alert(1)'>piège</a>", "piège"),
            ("<a href='java&#9;script:alert(1)'>piège</a>", "piège"),
            ("<a href='data:text/html;base64,PHNjcmlwdD4='>piège</a>", "piège"),
            ("<a href='/relative/page'>relatif</a>", "relatif"),
            ("<a href='ftp://example.org/f'>ftp</a>", "ftp"),
            ("<a href='https://example.org/a b'>espace</a>", "espace"),
            ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "&lt;script>alert(1)&lt;/script>"),
            ("<iframe src='https://evil.example'>x</iframe><p>Texte</p>", "Texte"),
            ("<svg><script>alert(1)</script></svg>Texte", "Texte"),
            ("<noscript><p>x</p></noscript>Texte", "Texte"),
            ("<p>Texte</p><!-- <script>alert(1)</script> -->", "Texte"),
            ("<pre><script>alert(1)</script>code</pre>", "    code"),
            ("<p>a\x00b\x01c\ud800d</p>", "abcd"),
        ],
    )
    def test_hostile_markup_leaves_only_text(self, html, markdown):
        assert mapping.html_to_markdown(html) == markdown

    def test_long_descriptions(self):
        words = "mot " * 25_000
        assert mapping.html_to_markdown(f"<p>{words}</p>") == words.strip()
        assert mapping.html_to_markdown(words) == words.strip()

    def test_absurd_nesting_does_not_break(self):
        # libxml2 stops at 255 levels; the text beyond is lost, without a recursion error
        assert mapping.html_to_markdown("<div>" * 100_000 + "x") == ""
        deep = mapping.html_to_markdown("<ul><li>" * 100 + "x <script>y</script>")
        assert deep.startswith("- - - ") and deep.endswith(" x")  # flattened past 60 levels


class TestTags:
    @pytest.mark.parametrize(
        ("tag", "expected"),
        [
            ("Environnement", "Environnement"),
            ("qualité de l'eau", "qualité de l eau"),
            ("qualité de l\u2019eau", "qualité de l eau"),
            ("eau, assainissement", "eau assainissement"),
            ("transport/mobilité", "transport mobilité"),
            ("  plan   local  d'urbanisme ", "plan local d urbanisme"),
            ("PLU-i_v2.1", "PLU-i_v2.1"),
            ("e\u0301te\u0301", "été"),  # decomposed accents are recomposed
            ("#budget!", "budget"),
            ("<script>", "script"),
            ("x", None),
            ("'a'", None),
            ("...", None),
            ("", None),
            ("  ", None),
        ],
    )
    def test_clean_tag(self, tag, expected):
        assert mapping.clean_tag(tag) == expected

    def test_long_tags_are_cut_at_a_word(self):
        tag = "mot " * 30
        cleaned = mapping.clean_tag(tag)
        assert cleaned == ("mot " * 25).strip()
        assert len(cleaned) == 99
        assert mapping.clean_tag("x" * 100_000) == "x" * 100

    def test_cleaned_tags_pass_ckans_validators(self):
        assert (mapping.MIN_TAG_LENGTH, mapping.MAX_TAG_LENGTH) == (MIN_TAG_LENGTH, MAX_TAG_LENGTH)
        hostile = ["l'été, à Montauban", "a/b\\c", "€uro", "tab\tnew\nline", "😀 émoji", "x" * 500]
        for tag in hostile:
            cleaned = mapping.clean_tag(tag)
            assert cleaned is not None
            assert tag_name_validator(cleaned, {}) == cleaned
            assert tag_length_validator(cleaned, {}) == cleaned
        with pytest.raises(Invalid):
            tag_name_validator("l'été", {})

    def test_clean_tags_dedups_case_insensitively_in_order(self):
        assert mapping.clean_tags(["Eau", "budget", "eau", "EAU ", "x", "l'eau", "l eau"]) == [
            "Eau",
            "budget",
            "l eau",
        ]


class TestFileType:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (("CSV",), "CSV"),
            (("csv",), "CSV"),
            ((".csv",), "CSV"),
            (("text/csv",), "CSV"),
            (("text/csv; charset=utf-8",), "CSV"),
            (("http://publications.europa.eu/resource/authority/file-type/CSV",), "CSV"),
            (("https://www.iana.org/assignments/media-types/text/csv",), "CSV"),
            (("http://www.iana.org/assignments/media-types/application/json",), "JSON"),
            (("Shapefile",), "SHP"),
            (("ESRI Shapefile",), "SHP"),
            (("geojson",), "GEOJSON"),
            (("application/vnd.geo+json",), "GEOJSON"),
            (("JSON",), "JSON"),
            (("xlsx",), "XLSX"),
            (("jpg",), "JPEG"),
            (("Excel 97-2003 (XLS)",), "XLS"),
            ((None, "application/json"), "JSON"),
            (("Carte", "application/pdf"), "PDF"),
            (("Carte", None, "https://example.org/data.xlsx?v=2"), "XLSX"),
            (("WMS", "application/pdf"), "WMS_SRVC"),
            (("OGC:WMS",), "WMS_SRVC"),
            (("OGC:WFS",), "WFS_SRVC"),
            ((None, None, "https://geo.example.org/geoserver/ows?SERVICE=WMS"), "WMS_SRVC"),
            ((None, None, "https://example.org/export/CARTE.GeoJSON"), "GEOJSON"),
            (("CSV", "application/json", "https://example.org/a.pdf"), "CSV"),
        ],
    )
    def test_format_then_media_type_then_extension(self, args, expected):
        assert mapping.file_type(*args) == expected

    @pytest.mark.parametrize(
        "args",
        [(None,), ("",), ("WCS",), ("API", "application/x-unknown", "https://example.org/api")],
    )
    def test_unknown_is_none(self, args):
        assert mapping.file_type(*args) is None

    def test_every_alias_names_its_own_type(self):
        for concept in vocab.vocabulary("file-type").concepts:
            media_type = concept.extra.get("media_type")  # a service (WMS) has none
            for alias in [*([media_type] if media_type else []), *concept.extra.get("aliases", [])]:
                assert mapping.file_type(alias) == concept.code, alias


class TestContactsAndLinks:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("mailto:sig@example.fr", "sig@example.fr"),
            ("MAILTO: sig@example.fr ", "sig@example.fr"),
            ("mailto:sig@example.fr?subject=Bonjour", "sig@example.fr"),
            (" contact@mairie-exemple.fr ", "contact@mairie-exemple.fr"),
            ("mailto:", None),
            ("pas-une-adresse", None),
            ("a@b", None),
            ("a b@example.fr", None),
            ("https://example.org/contact", None),
            ("", None),
            (None, None),
            ("a" * 300 + "@example.fr", None),
        ],
    )
    def test_email(self, value, expected):
        assert mapping.email(value) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("https://example.org/a?b=1", "https://example.org/a?b=1"),
            ("  http://example.org  ", "http://example.org"),
            ("HTTPS://Example.org/", "HTTPS://Example.org/"),
            ("ftp://example.org/f", None),
            ("file:///etc/passwd", None),
            ("javascript:alert(1)", None),
            ("//example.org/a", None),
            ("https://", None),
            ("https:///path", None),
            ("http://exa mple.org", None),
            ("http://example.org/\x00", None),
            ("http://[::1", None),
            ("http://example.org:port/", None),
            ("", None),
            (None, None),
        ],
    )
    def test_http_url(self, value, expected):
        assert mapping.http_url(value) == expected


class TestClip:
    @pytest.mark.parametrize(
        ("text", "limit", "expected"),
        [
            ("court", 10, "court"),
            ("exactement", 10, "exactement"),
            ("un deux trois quatre", 10, "un deux…"),
            ("un deux trois", 9, "un deux…"),
            ("un deux trois", 8, "un deux…"),
            ("anticonstitutionnellement", 10, "anticonst…"),
            ("", 5, ""),
            ("abc", 1, "…"),
            ("abc", 0, ""),
        ],
    )
    def test_cut_at_a_word_with_an_ellipsis(self, text, limit, expected):
        assert mapping.clip(text, limit) == expected

    def test_a_huge_title_fits(self):
        clipped = mapping.clip("mot " * 25_000, 200)
        assert len(clipped) <= 200
        assert clipped.endswith("mot…")
