"""Lab tests and article compliance (DOMAIN.md "Quality lab tests")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_has_role, user_is_supervisor_of
from erp.common.errors import ApplicationError
from erp.common.factory_settings import get_setting

from .models import LabTest

REQUIRED_TESTS = [t.value for t in LabTest.Test]


def evaluate(measurements: dict) -> str | None:
    """PASS / FAIL / INCONCLUSIVE from ``{"value", "limit", "uncertainty", "limit_kind"}``
    (limit_kind "max": value must stay ≤ limit, e.g. burn rate; "min": value must reach the
    limit, e.g. a seam holding 70 N). A value within the uncertainty of the limit is
    inconclusive, not a pass. None when the measurements do not say."""
    try:
        value = Decimal(str(measurements["value"]))
        limit = Decimal(str(measurements["limit"]))
        uncertainty = abs(Decimal(str(measurements.get("uncertainty", 0))))
        kind = measurements.get("limit_kind", "max")
    except (KeyError, InvalidOperation, TypeError):
        return None
    if abs(value - limit) <= uncertainty:
        return LabTest.Result.INCONCLUSIVE
    ok = value < limit if kind == "max" else value > limit
    return LabTest.Result.PASS if ok else LabTest.Result.FAIL


def lab_test_record(
    *, article, test: str, result: str, user, measurements=None, tested_at: datetime | None = None
) -> LabTest:
    # The QC manager is a qc_inspector who supervises QUALITY (a manager supervises every
    # department but only reads lab results).
    if not (
        user_has_role(user, "qc_lab")
        or (user_has_role(user, "qc_inspector") and user_is_supervisor_of(user, "QUALITY"))
    ):
        raise ApplicationError(
            "permission_denied", _("Lab results are recorded by the lab or the QC lead."),
            status=403,
        )  # fmt: skip
    measurements = measurements or {}
    evaluated = evaluate(measurements)
    if evaluated is not None and evaluated != result:
        raise ApplicationError(
            "invalid",
            _("The measurements say %(evaluated)s, not %(result)s (a value within the "
              "measurement uncertainty of the limit is inconclusive).")
            % {"evaluated": evaluated, "result": result},
            fields={"result": [evaluated]},
            status=400,
        )  # fmt: skip
    tested_at = tested_at or timezone.now()
    if tested_at > timezone.now():
        raise ApplicationError(
            "invalid", _("A test cannot be dated in the future."),
            fields={"tested_at": [_("Not in the future.")]}, status=400,
        )  # fmt: skip
    return LabTest.objects.create(
        article=article, test=test, result=result, measurements=measurements,
        tested_at=tested_at, user=user,
    )  # fmt: skip


@dataclass(frozen=True)
class Compliance:
    valid: bool
    missing: list[str]
    expires_at: datetime | None

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "missing": self.missing,
            "expires_at": timezone.localtime(self.expires_at).isoformat()
            if self.expires_at
            else None,
        }


def compliance_many(articles, *, at: datetime | None = None) -> dict[int, Compliance]:
    """Compliance of many articles in one query: valid when every required test's latest result
    (up to ``at``) is PASS and younger than ``lab_test_validity_months``; ``missing`` names the
    others; ``expires_at`` is the first expiry among the passes."""
    from django.db.models import OuterRef, Subquery

    at = at or timezone.now()
    months = int(get_setting("lab_test_validity_months"))
    ids = [a.pk for a in articles]
    newest = LabTest.objects.filter(
        article=OuterRef("article"), test=OuterRef("test"), tested_at__lte=at
    ).order_by("-tested_at", "-id")
    latest: dict[tuple[int, str], LabTest] = {
        (lab.article_id, lab.test): lab
        for lab in LabTest.objects.filter(article_id__in=ids, tested_at__lte=at)
        .filter(pk=Subquery(newest.values("pk")[:1]))
        .only("pk", "article_id", "test", "result", "tested_at")
    }
    answer = {}
    for article_id in ids:
        missing, expiries = [], []
        for test in REQUIRED_TESTS:
            lab = latest.get((article_id, test))
            expires = lab.tested_at + relativedelta(months=months) if lab else None
            if lab is None or lab.result != LabTest.Result.PASS or expires <= at:
                missing.append(test)
            else:
                expiries.append(expires)
        answer[article_id] = Compliance(not missing, missing, min(expiries) if expiries else None)
    return answer


def article_compliance(article, *, at: datetime | None = None) -> Compliance:
    """The compliance status of one article (``GET /api/v1/articles/{code}/compliance/``)."""
    return compliance_many([article], at=at)[article.pk]
