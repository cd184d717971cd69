from datetime import datetime, time, timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone

from cellule.accounts.models import Organisation, User
from cellule.cases.enums import ClosureReason, MeasureKind, TextDecision
from cellule.cases.forms import FACTS_ONLY, sitting_users
from cellule.cases.models import SHORT_TEXT_MAX_LENGTH
from cellule.core.forms import BaseForm
from cellule.meetings.enums import Attendance, AttendeeKind, DecisionKind, SeanceFormat
from cellule.meetings.models import DECISION_TEXT_MAX_LENGTH
from cellule.meetings.services import guest_memberships, sitting_memberships


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _time(label):
    return forms.TimeField(
        label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


def _full_name(user) -> str:
    return user.get_full_name()


class SeanceForm(BaseForm):
    day = _date("Date de la séance")
    start = _time("Heure de début")
    end = _time("Heure de fin prévue")
    place = forms.CharField(label="Lieu", max_length=200)
    format = forms.ChoiceField(
        label="Format",
        choices=SeanceFormat.choices,
        widget=forms.RadioSelect,
        help_text="Restreinte : les échanges nominatifs, entre les seuls membres convoqués.",
    )
    members = forms.ModelMultipleChoiceField(
        label="Membres convoqués",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, cell, seance=None, **kwargs):
        if seance is not None:
            start = timezone.localtime(seance.starts_at)
            kwargs.setdefault(
                "initial",
                {
                    "day": start.date(),
                    "start": start.time(),
                    "end": timezone.localtime(seance.ends_at).time(),
                    "place": seance.place,
                    "format": seance.format,
                    "members": list(
                        seance.attendees.filter(kind=AttendeeKind.MEMBER).values_list(
                            "user_id", flat=True
                        )
                    ),
                },
            )
        super().__init__(*args, **kwargs)
        memberships = list(sitting_memberships(cell))
        self.fields["members"].queryset = (
            User.objects.filter(pk__in=[m.user_id for m in memberships])
            .select_related("organisation")
            .order_by("last_name", "first_name")
        )
        roles = {m.user_id: m.get_role_display() for m in memberships}
        self.fields["members"].label_from_instance = lambda u: (
            f"{u.get_full_name()} — {roles.get(u.pk, '')}"
            + (f" ({u.organisation.name})" if u.organisation_id else "")
        )
        if seance is None:
            self.fields["members"].initial = [m.user_id for m in memberships]
            self.fields["format"].initial = SeanceFormat.RESTRICTED
            self.fields["start"].initial = time(14, 0)
            self.fields["end"].initial = time(16, 0)
            self.fields["day"].initial = timezone.localdate() + timedelta(days=14)

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            zone = timezone.get_current_timezone()
            cleaned["starts_at"] = timezone.make_aware(datetime.combine(day, start), zone)
            cleaned["ends_at"] = timezone.make_aware(datetime.combine(day, end), zone)
        return cleaned


class AddItemForm(BaseForm):
    situation = forms.ChoiceField(label="Situation à inscrire")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situation"].choices = [("", "—"), *choices]


class GuestForm(BaseForm):
    guest = forms.ModelChoiceField(label="Invité", queryset=User.objects.none())
    items = forms.MultipleChoiceField(
        label="Points pour lesquels il est invité",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Il ne verra que ces points, et seulement pendant la séance.",
    )

    def __init__(self, *args, seance, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guest"].queryset = User.objects.filter(
            pk__in=[m.user_id for m in guest_memberships(seance.cell)]
        ).order_by("last_name", "first_name")
        self.fields["guest"].label_from_instance = _full_name
        self.fields["items"].choices = [
            (str(row.item.pk), f"Point {row.item.position} — {row.label}") for row in rows
        ]


class AttendanceForm(BaseForm):
    attendance = forms.ChoiceField(
        label="Présence",
        choices=[c for c in Attendance.choices if c[0] != Attendance.UNKNOWN],
        widget=forms.RadioSelect,
    )


class DecisionForm(BaseForm):
    """One decision in the room. The fields of the chosen kind are shown (and refreshed by htmx
    when the kind changes); the service checks what each kind requires."""

    KIND_FIELDS = {
        DecisionKind.CONTINUE: ["next_review_on"],
        DecisionKind.PROPOSE_MEASURE: [
            "measure_kind",
            "provider",
            "measure_referent",
            "next_review_on",
        ],
        DecisionKind.ASSIGN_REFERENT: ["referent", "next_review_on"],
        DecisionKind.TRANSMIT: ["next_review_on"],
        DecisionKind.CLOSE: ["reason"],
        DecisionKind.ADJOURN: [],
    }

    kind = forms.ChoiceField(label="Décision", choices=[("", "—"), *DecisionKind.choices])
    next_review_on = _date(
        "Prochaine revue le", required=False, help_text="Par défaut : dans 90 jours."
    )
    measure_kind = forms.ChoiceField(
        label="Nature de la mesure", choices=[("", "—"), *MeasureKind.choices], required=False
    )
    provider = forms.ModelChoiceField(
        label="Organisme qui porte la mesure", queryset=Organisation.objects.none(), required=False
    )
    measure_referent = forms.ModelChoiceField(
        label="Référent de la mesure", queryset=User.objects.none(), required=False
    )
    referent = forms.ModelChoiceField(
        label="Référent de parcours", queryset=User.objects.none(), required=False
    )
    reason = forms.ChoiceField(
        label="Motif de clôture", choices=[("", "—"), *ClosureReason.choices], required=False
    )
    text = forms.CharField(
        label="Texte de la décision",
        max_length=DECISION_TEXT_MAX_LENGTH,
        help_text=FACTS_ONLY,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": DECISION_TEXT_MAX_LENGTH}),
    )
    taken_by = forms.ModelMultipleChoiceField(
        label="Membres qui ont pris la décision",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, item, members, texts=None, **kwargs):
        kwargs.setdefault("prefix", f"d{item.pk.hex[:12]}")
        super().__init__(*args, **kwargs)
        self.item = item
        cell_id = item.seance.cell_id
        self.fields["kind"].widget.attrs.update(
            {
                "hx-get": reverse("meetings:decision_fields", kwargs={"pk": item.pk}),
                "hx-target": f"#{self.extra_id}",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
            }
        )
        self.fields["provider"].queryset = (
            Organisation.objects.filter(users__memberships__cell=cell_id)
            .distinct()
            .order_by("name")
        )
        for name in ("measure_referent", "referent"):
            self.fields[name].queryset = sitting_users(cell_id)
            self.fields[name].label_from_instance = _full_name
        self.fields["taken_by"].queryset = User.objects.filter(
            pk__in=[attendee.user_id for attendee in members]
        ).order_by("last_name", "first_name")
        self.fields["taken_by"].label_from_instance = _full_name
        self.fields["taken_by"].initial = [
            attendee.user_id for attendee in members if attendee.attendance == Attendance.PRESENT
        ]
        self.texts = texts or []
        for n, entry in enumerate(self.texts):
            self.fields[f"text_{n}"] = forms.ChoiceField(
                label=entry["label"],
                choices=TextDecision.choices,
                widget=forms.RadioSelect,
                initial=TextDecision.KEEP,
            )
            self.fields[f"shortened_{n}"] = forms.CharField(
                label="Texte raccourci",
                required=False,
                max_length=SHORT_TEXT_MAX_LENGTH,
                initial=entry["text"],
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": SHORT_TEXT_MAX_LENGTH}),
            )

    @property
    def extra_id(self) -> str:
        return f"{self.prefix}-extra"

    @property
    def chosen_kind(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("kind"), "")
        return self.initial.get("kind", "")

    def kind_fields(self):
        return [self[name] for name in self.KIND_FIELDS.get(self.chosen_kind, [])]

    def text_rows(self):
        return [
            {"item": entry, "decision": self[f"text_{n}"], "shortened": self[f"shortened_{n}"]}
            for n, entry in enumerate(self.texts)
        ]

    def text_reviews(self):
        from cellule.cases.services import TextReview

        return [
            TextReview(
                key=entry["key"],
                decision=self.cleaned_data.get(f"text_{n}", ""),
                shortened=self.cleaned_data.get(f"shortened_{n}", ""),
            )
            for n, entry in enumerate(self.texts)
        ]

    def details(self):
        from cellule.meetings.services import DecisionDetails

        data = self.cleaned_data
        return DecisionDetails(
            next_review_on=data.get("next_review_on"),
            measure_kind=data.get("measure_kind") or "",
            provider=data.get("provider"),
            measure_referent=data.get("measure_referent"),
            referent=data.get("referent"),
            closure_reason=data.get("reason") or "",
            text_reviews=self.text_reviews(),
        )
