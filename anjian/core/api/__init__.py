"""API base classes: scoped, audited viewsets and the error shape (NetBox ``netbox/api/viewsets``)."""

from anjian.core.api.base import (
    AuditedModelViewSet,
    BriefModelSerializer,
    ProtectedFileField,
    ScopedPrimaryKeyRelatedField,
    ScopedReadOnlyViewSet,
)

__all__ = [
    "AuditedModelViewSet",
    "BriefModelSerializer",
    "ProtectedFileField",
    "ScopedPrimaryKeyRelatedField",
    "ScopedReadOnlyViewSet",
]
