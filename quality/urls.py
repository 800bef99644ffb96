from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.home, name="home"),
    path("final/", views.final_inspection, name="final"),
    path("final/plan/", views.final_plan, name="final_plan"),
    path("final/history/", views.final_list, name="final_list"),
    path("quarantines/", views.quarantine_board, name="quarantines"),
    path("quarantines/<int:pk>/decide/", views.quarantine_decide_view, name="quarantine_decide"),
    path("lab/", views.lab_tests, name="lab"),
    path("lab/record/", views.lab_record, name="lab_record"),
]
