"""Library images in posts: ``![alt](image:<id>)`` -> figure, srcset, sizes, width, height,
lazy loading below the first; kept true when the image is described again or deleted."""

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blog import markup
from blog.markup_images import SIZES
from blog.models import Post
from media_library import services
from tests.factories import make_post
from tests.images_support import image_bytes, jpeg_with_gps, media_root_fixture, upload  # noqa: F401
from tests.strategies import any_script_text
from tests.test_markup import read, text_of

pytestmark = pytest.mark.django_db


def _image(alt="Relapse-free survival curves", caption="", size=(2000, 1000), name="km.png"):
    image, _ = services.image_upload(
        upload=upload(image_bytes(size, "PNG"), name, "image/png"), alt_text=alt, caption=caption
    )
    return image


def _imgs(fragment):
    return [attrs for tag, attrs in read(fragment).elements if tag == "img"]


def test_an_image_alone_in_its_paragraph_is_a_figure_with_srcset_and_its_size(media_root):
    image = _image(caption="Figure 2. Kaplan–Meier estimates, p<0·001 & n=202")
    post = make_post(body=f"Before.\n\n![](image:{image.pk})\n\nAfter.")
    out = post.body_html
    assert "<figure><img " in out and "</figcaption></figure>" in out
    (img,) = _imgs(out)
    names = [entry["name"] for entry in image.files]
    assert img["srcset"] == ", ".join(
        f"/media/{name} {width}w" for name, width in zip(names, (480, 960, 1600, 2000), strict=True)
    )
    assert img["src"] == f"/media/{names[1]}"  # the 960 px file for browsers without srcset
    assert (img["width"], img["height"]) == ("2000", "1000")
    assert img["sizes"] == SIZES
    assert img["alt"] == "Relapse-free survival curves"  # the library's, the Markdown's empty
    assert img["decoding"] == "async" and img["loading"] == "eager"  # the first image
    assert "Figure 2. Kaplan–Meier estimates, p&lt;0·001 &amp; n=202</figcaption>" in out
    assert "<p><figure" not in out  # a figure never sits inside a paragraph


def test_images_after_the_first_load_lazily_and_the_markdown_alt_and_title_win(media_root):
    first, second = _image(alt="First"), _image(alt="Second", caption="Library caption")
    post = make_post(
        body=f'![](image:{first.pk})\n\n![My words](image:{second.pk} "My caption")\n\n'
        f"Inline ![](image:{first.pk}) in a sentence."
    )
    imgs = _imgs(post.body_html)
    assert [i["loading"] for i in imgs] == ["eager", "lazy", "lazy"]
    assert imgs[1]["alt"] == "My words"
    assert "My caption</figcaption>" in post.body_html
    assert "Library caption" not in post.body_html
    assert post.body_html.count("<figure>") == 2  # the inline one stays inline, in its sentence
    assert "<p>Inline <img " in post.body_html


def test_rendering_looks_the_images_up_in_one_query(media_root, django_assert_num_queries):
    """One query for every image a post mentions (an IN list), made before the render's CPU
    budget starts; an id that is not in the library costs nothing more."""
    images = [_image(alt=f"Image {n}") for n in range(6)]
    body = "\n\n".join(f"![](image:{image.pk})" for image in images) + "\n\nimage:999999 text"
    with django_assert_num_queries(1):
        rendering = markup.post_rendering(body)
    assert [img["alt"] for img in _imgs(rendering.html)] == [f"Image {n}" for n in range(6)]


def test_a_missing_image_shows_its_alt_text_and_the_author_is_told(media_root):
    post = make_post(body="![The forest plot](image:424242)\n\n![](image:424243)")
    assert _imgs(post.body_html) == []
    assert "[Image: The forest plot]" in text_of(post.body_html)
    assert "[Image: image 424243]" in text_of(post.body_html)
    notes = markup.post_rendering(post.body).notes()
    assert any("image:424242, image:424243" in note for note in notes), notes


def test_describing_an_image_again_rerenders_the_posts_that_show_it(media_root):
    image = _image(alt="Old words", caption="Old caption")
    showing = make_post(body=f"![](image:{image.pk})")
    other = make_post(body=f"![](image:{image.pk}0) mentions another id")
    other_html = other.body_html
    services.image_describe(image=image, alt_text="New words", caption="New caption", title="t")
    showing.refresh_from_db()
    assert _imgs(showing.body_html)[0]["alt"] == "New words"
    assert "New caption" in showing.body_html and "Old" not in showing.body_html
    other.refresh_from_db()
    assert other.body_html == other_html


