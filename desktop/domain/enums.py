"""Fixed vocabularies of the field. Values are what the store and the CLI use;
`label` is what a person reads (British English)."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def parse(cls, text: str) -> Labelled:
        """Accept a value or a label, any case, spaces or hyphens for underscores."""
        key = text.strip().lower().replace("-", "_").replace(" ", "_").replace("/", "_")
        for member in cls:
            if key in (member.value, member.name.lower()):
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"'{text}' is not a known {cls.__name__}; choose one of: {choices}")


class Sex(Labelled):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class TravellerGroup(Labelled):
    NONE = "none"
    GYPSY_ROMA = "gypsy_roma"
    IRISH_TRAVELLER = "irish_traveller"
    SHOWMAN = "showman"
    CIRCUS = "circus"
    NEW_TRAVELLER = "new_traveller"
    BARGEE = "bargee"

    @property
    def label(self) -> str:
        return {
            "none": "Not a Traveller",
            "gypsy_roma": "Gypsy / Roma",
            "irish_traveller": "Irish Traveller",
            "showman": "Showman / fairground",
            "circus": "Circus",
            "new_traveller": "New Traveller",
            "bargee": "Bargee",
        }[self.value]


class SiteType(Labelled):
    ROADSIDE = "roadside"
    TRANSIT_SITE = "transit_site"
    PERMANENT_SITE = "permanent_site"
    FAIRGROUND = "fairground"
    CIRCUS_QUARTERS = "circus_quarters"
    HOUSING = "housing"
    HOSPITAL_WARD = "hospital_ward"
    HOME = "home"


class PlaceType(Labelled):
    """Where a visit took place."""

    SITE = "site"
    HOME = "home"
    WARD = "ward"
    LIBRARY = "library"
    SCHOOL = "school"
    OTHER = "other"


class Outcome(Labelled):
    HELD = "held"
    NOT_AT_HOME = "not_at_home"
    PUPIL_UNWELL = "pupil_unwell"
    CANCELLED = "cancelled"
    FAMILY_MOVED_ON = "family_moved_on"

    @property
    def label(self) -> str:
        return {
            "held": "Visit held",
            "not_at_home": "Not at home",
            "pupil_unwell": "Pupil unwell",
            "cancelled": "Cancelled",
            "family_moved_on": "Family moved on",
        }[self.value]


class NotSeenReason(Labelled):
    """Why a child on a visit was not taught, though the visit itself took place."""

    AT_NURSERY = "at_nursery"
    UNWELL = "unwell"
    ASLEEP = "asleep"
    REFUSED = "refused"
    NOT_AT_HOME = "not_at_home"
    AT_SCHOOL = "at_school"
    OTHER = "other"

    @classmethod
    def for_outcome(cls, outcome: Outcome) -> NotSeenReason | None:
        """The reason every child shares when the whole visit did not happen, if one fits."""
        return {Outcome.NOT_AT_HOME: cls.NOT_AT_HOME, Outcome.PUPIL_UNWELL: cls.UNWELL}.get(outcome)


class Visibility(Labelled):
    """Who may read a visit note."""

    FAMILY = "family"  # printed on every copy, the parent's included
    PROFESSIONAL = "professional"  # TES and base school copies only


class ProvisionType(Labelled):
    TES_VISITS = "tes_visits"
    HOSPITAL_TUITION = "hospital_tuition"
    HOME_TUITION = "home_tuition"
    DISTANCE_LEARNING = "distance_learning"
    PART_TIME_TIMETABLE = "part_time_timetable"
    ALTERNATIVE_PROVISION = "alternative_provision"

    @property
    def label(self) -> str:
        return {
            "tes_visits": "TES visits",
            "hospital_tuition": "Hospital tuition",
            "home_tuition": "Home tuition",
            "distance_learning": "Distance learning",
            "part_time_timetable": "Part-time timetable",
            "alternative_provision": "Alternative provision",
        }[self.value]


class ExclusionKind(Labelled):
    PERMANENT = "permanent"
    FIXED_PERIOD = "fixed_period"  # a suspension: at most 45 school days a year

    @property
    def label(self) -> str:
        return {"permanent": "Permanent exclusion", "fixed_period": "Fixed-period exclusion"}[self.value]


class CalendarKind(Labelled):
    """A line of a school calendar."""

    TERM = "term"  # school open on weekdays from start to end
    HOLIDAY = "holiday"  # half term, Christmas, Easter, summer
    INSET = "inset"  # a training day: no pupils
    BANK_HOLIDAY = "bank_holiday"
    CLOSURE = "closure"  # any other planned closure

    @property
    def label(self) -> str:
        return {
            "term": "Term",
            "holiday": "Holiday",
            "inset": "INSET day",
            "bank_holiday": "Bank holiday",
            "closure": "Closure",
        }[self.value]


class Cohort(Labelled):
    TRAVELLER = "traveller"
    HOSPITAL = "hospital"
    HOME_TUITION = "home_tuition"
    OTHER = "other"


class ItemStatus(Labelled):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    MARKED = "marked"


class ContactRelationship(Labelled):
    MOTHER = "mother"
    FATHER = "father"
    CARER = "carer"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    SOCIAL_WORKER = "social_worker"
    OTHER = "other"


class SenStatus(Labelled):
    NONE = "none"
    SEN_SUPPORT = "sen_support"
    EHCP = "ehcp"

    @property
    def label(self) -> str:
        return {"none": "None", "sen_support": "SEN support", "ehcp": "EHC plan"}[self.value]


class ServiceKind(Labelled):
    """The kind of service a profile belongs to (a setting; it words some screens)."""

    TES = "tes"
    HOSPITAL = "hospital"
    HOME = "home"

    @property
    def label(self) -> str:
        return {
            "tes": "Traveller Education Service",
            "hospital": "Hospital education",
            "home": "Home tuition",
        }[self.value]


# DfE ethnicity codes (main categories plus the Gypsy / Roma and Traveller of Irish
# heritage codes this service most needs). Full extended list lives in resources/codes.
ETHNICITY = {
    "WBRI": "White - British",
    "WIRI": "White - Irish",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy / Roma",
    "WOTH": "Any other White background",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black - African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}
