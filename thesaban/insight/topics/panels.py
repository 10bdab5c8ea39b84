"""The published themes of a process, shown on its public page (participation's process
panels). Nothing is shown until staff publish an analysis."""

from thesaban.insight.topics import selectors


def process_themes(request, process) -> dict | None:
    analyses = selectors.published_analyses(process=process)
    if not analyses:
        return None
    views = selectors.theme_views(analyses, representatives=2)
    return {"analyses": [(analysis, views[analysis.pk]) for analysis in analyses]}
