from django.urls import include, path

from . import views

app_name = "ppic"

urlpatterns = [
    path("", views.home, name="home"),
    path("mos/", views.mo_list, name="mo_list"),
    path("mos/new/", views.mo_create, name="mo_create"),
    path("mos/<int:pk>/", views.mo_detail, name="mo_detail"),
    path("mos/<int:pk>/release/", views.mo_release, name="mo_release"),
    path("mos/<int:pk>/cancel/", views.mo_cancel, name="mo_cancel"),
    path("spk/<str:number>/print/", views.spk_print, name="spk_print"),
    path("plan/", views.plan_board, name="plan_board"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/new/", views.article_create, name="article_create"),
    path("articles/<int:pk>/", views.article_edit, name="article_edit"),
    path("articles/<int:pk>/archive/", views.article_archive, name="article_archive"),
    path("pos/", views.po_list, name="po_list"),
    path("pos/new/", views.po_create, name="po_create"),
    path("pos/<int:pk>/", views.po_detail, name="po_detail"),
    path("import/", include("ppic.import_urls")),
]
