from django.urls import path

from anjian.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.SchemeListView.as_view(), name="scheme_list"),
    path("<int:pk>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("<int:pk>/edit/", views.SchemeEditView.as_view(), name="scheme_edit"),
    path("<int:pk>/run/", views.SchemeRunView.as_view(), name="scheme_run"),
    path("<int:pk>/finalise/", views.SchemeFinaliseView.as_view(), name="scheme_finalise"),
    path("<int:pk>/rules/add/", views.RuleAddView.as_view(), name="rule_add"),
    path("rules/<int:pk>/edit/", views.RuleEditView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/remove/", views.RuleRemoveView.as_view(), name="rule_remove"),
    path("<int:pk>/vetoes/add/", views.VetoRuleAddView.as_view(), name="veto_add"),
    path("vetoes/<int:pk>/edit/", views.VetoRuleEditView.as_view(), name="veto_edit"),
    path("vetoes/<int:pk>/remove/", views.VetoRuleRemoveView.as_view(), name="veto_remove"),
    path("<int:pk>/adjustments/add/", views.AdjustmentAddView.as_view(), name="adjustment_add"),
    path("adjustments/<int:pk>/remove/", views.AdjustmentRemoveView.as_view(), name="adjustment_remove"),
    path("events/", views.VetoEventListView.as_view(), name="event_list"),
    path("events/<int:pk>/remove/", views.VetoEventRemoveView.as_view(), name="event_remove"),
    path("results/<int:pk>/", views.ResultDetailView.as_view(), name="result_detail"),
]
