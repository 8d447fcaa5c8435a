from django.urls import path

from . import views, views_manage

urlpatterns = [
    path("", views.practice_list, name="practice_list"),
    path("<int:pk>/", views.practice_detail, name="practice_detail"),
    path("files/<int:pk>/", views.case_file, name="practice_file"),
    path("manage/", views_manage.manage_list, name="practice_manage"),
    path("manage/new/", views_manage.case_new, name="practice_new"),
    path("manage/<int:pk>/", views_manage.manage_case, name="practice_manage_case"),
    path("manage/<int:pk>/edit/", views_manage.case_edit, name="practice_edit"),
    path("manage/<int:pk>/indicators/", views_manage.indicator_add, name="practice_indicator_add"),
    path("manage/<int:pk>/indicators/<int:indicator_pk>/delete/", views_manage.indicator_delete,
         name="practice_indicator_delete"),
    path("manage/<int:pk>/files/", views_manage.file_add, name="practice_file_add"),
    path("manage/<int:pk>/files/<int:file_pk>/", views_manage.file_change, name="practice_file_change"),
    path("manage/<int:pk>/publish/", views_manage.case_publish, name="practice_publish"),
    path("manage/<int:pk>/consent/", views_manage.case_consent, name="practice_consent"),
]
