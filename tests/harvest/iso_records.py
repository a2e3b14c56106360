"""A GeoNetwork-shaped CSW for the harvest tests: ISO 19139 records written by the tests,
and a route answering GetRecords (paged by startPosition) and GetRecordById by query string,
as PICTO-Occitanie's GeoNetwork does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from tests.helpers.catalog_server import Answer

LOV2_ANCHOR = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
CODELIST = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
XML = "application/xml; charset=utf-8"
NO_RESTRICTION = "Pas de restriction d'accès public"
NAMESPACES = (
    'xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" '
    'xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:gml="http://www.opengis.net/gml"'
)


def _text(value: str) -> str:
    return f"<gco:CharacterString>{escape(value)}</gco:CharacterString>"


def _keywords(words: list[Any], kind: str | None = None, thesaurus: str | None = None) -> str:
    items = "".join(
        f'<gmd:keyword><gmx:Anchor xlink:href="{escape(w[0])}">{escape(w[1])}</gmx:Anchor>'
        "</gmd:keyword>"
        if isinstance(w, tuple)
        else f"<gmd:keyword>{_text(w)}</gmd:keyword>"
        for w in words
    )
    typed = (
        f'<gmd:type><gmd:MD_KeywordTypeCode codeList="{CODELIST}#MD_KeywordTypeCode" '
        f'codeListValue="{kind}">{kind}</gmd:MD_KeywordTypeCode></gmd:type>'
        if kind
        else ""
    )
    named = (
        f"<gmd:thesaurusName><gmd:CI_Citation><gmd:title>{_text(thesaurus)}</gmd:title>"
        "</gmd:CI_Citation></gmd:thesaurusName>"
        if thesaurus
        else ""
    )
    return (
        f"<gmd:descriptiveKeywords><gmd:MD_Keywords>{items}{typed}{named}</gmd:MD_Keywords>"
        "</gmd:descriptiveKeywords>"
    )


def iso_record(identifier: str, **over: Any) -> str:
    """One gmd:MD_Metadata as GeoNetwork writes it; keyword arguments replace its parts."""
    title = over.get("title", f"Fiche {identifier}")
    abstract = over.get("abstract", f"Résumé de la fiche {identifier}.")
    date = over.get("date", "2025-03-01T10:00:00")
    frequency = over.get("frequency", "monthly")
    topic = over.get("topic", "inlandWaters")
    licence = over.get(
        "licence",
        f'<gmx:Anchor xlink:href="{LOV2_ANCHOR}">Licence Ouverte version 2.0</gmx:Anchor>',
    )
    places = over.get("places", ["Montauban"])
    keywords = over.get("keywords", ["eau potable", "réseaux"])
    inspire = over.get("inspire", [("http://inspire.ec.europa.eu/theme/hy", "Hydrographie")])
    email = over.get("email", "sig@partenaire.test")
    resource = over.get("resource", f"https://geo.partenaire.test/files/{identifier}.zip")
    bbox = over.get("bbox", (1.2, 1.5, 43.9, 44.1))
    keyword_blocks = (
        (_keywords(keywords) if keywords else "")
        + (_keywords(places, "place") if places else "")
        + (_keywords(inspire, "theme", "GEMET - INSPIRE themes, version 1.0") if inspire else "")
    )
    extent = (
        "<gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>"
        f"<gmd:westBoundLongitude><gco:Decimal>{bbox[0]}</gco:Decimal></gmd:westBoundLongitude>"
        f"<gmd:eastBoundLongitude><gco:Decimal>{bbox[1]}</gco:Decimal></gmd:eastBoundLongitude>"
        f"<gmd:southBoundLatitude><gco:Decimal>{bbox[2]}</gco:Decimal></gmd:southBoundLatitude>"
        f"<gmd:northBoundLatitude><gco:Decimal>{bbox[3]}</gco:Decimal></gmd:northBoundLatitude>"
        "</gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>"
        if bbox
        else ""
    )
    online = (
        "<gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions>"
        "<gmd:MD_DigitalTransferOptions><gmd:onLine><gmd:CI_OnlineResource>"
        f"<gmd:linkage><gmd:URL>{escape(resource)}</gmd:URL></gmd:linkage>"
        f"<gmd:protocol>{_text('WWW:DOWNLOAD-1.0-http--download')}</gmd:protocol>"
        f"<gmd:name>{_text('Téléchargement ' + identifier)}</gmd:name>"
        "</gmd:CI_OnlineResource></gmd:onLine></gmd:MD_DigitalTransferOptions>"
        "</gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>"
        if resource
        else ""
    )
    return (
        f"<gmd:MD_Metadata {NAMESPACES}>"
        f"<gmd:fileIdentifier>{_text(identifier)}</gmd:fileIdentifier>"
        '<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/" '
        'codeListValue="fre">fre</gmd:LanguageCode></gmd:language>'
        f"<gmd:dateStamp><gco:DateTime>{date}</gco:DateTime></gmd:dateStamp>"
        "<gmd:identificationInfo><gmd:MD_DataIdentification>"
        f"<gmd:citation><gmd:CI_Citation><gmd:title>{_text(title)}</gmd:title>"
        "<gmd:date><gmd:CI_Date><gmd:date><gco:Date>2024-01-15</gco:Date></gmd:date>"
        f'<gmd:dateType><gmd:CI_DateTypeCode codeList="{CODELIST}#CI_DateTypeCode" '
        'codeListValue="publication">publication</gmd:CI_DateTypeCode></gmd:dateType>'
        "</gmd:CI_Date></gmd:date></gmd:CI_Citation></gmd:citation>"
        f"<gmd:abstract>{_text(abstract)}</gmd:abstract>"
        "<gmd:pointOfContact><gmd:CI_ResponsibleParty>"
        f"<gmd:organisationName>{_text('Service SIG du partenaire')}</gmd:organisationName>"
        "<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>"
        f"<gmd:electronicMailAddress>{_text(email)}</gmd:electronicMailAddress>"
        "</gmd:CI_Address></gmd:address></gmd:CI_Contact></gmd:contactInfo>"
        f'<gmd:role><gmd:CI_RoleCode codeList="{CODELIST}#CI_RoleCode" '
        'codeListValue="pointOfContact">pointOfContact</gmd:CI_RoleCode></gmd:role>'
        "</gmd:CI_ResponsibleParty></gmd:pointOfContact>"
        "<gmd:resourceMaintenance><gmd:MD_MaintenanceInformation>"
        "<gmd:maintenanceAndUpdateFrequency>"
        f'<gmd:MD_MaintenanceFrequencyCode codeList="{CODELIST}#MD_MaintenanceFrequencyCode" '
        f'codeListValue="{frequency}">{frequency}</gmd:MD_MaintenanceFrequencyCode>'
        "</gmd:maintenanceAndUpdateFrequency></gmd:MD_MaintenanceInformation></gmd:resourceMaintenance>"
        f"{keyword_blocks}"
        "<gmd:resourceConstraints><gmd:MD_LegalConstraints>"
        f'<gmd:accessConstraints><gmd:MD_RestrictionCode codeList="{CODELIST}#MD_RestrictionCode" '
        'codeListValue="otherRestrictions">otherRestrictions</gmd:MD_RestrictionCode></gmd:accessConstraints>'
        f"<gmd:otherConstraints>{_text(NO_RESTRICTION)}</gmd:otherConstraints>"
        f"<gmd:otherConstraints>{licence}</gmd:otherConstraints>"
        "</gmd:MD_LegalConstraints></gmd:resourceConstraints>"
        '<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/" '
        'codeListValue="fre">fre</gmd:LanguageCode></gmd:language>'
        + (
            f"<gmd:topicCategory><gmd:MD_TopicCategoryCode>{topic}</gmd:MD_TopicCategoryCode></gmd:topicCategory>"
            if topic
            else ""
        )
        + f"{extent}"
        "</gmd:MD_DataIdentification></gmd:identificationInfo>"
        f"{online}"
        "</gmd:MD_Metadata>"
    )


def get_records(ids: list[str], *, matched: int, next_record: int) -> str:
    """A GetRecords answer (brief records) listing ``ids``."""
    records = "".join(
        f"<csw:BriefRecord><dc:identifier>{escape(i)}</dc:identifier>"
        f"<dc:title>Fiche {escape(i)}</dc:title><dc:type>dataset</dc:type></csw:BriefRecord>"
        for i in ids
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<csw:SearchStatus timestamp="2025-03-02T10:00:00"/>'
        f'<csw:SearchResults numberOfRecordsMatched="{matched}" '
        f'numberOfRecordsReturned="{len(ids)}" elementSet="brief" nextRecord="{next_record}">'
        f"{records}</csw:SearchResults></csw:GetRecordsResponse>"
    )


def get_record_by_id(record: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
        f"{record}</csw:GetRecordByIdResponse>"
    )


def exception_report(text: str, code: str = "NoApplicableCode") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0">'
        f'<ows:Exception exceptionCode="{code}"><ows:ExceptionText>{escape(text)}'
        "</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"
    )


def capabilities(elsewhere: str) -> str:
    """GetCapabilities advertising every operation on another host."""
    operations = "".join(
        f'<ows:Operation name="{name}"><ows:DCP><ows:HTTP>'
        f'<ows:Get xlink:href="{elsewhere}/csw?"/><ows:Post xlink:href="{elsewhere}/csw"/>'
        "</ows:HTTP></ows:DCP></ows:Operation>"
        for name in ("GetCapabilities", "GetRecords", "GetRecordById", "DescribeRecord")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
        'xmlns:ows="http://www.opengis.net/ows" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'version="2.0.2"><ows:ServiceIdentification><ows:Title>GeoNetwork</ows:Title>'
        "<ows:ServiceType>CSW</ows:ServiceType><ows:ServiceTypeVersion>2.0.2"
        "</ows:ServiceTypeVersion></ows:ServiceIdentification>"
        f"<ows:OperationsMetadata>{operations}</ows:OperationsMetadata></csw:Capabilities>"
    )


def query(handler: Any) -> dict[str, str]:
    """A request's KVP parameters, names lower-cased (CSW names are case-insensitive)."""
    return {
        k.lower(): v for k, v in parse_qsl(urlsplit(handler.path).query, keep_blank_values=True)
    }


