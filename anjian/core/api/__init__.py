"""API base classes: scoped, audited viewsets and the error shape (NetBox ``netbox/api/viewsets``)."""

from anjian.core.api.base import (
    AllowedVerbsField,
    AuditedModelViewSet,
    BriefModelSerializer,
    ProtectedFileField,
    ScopedPrimaryKeyRelatedField,
    ScopedReadOnlyViewSet,
)

__all__ = [
    "AllowedVerbsField",
    "AuditedModelViewSet",
    "BriefModelSerializer",
    "ProtectedFileField",
    "ScopedPrimaryKeyRelatedField",
    "ScopedReadOnlyViewSet",
]
