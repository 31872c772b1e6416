from django.urls import path

from comments import feeds, place, response_page, views

app_name = "comments"
urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="post"),
    path("post/<int:post_id>/preview/", views.preview_comment, name="preview"),
    path("<int:comment_id>/", response_page.comment_response, name="response"),
    path("<int:comment_id>/thread/", views.comment_in_thread, name="thread"),
    path("<int:comment_id>/place/", place.comment_place, name="place"),
    path("yours/<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("yours/<int:comment_id>/withdraw/", views.withdraw_comment, name="withdraw"),
    path("feeds/latest/", feeds.LatestCommentsFeed(), name="feed_latest"),
    path("feeds/post/<int:post_id>/", feeds.PostCommentsFeed(), name="feed_post"),
]