def xml(body: str, status: int = 200) -> Answer:
    return Answer(body, XML, status)


class Catalog:
    """A CSW endpoint: ``records`` (identifier -> ISO XML or an Answer) served by
    GetRecordById, listed by GetRecords ``page`` at a time; ``pages`` (startPosition ->
    Answer) replaces listing answers; ``capabilities`` answers GetCapabilities."""

    def __init__(self, records: dict[str, Any], page: int = 2) -> None:
        self.records = records
        self.page = page
        self.pages: dict[int, Answer | Callable[[], Answer]] = {}
        self.capabilities: str | None = None
        self.asked: list[dict[str, str]] = []

    def __call__(self, handler: Any) -> Answer | None:
        params = query(handler)
        self.asked.append(params)
        request = params.get("request", "").lower()
        if request == "getcapabilities" and self.capabilities:
            return xml(self.capabilities)
        if request == "getrecords":
            start = int(params.get("startposition") or 1)
            if start in self.pages:
                answer = self.pages[start]
                return answer() if callable(answer) else answer
            ids = list(self.records)
            chunk = ids[start - 1 : start - 1 + self.page]
            following = start + len(chunk)
            return xml(
                get_records(
                    chunk, matched=len(ids), next_record=following if following <= len(ids) else 0
                )
            )
        if request == "getrecordbyid":
            record = self.records.get(params.get("id", ""))
            if isinstance(record, Answer):
                return record
            if record is None:
                return xml(get_record_by_id(""))
            return xml(get_record_by_id(record))
        return xml(exception_report("opération inconnue", "OperationNotSupported"), 400)
