"""Every domain's tables in one import, so Alembic and the test fixtures see
the whole schema."""
from hub.cameras.models import Camera, CameraCredential, CameraLocation, CameraProblem, HeardHours  # noqa: F401
from hub.identity.models import (ApiToken, Organisation, RecoveryCode, TrainingAcknowledgement,  # noqa: F401
                                 User, WrittenAuthorisation)
from hub.ledger.models import (LedgerCheckpoint, LedgerCheckpointKept, LedgerCosignature,  # noqa: F401
                               LedgerEntry, LedgerEntryCamera, LedgerPrivateDetail, LedgerState, LedgerTreeNode,
                               LedgerWitness, LedgerWitnessedLog)
from hub.alerts.models import Alert, WebhookDelivery  # noqa: F401
from hub.grants.models import (AccessRequest, AuthorizationCode, ClientToken, Grant, OAuthClient,  # noqa: F401
                               OAuthToken)
from hub.data_requests.models import (DataRequest, DecisionWebhook, FederationPeer, PackageDownload,  # noqa: F401
                                      ReceivedRelease)
from hub.hotlists.models import HotlistEntry, HotlistImport, HotlistVersion  # noqa: F401
from hub.notifications.models import Notification  # noqa: F401
from hub.ratelimit.models import FailureWindow, RateLimitCounter  # noqa: F401
from hub.reads.models import Read  # noqa: F401
from hub.keys.models import DataKey  # noqa: F401
from hub.retention.models import (Hold, HoldCamera, HoldPlateHash, ImageTombstone, PurgeCount,  # noqa: F401
                                  PurgeRun, ReadsCollected)
from hub.safe_at_home.models import SafeAtHomeRequest  # noqa: F401
from hub.scheduler.models import JobRun  # noqa: F401
from hub.settings.models import Setting  # noqa: F401
from hub.transparency.models import LogOfUseDay, PublicSearch, UsageFigure  # noqa: F401
from hub.suspension.models import SuspensionOrder  # noqa: F401
from hub.audit.models import AuditReport, AuditReportFile, AuditReportSending  # noqa: F401
from partners.models import Departure, PartnerInvitation, TermsAcceptance  # noqa: F401