def test_deleting_an_image_leaves_its_alt_text_in_the_post_and_removes_its_files(
    media_root, django_capture_on_commit_callbacks
):
    image = _image(alt="Consort diagram")
    post = make_post(body=f"![](image:{image.pk})")
    paths = [media_root / name for name in image.stored_names()]
    number = image.pk
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        services.image_delete(image=image)
    post.refresh_from_db()
    assert _imgs(post.body_html) == []
    assert f"[Image: image {number}]" in text_of(post.body_html)
    assert not any(path.exists() for path in paths)


def test_the_post_page_shows_the_figure_and_costs_no_more_queries(
    client, media_root, django_assert_max_num_queries
):
    plain = make_post(body="No images here.")
    with django_assert_max_num_queries(50) as counted:
        assert client.get(plain.get_absolute_url()).status_code == 200
    baseline = len(counted.captured_queries)
    images = [_image(alt=f"Panel {n}") for n in range(5)]
    rich = make_post(body="\n\n".join(f"![](image:{image.pk})" for image in images))
    with django_assert_max_num_queries(baseline):
        response = client.get(rich.get_absolute_url())
    page = response.content.decode()
    assert page.count("<figure>") == 5 and page.count('loading="lazy"') == 4


@given(alt=any_script_text(), caption=any_script_text())
def test_any_alt_text_and_caption_are_escaped_once_in_the_post(media_root, alt, caption):
    image = _image(alt=alt, caption=caption, size=(300, 200))
    post = Post.objects.get(pk=make_post(body=f"![](image:{image.pk})").pk)
    (img,) = _imgs(post.body_html)
    assert img["alt"] == image.alt_text
    assert html.escape(image.caption, quote=False) in post.body_html or not image.caption
    assert "<script" not in post.body_html


@pytest.mark.parametrize(
    "typed",
    [
        '![x](image:1" onerror="alert(1))',
        "![x](image:1 'a\" onload=alert(1)')",
        "![<script>alert(1)</script>](image:1)",
        "![x](image:-1)",
        "![x](image:99999999999999999999)",
        "[![x](image:1)](javascript:alert(1))",
    ],
)
def test_hostile_image_references_stay_inert(media_root, typed):
    _image(alt="x")
    out = make_post(body=typed).body_html
    assert "<script" not in out.lower()
    for tag, attrs in read(out).elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript")
        if tag == "img":
            assert set(attrs) <= ALLOWED_IMG_ATTRIBUTES and attrs["src"].startswith("/media/")


ALLOWED_IMG_ATTRIBUTES = {"src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding"}


def test_the_sanitiser_keeps_only_same_site_srcset_and_numeric_sizes():
    policy = markup.POST_POLICY
    kept = markup.sanitize_html(
        '<img src="/media/a.jpg" srcset="/media/a.jpg 480w, /media/b.jpg 960w" width="480" '
        'height="240" loading="lazy" decoding="async" sizes="(max-width: 42rem) 100vw, 42rem">',
        policy=policy,
    )
    assert 'srcset="/media/a.jpg 480w, /media/b.jpg 960w"' in kept and 'width="480"' in kept
    for attrs in (
        'srcset="https://evil.example/a.jpg 480w"',
        'srcset="/media/a.jpg 480w, //evil.example/b.jpg 960w"',
        'srcset="javascript:alert(1) 1w"',
        'width="100%"',
        'height="-1"',
        'loading="auto"',
        'decoding="sync"',
        'sizes="expression(alert(1))"',
        'style="width:1px"',
        'onerror="alert(1)"',
    ):
        cleaned = markup.sanitize_html(f'<img src="/media/a.jpg" {attrs}>', policy=policy)
        assert cleaned == '<img src="/media/a.jpg">', attrs


@given(st.integers(min_value=0, max_value=3))
def test_comments_never_get_library_images(count):
    out = markup.render_comment("![x](image:1) " * (count + 1))
    assert "<img" not in out and "image:1" in out
