"""Markdown -> sanitised HTML. STUB: the markup helper replaces this module."""

import html

import markdown

DOI_RESOLVER = "https://doi.org/"


def doi_url(doi):
    return DOI_RESOLVER + doi


def registry_url(registration):
    return "https://clinicaltrials.gov/study/" + registration


def render_post(text):
    return markdown.markdown(html.escape(text))


def render_comment(text):
    return markdown.markdown(html.escape(text))
