"""What each read is under the law, as the state pack says (Minn. Stat.
13.824 subd. 1): the agency's readers collect ALPR data, and so does a
partner's device to the extent its data are shared with a law enforcement
agency — which every read held by the agency's hub is. Each read carries its
classification from collection; a read the pack does not classify is not
stored (fail closed)."""
from __future__ import annotations

from dataclasses import dataclass

from hub import policy
from hub.identity.roles import OrganisationKind
from policies import PolicyPackError

READ_CLASSIFY = policy.declare("read.classify", {"owner_kind": ("agency", "partner")})
PARTNER_DEVICE = "partner_device"
WORDS = {"alpr_data": "ALPR data", PARTNER_DEVICE: "from a partner's device, a reader under the statute"}


@dataclass(frozen=True)
class Classification:
    labels: tuple[str, ...]
    cite: str

    @property
    def code(self) -> str:
        """As stored with each read."""
        return ",".join(self.labels)

    @property
    def words(self) -> str:
        return ", ".join(WORDS.get(label, label) for label in self.labels) + f" ({self.cite})"


def owner_kind(kind: OrganisationKind) -> str:
    return "agency" if kind is OrganisationKind.AGENCY else "partner"


def classify(kind: OrganisationKind) -> Classification:
    """The classification of reads from cameras of an owner of this kind."""
    context = {"owner_kind": owner_kind(kind)}
    decision = policy.decide(READ_CLASSIFY, context)
    labels = tuple(sorted(decision.obligations.get("classification") or ()))
    if not labels:
        raise PolicyPackError(policy.engine().state.path, "read.classify",
                              f"classifies no read of a {context['owner_kind']}'s camera")
    cites = sorted({rule.cite for rule in policy.engine().rules(READ_CLASSIFY)
                    if context["owner_kind"] in rule.when.get("owner_kind", ())})
    return Classification(labels, "; ".join(cites))


def describe(code: str) -> str:
    """A stored classification in words."""
    return ", ".join(WORDS.get(label, label) for label in code.split(",") if label)
