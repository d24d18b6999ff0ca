from rest_framework.routers import SimpleRouter

from anjian.people.api import views

router = SimpleRouter()
router.register("people/persons", views.PersonViewSet)
router.register("people/certificates", views.CertificateViewSet)
router.register("people/trainings", views.TrainingRecordViewSet)
urlpatterns = router.urls
