from django.urls import path

from blog import urls as _blog_urls  # noqa: F401 (registers the yyyy, mm and anyslug converters)
from citations import views

app_name = "citations"
POST = "<yyyy:year>/<mm:month>/<anyslug:slug>/"
urlpatterns = [
    path(f"{POST}{work}.{fmt}", views.download, {"work": work, "fmt": fmt}, name=f"{work}_{fmt}")
    for work in ("post", "paper")
    for fmt in ("bib", "ris")
]
