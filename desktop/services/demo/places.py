"""The demo's schools (their phases), the service's own contact details and the sites it visits."""

from __future__ import annotations

from desktop.domain.enums import SiteType

SCHOOLS = [
    ("119234", "888", "2145", "St Anne's Catholic Primary School", "Mrs J. Whittaker"),
    ("119876", "888", "2290", "Brookfield Community Primary School", "Mr P. Hughes"),
    ("134501", "888", "4012", "Ribbleton High School", "Ms R. Dhillon"),
    ("119552", "888", "2301", "Moss Side County Primary School", "Mrs A. Kowalczyk"),
    ("140077", "888", "4107", "Fulwood Academy", "Mr D. Armitage"),
    ("119001", "888", "2050", "Hesketh Lane Primary School", "Miss L. Ní Bhriain"),
]
SECONDARY = {"134501", "140077"}  # the rest are primary schools: Reception to Year 6

SERVICE_CONTACT = {
    "service_address": "County Hall, Fishergate, Preston PR1 8XJ",
    "service_phone": "01772 530000",
    "service_email": "tes@lancashire.example.org",
}

SITES = [
    ("Walton Summit transit site", SiteType.TRANSIT_SITE, "Walton Summit Road, Bamber Bridge", "PR5 8AA"),
    ("Ashton Park fairground", SiteType.FAIRGROUND, "Ashton Park, Blackpool Road", "PR2 1HX"),
    ("Sinclair's Circus winter quarters", SiteType.CIRCUS_QUARTERS, "Moor Lane Farm, Longton", "PR4 5JA"),
    ("Layby, A59 Tarleton", SiteType.ROADSIDE, "A59 northbound layby", "PR4 6HP"),
    ("Leyland Road permanent site", SiteType.PERMANENT_SITE, "Leyland Road", "PR1 9QE"),
    ("Children's Ward 4, Royal Preston Hospital", SiteType.HOSPITAL_WARD, "Sharoe Green Lane", "PR2 9HT"),
]

# (family surname, site index, traveller group, ethnicity, children (forename, sex, age), parent, needs reading help)
