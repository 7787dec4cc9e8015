"""Appointments: upcoming teaching slots by day and by site, and booking one.

On a family's arrival the officer books teaching visits, and families phone to
book their own slots (DOMAIN.md, "Visits and sessions"). `AppointmentsView`
lists what is booked; with `set_pupil` the same view shows one pupil's slots
on the pupil record. `BookAppointmentDialog` is used from both.

A file per part: view.py (the list), booking.py (the form), shared.py.
"""

from .booking import BookAppointmentDialog, BookingChoices, load_choices
from .shared import ID_ROLE, PUPILS_ROLE, WATCHED, fmt_length, next_working_day
from .view import AppointmentsView, Slots, load_slots

__all__ = [
    "ID_ROLE",
    "PUPILS_ROLE",
    "WATCHED",
    "AppointmentsView",
    "BookAppointmentDialog",
    "BookingChoices",
    "Slots",
    "fmt_length",
    "load_choices",
    "load_slots",
    "next_working_day",
]
