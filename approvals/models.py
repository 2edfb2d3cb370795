"""Every model of online approval, imported in one place for Alembic and the shell."""

from approvals.application_models import (  # noqa: F401
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    ApplicationSequence,
    ApplicationTask,
)
from approvals.identity_models import (  # noqa: F401
    ApplicantIdentity,
    IdentityEvent,
    PhoneCode,
)
from approvals.procedure_models import (  # noqa: F401
    CorrectionRequest,
    Extension,
    IssuedDocument,
    Reminder,
    Suspension,
)
