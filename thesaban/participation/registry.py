"""Panels other apps add to a process page (polls, budgets...) without participation naming
them: `process_panels.register(ProcessPanel(key, template, context, order))` from an
AppConfig.ready(). `context(request, process)` returns the template's context, or None to
show nothing for this process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProcessPanel:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


@dataclass
class ProcessPanelRegistry:
    _panels: dict[str, ProcessPanel] = field(default_factory=dict)

    def register(self, panel: ProcessPanel) -> None:
        self._panels[panel.key] = panel

    def all(self) -> list[ProcessPanel]:
        return sorted(self._panels.values(), key=lambda panel: (panel.order, panel.key))


process_panels = ProcessPanelRegistry()
