from django.conf import settings
from django.views.static import serve


def serve_media(request, path):
    """Uploaded photos for the embedded default; production lets the web server do this."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
