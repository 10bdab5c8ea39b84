"""What the opinion-group pages show: the statements to vote on, the add-a-statement form and
the map, drawn as an inline SVG on the server with a text alternative. Used by the panel on a
process page (participation's process panels) and by the opinions page of a process."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from thesaban.participation.models import Phase, Process
from thesaban.participation.opinions import selectors
from thesaban.participation.opinions.forms import StatementForm

SIZE = 320
MARGIN = 24
# Colour-blind-safe hues darkened to at least 3:1 against white (WCAG 1.4.11); each group also
# has its own shape, so colour is never the only cue.
GROUP_STYLES = [
    ("#0072B2", "circle"),
    ("#B8460B", "square"),
    ("#007A5A", "triangle"),
    ("#A3478A", "diamond"),
    ("#6B5B00", "cross"),
]
UNGROUPED = ("#6B6B6B", "circle")


def group_letter(group_id: int) -> str:
    return string.ascii_uppercase[group_id] if 0 <= group_id < 26 else str(group_id + 1)


def _shape_path(shape: str, x: float, y: float, r: float) -> str:
    if shape == "square":
        s = r * 0.9
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
    if shape == "triangle":
        h = r * 1.15
        return f"M{x:.1f},{y - h:.1f}L{x + h:.1f},{y + h * 0.8:.1f}L{x - h:.1f},{y + h * 0.8:.1f}z"
    if shape == "diamond":
        d = r * 1.25
        return f"M{x:.1f},{y - d:.1f}L{x + d:.1f},{y:.1f}L{x:.1f},{y + d:.1f}L{x - d:.1f},{y:.1f}z"
    if shape == "cross":
        a, b = r * 1.1, r * 0.4
        return (
            f"M{x - b:.1f},{y - a:.1f}h{2 * b:.1f}v{a - b:.1f}h{a - b:.1f}v{2 * b:.1f}"
            f"h{b - a:.1f}v{a - b:.1f}h{-2 * b:.1f}v{b - a:.1f}h{b - a:.1f}v{-2 * b:.1f}"
            f"h{a - b:.1f}z"
        )
    return (
        f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0"
        f"a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0z"
    )


@dataclass
class MapGroup:
    id: int
    letter: str
    colour: str
    shape: str
    size: int
    label_x: float
    label_y: float
    legend_path: str
    representative: list[dict] = field(default_factory=list)

    @property
    def agrees(self) -> list[dict]:
        return [item for item in self.representative if item["direction"] == "agree"]

    @property
    def disagrees(self) -> list[dict]:
        return [item for item in self.representative if item["direction"] == "disagree"]


@dataclass
class MapFigure:
    size: int
    centre: float
    points: list[dict]
    me: dict | None
    groups: list[MapGroup]
    consensus: list[dict]


def map_figure(result: dict, *, viewer_token: str | None) -> MapFigure:
    points = result.get("points", [])
    extent = max([abs(p["x"]) for p in points] + [abs(p["y"]) for p in points] + [1e-9])
    half = (SIZE - 2 * MARGIN) / 2
    centre = SIZE / 2

    def place(x: float, y: float) -> tuple[float, float]:
        # SVG y grows downwards; the map keeps the mathematical orientation.
        return centre + x / extent * half, centre - y / extent * half

    groups = []
    for group in result.get("groups", []):
        colour, shape = GROUP_STYLES[group["id"] % len(GROUP_STYLES)]
        gx, gy = place(*group["centre"])
        groups.append(
            MapGroup(
                id=group["id"],
                letter=group_letter(group["id"]),
                colour=colour,
                shape=shape,
                size=group["size"],
                label_x=round(min(max(gx, 14), SIZE - 14), 1),
                label_y=round(min(max(gy - 12, 14), SIZE - 6), 1),
                legend_path=_shape_path(shape, 8, 8, 5.5),
                representative=[
                    item
                    | {
                        "p_in_pct": round(100 * item["p_in"]),
                        "p_out_pct": round(100 * item["p_out"]),
                    }
                    for item in group["representative"]
                ],
            )
        )
    drawn, me = [], None
    for point in points:
        colour, shape = (
            GROUP_STYLES[point["group"] % len(GROUP_STYLES)]
            if point["group"] is not None
            else UNGROUPED
        )
        x, y = place(point["x"], point["y"])
        item = {"path": _shape_path(shape, x, y, 4.2), "colour": colour}
        if viewer_token is not None and point["token"] == viewer_token:
            me = {
                "path": _shape_path(shape, x, y, 7.5),
                "colour": colour,
                "x": round(x, 1),
                "y": round(y, 1),
                "label_x": round(x + (12 if x < SIZE - 60 else -44), 1),
                "label_y": round(y + 4, 1),
                "group": point["group"],
                "letter": None if point["group"] is None else group_letter(point["group"]),
            }
        else:
            drawn.append(item)
    letters = [group_letter(g.id) for g in groups]
    consensus = [
        item
        | {
            "by_group": [
                {"letter": letter, "pct": round(100 * p)}
                for letter, p in zip(letters, item["p_agree_by_group"], strict=False)
            ]
        }
        for item in result.get("consensus", [])
    ]
    return MapFigure(SIZE, centre, drawn, me, groups, consensus)


def opinion_context(request, process: Process, *, back: str) -> dict:
    participant = selectors.participant_of(process=process, user=request.user)
    statements = selectors.statements_with_my_votes(process=process, participant=participant)
    phase_open = any(phase.allows(Phase.Action.OPINION) for phase in process.phases.all())
    signed_in = request.user.is_authenticated
    voted = [item for item in statements if item.my_choice is not None]
    unvoted = [item for item in statements if item.my_choice is None]
    opinion_map = selectors.opinion_map_of(process=process)
    figure = None
    if opinion_map is not None and opinion_map.result.get("points"):
        token = selectors.point_token(process.pk, participant.pk) if participant else None
        figure = map_figure(opinion_map.result, viewer_token=token)
    my_votes = len(voted)
    min_votes = (opinion_map.result.get("min_votes") if opinion_map else None) or min(
        7, max(1, len(statements))
    )
    return {
        "process": process,
        "statements": statements,
        "next_statement": unvoted[0] if unvoted else None,
        "voted_count": my_votes,
        "total": len(statements),
        "phase_open": phase_open,
        "can_vote": phase_open and signed_in,
        "signed_in": signed_in,
        "login_url": resolve_url(settings.LOGIN_URL)
        + "?"
        + urlencode({"next": back.split("#")[0]}),
        "statement_form": StatementForm(),
        "map": opinion_map,
        "figure": figure,
        "n_excluded": opinion_map.result.get("n_excluded", 0) if opinion_map else 0,
        "min_votes": min_votes,
        "votes_needed": max(0, min_votes - my_votes),
        "back": back,
        "vote_url_name": "opinions:vote",
    }


def process_opinions(request, process: Process) -> dict | None:
    """The panel on a process page: shown when the process has statements or an open phase
    with the "opinion" action."""
    phase_open = any(phase.allows(Phase.Action.OPINION) for phase in process.phases.all())
    if not phase_open and not selectors.has_statements(process=process):
        return None
    back = reverse(
        "participation:process",
        kwargs={"municipality": process.municipality.slug, "process": process.slug},
    )
    return opinion_context(request, process, back=back + "#opinions")
