from django.urls import path

from comments import feeds, views

app_name = "comments"
urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="post"),
    path("feeds/latest/", feeds.LatestCommentsFeed(), name="feed_latest"),
    path("feeds/post/<int:post_id>/", feeds.PostCommentsFeed(), name="feed_post"),
]
