"""Catalogue metadata in CKAN's shapes (package, resource, organization) and as DCAT JSON-LD."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from thesaban.opendata.datastore import is_queryable
from thesaban.opendata.models import Dataset, Resource
from thesaban.opendata.selectors import organization_id

Absolute = Callable[[str], str]  # a path -> the absolute URL (request.build_absolute_uri)

LICENSES = {
    "CC-BY-4.0": (
        "cc-by",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "cc-by-sa",
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": (
        "cc-zero",
        "Creative Commons CCZero",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "OGL-TH": (
        "ogl-th",
        "Open Government Licence – Thailand",
        "https://data.go.th/pages/conditions-of-use",
    ),
}
LICENSE_CHOICES = [(key, title) for key, (_id, title, _url) in LICENSES.items()]

MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "GeoJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "PDF": "application/pdf",
}
FREQUENCIES = {
    "continuous": "http://purl.org/cld/freq/continuous",
    "daily": "http://purl.org/cld/freq/daily",
    "monthly": "http://purl.org/cld/freq/monthly",
    "quarterly": "http://purl.org/cld/freq/quarterly",
    "annual": "http://purl.org/cld/freq/annual",
    "irregular": "http://purl.org/cld/freq/irregular",
}


def ckan_name(dataset: Dataset) -> str:
    """CKAN names are unique site-wide: the municipality's slug, a hyphen, the dataset's."""
    return f"{dataset.municipality.slug}-{dataset.slug}"


def _stamp(value) -> str | None:
    """CKAN writes times as naive UTC ISO 8601 with microseconds."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def dataset_path(dataset: Dataset) -> str:
    return reverse(
        "opendata:dataset",
        kwargs={"municipality": dataset.municipality.slug, "dataset": dataset.slug},
    )


def download_path(resource: Resource) -> str:
    return reverse(
        "opendata:download",
        kwargs={
            "municipality": resource.municipality.slug,
            "dataset": resource.dataset.slug,
            "resource": resource.pk,
        },
    )


def organization_dict(
    municipality, absolute: Absolute, *, package_count: int | None = None
) -> dict[str, Any]:
    return {
        "id": organization_id(municipality),
        "name": municipality.slug,
        "title": municipality.name_th,
        "display_name": municipality.name_th,
        "title_translated": {"th": municipality.name_th, "en": municipality.name_en},
        "description": f"{municipality.name_en}, {municipality.province_en or municipality.province_th}",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": _stamp(municipality.created_at),
        "package_count": package_count
        if package_count is not None
        else getattr(municipality, "package_count", 0),
        "url": absolute(reverse("municipality_home", kwargs={"municipality": municipality.slug})),
    }


def resource_dict(resource: Resource, absolute: Absolute) -> dict[str, Any]:
    return {
        "id": str(resource.pk),
        "package_id": str(resource.dataset_id),
        "name": resource.name_th,
        "name_translated": {"th": resource.name_th, "en": resource.name_en},
        "description": resource.dataset.description_th,
        "format": resource.format,
        "mimetype": MEDIA_TYPES.get(resource.format),
        "url": absolute(download_path(resource)),
        "url_type": "datastore" if resource.is_live else "upload",
        "size": resource.size,
        "created": _stamp(resource.created_at),
        "last_modified": _stamp(
            resource.modified_at if not resource.is_live else resource.dataset.modified_at
        ),
        "metadata_modified": _stamp(resource.modified_at),
        "position": resource.position,
        "datastore_active": is_queryable(resource),
        "state": "active",
    }


def package_dict(dataset: Dataset, absolute: Absolute) -> dict[str, Any]:
    license_id, license_title, license_url = LICENSES.get(
        dataset.license_id, (dataset.license_id, dataset.license_id, "")
    )
    resources = [resource_dict(r, absolute) for r in dataset.resources.all()]
    tags = [
        {"name": k, "display_name": k, "state": "active", "vocabulary_id": None}
        for k in dataset.keyword_list
    ]
    extras = [
        {"key": "frequency", "value": dataset.frequency},
        {"key": "spatial_text", "value": dataset.municipality.name_th},
        {"key": "spatial", "value": _spatial(dataset.municipality)},
        {"key": "language", "value": "th,en"},
    ]
    if dataset.temporal_start:
        extras.append({"key": "temporal_start", "value": dataset.temporal_start.isoformat()})
    if dataset.temporal_end:
        extras.append({"key": "temporal_end", "value": dataset.temporal_end.isoformat()})
    return {
        "id": str(dataset.pk),
        "name": ckan_name(dataset),
        "title": dataset.title_th,
        "title_translated": {"th": dataset.title_th, "en": dataset.title_en},
        "notes": dataset.description_th,
        "notes_translated": {"th": dataset.description_th, "en": dataset.description_en},
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": True,
        "license_id": license_id,
        "license_title": license_title,
        "license_url": license_url,
        "author": dataset.municipality.name_th,
        "author_email": None,
        "maintainer": dataset.municipality.name_th,
        "maintainer_email": None,
        "version": None,
        "url": absolute(dataset_path(dataset)),
        "metadata_created": _stamp(dataset.created_at),
        "metadata_modified": _stamp(dataset.modified_at),
        "owner_org": organization_id(dataset.municipality),
        "organization": organization_dict(dataset.municipality, absolute, package_count=0),
        "tags": tags,
        "num_tags": len(tags),
        "groups": [],
        "extras": extras,
        "resources": resources,
        "num_resources": len(resources),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _spatial(municipality) -> str:
    if municipality.boundary:
        return json.dumps(municipality.boundary, separators=(",", ":"))
    return json.dumps(
        {"type": "Point", "coordinates": [municipality.center_lng, municipality.center_lat]}
    )


# -- DCAT ------------------------------------------------------------------------------------

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _texts(th: str, en: str) -> list[dict[str, str]]:
    return [{"@value": v, "@language": lang} for lang, v in (("th", th), ("en", en)) if v]


def _publisher(municipality, absolute: Absolute) -> dict[str, Any]:
    return {
        "@id": absolute(reverse("municipality_home", kwargs={"municipality": municipality.slug})),
        "@type": "foaf:Organization",
        "foaf:name": _texts(municipality.name_th, municipality.name_en),
    }


def _spatial_node(municipality) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "dct:Location",
        "skos:prefLabel": _texts(municipality.name_th, municipality.name_en),
        "dcat:centroid": {
            "@value": f"POINT({municipality.center_lng} {municipality.center_lat})",
            "@type": "http://www.opengis.net/ont/geosparql#wktLiteral",
        },
    }
    if municipality.boundary:
        node["locn:geometry"] = {
            "@value": _spatial(municipality),
            "@type": "https://www.iana.org/assignments/media-types/application/vnd.geo+json",
        }
    return node


