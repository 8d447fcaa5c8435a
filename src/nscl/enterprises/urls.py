from django.urls import path

from . import views, views_dossiers, views_import

urlpatterns = [
    path("", views.enterprise_list, name="enterprise_list"),
    path("mine/", views.my_enterprise, name="enterprise_mine"),
    path("new/", views.enterprise_create, name="enterprise_create"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("<int:pk>/figures/", views.figures_save, name="enterprise_figures"),
    path("<int:pk>/figures/reopen/", views.period_reopen, name="enterprise_period_reopen"),
    path("<int:pk>/industries/", views.industry_add, name="enterprise_industry_add"),
    path("<int:pk>/industries/<int:industry_pk>/remove/", views.industry_remove, name="enterprise_industry_remove"),
    path("<int:pk>/contacts/", views.contact_add, name="enterprise_contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/remove/", views.contact_remove, name="enterprise_contact_remove"),
    path("<int:pk>/certificates/", views.certificate_add, name="enterprise_certificate_add"),
    path("<int:pk>/productivity.svg", views.productivity_chart, name="enterprise_chart"),
    path("<int:pk>/apply/", views_dossiers.dossier_apply, name="dossier_apply"),
    path("dossiers/", views_dossiers.dossier_list, name="dossier_list"),
    path("dossiers/<int:pk>/", views_dossiers.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/transition/", views_dossiers.dossier_transition, name="dossier_transition"),
    path("dossiers/<int:pk>/attachments/", views_dossiers.attachment_add, name="dossier_attachment_add"),
    path("attachments/<int:pk>/", views_dossiers.attachment_download, name="dossier_attachment"),
    path("duties/", views.duty_completeness, name="duty_completeness"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("import/", views_import.import_page, name="enterprise_import"),
    path("import/template.xlsx", views_import.import_template, name="enterprise_import_template"),
    path("import/<int:pk>/", views_import.import_job, name="enterprise_import_job"),
    path("import/<int:pk>/status.json", views_import.import_job_status, name="enterprise_import_status"),
    path("import/<int:pk>/report.xlsx", views_import.import_report, name="enterprise_import_report"),
]