def dcat_dataset(dataset: Dataset, absolute: Absolute) -> dict[str, Any]:
    _id, _title, license_url = LICENSES.get(dataset.license_id, ("", "", ""))
    node: dict[str, Any] = {
        "@id": absolute(dataset_path(dataset)),
        "@type": "dcat:Dataset",
        "dct:identifier": str(dataset.pk),
        "dct:title": _texts(dataset.title_th, dataset.title_en),
        "dct:description": _texts(dataset.description_th, dataset.description_en),
        "dcat:keyword": dataset.keyword_list,
        "dct:publisher": _publisher(dataset.municipality, absolute),
        "dct:license": {"@id": license_url} if license_url else dataset.license_id,
        "dct:issued": {"@value": dataset.created_at.isoformat(), "@type": "xsd:dateTime"},
        "dct:modified": {"@value": dataset.modified_at.isoformat(), "@type": "xsd:dateTime"},
        "dct:accrualPeriodicity": {
            "@id": FREQUENCIES.get(dataset.frequency, FREQUENCIES["irregular"])
        },
        "dct:language": [
            {"@id": "http://publications.europa.eu/resource/authority/language/THA"},
            {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
        ],
        "dct:spatial": _spatial_node(dataset.municipality),
        "dcat:landingPage": {"@id": absolute(dataset_path(dataset))},
        "dcat:distribution": [],
    }
    if dataset.temporal_start or dataset.temporal_end:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if dataset.temporal_start:
            period["dcat:startDate"] = {
                "@value": dataset.temporal_start.isoformat(),
                "@type": "xsd:date",
            }
        if dataset.temporal_end:
            period["dcat:endDate"] = {
                "@value": dataset.temporal_end.isoformat(),
                "@type": "xsd:date",
            }
        node["dct:temporal"] = period
    for resource in dataset.resources.all():
        url = absolute(download_path(resource))
        distribution: dict[str, Any] = {
            "@id": url + "#distribution",
            "@type": "dcat:Distribution",
            "dct:identifier": str(resource.pk),
            "dct:title": _texts(resource.name_th, resource.name_en),
            "dcat:accessURL": {"@id": absolute(dataset_path(dataset))},
            "dcat:downloadURL": {"@id": url},
            "dct:format": resource.format,
            "dct:license": {"@id": license_url} if license_url else dataset.license_id,
            "dct:modified": {"@value": resource.modified_at.isoformat(), "@type": "xsd:dateTime"},
        }
        if resource.format in MEDIA_TYPES:
            distribution["dcat:mediaType"] = {
                "@id": "https://www.iana.org/assignments/media-types/"
                + MEDIA_TYPES[resource.format]
            }
        if resource.size:
            distribution["dcat:byteSize"] = {
                "@value": str(resource.size),
                "@type": "xsd:nonNegativeInteger",
            }
        node["dcat:distribution"].append(distribution)
    return node


def dcat_catalog(municipality, datasets, absolute: Absolute) -> dict[str, Any]:
    return {
        "@context": DCAT_CONTEXT,
        "@id": absolute(reverse("opendata:dcat", kwargs={"municipality": municipality.slug})),
        "@type": "dcat:Catalog",
        "dct:title": _texts(
            f"ข้อมูลเปิดของ{municipality.name_th}", f"Open data of {municipality.name_en}"
        ),
        "dct:description": _texts(
            "งบประมาณ การเบิกจ่าย การจัดซื้อจัดจ้าง โครงการ และเรื่องร้องเรียน แบบเรียลไทม์",
            "Budget, spending, procurement, projects and problem reports, live.",
        ),
        "dct:publisher": _publisher(municipality, absolute),
        "dct:language": [
            {"@id": "http://publications.europa.eu/resource/authority/language/THA"},
            {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
        ],
        "dct:spatial": _spatial_node(municipality),
        "dct:license": {"@id": LICENSES["CC-BY-4.0"][2]},
        "foaf:homepage": {
            "@id": absolute(reverse("opendata:home", kwargs={"municipality": municipality.slug}))
        },
        "dcat:dataset": [dcat_dataset(d, absolute) for d in datasets],
    }
