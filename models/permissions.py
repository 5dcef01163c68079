"""What each role may do. Services check these; the UI only hides what would be refused."""

from __future__ import annotations

from enum import StrEnum

from models.i18n import N_


class Permission(StrEnum):
    READ = "read"
    PERSON_WRITE = "person.write"
    HOUSEHOLD_WRITE = "household.write"
    REPORT_WRITE = "report.write"
    CASE_WRITE = "case.write"
    CASE_ASSIGN = "case.assign"
    CASE_CLOSE_APPROVE = "case.close_approve"
    ASSESSMENT_WRITE = "assessment.write"
    PLAN_WRITE = "plan.write"
    PLAN_APPROVE = "plan.approve"
    REFERRAL_WRITE = "referral.write"
    VISIT_WRITE = "visit.write"
    KDD_WRITE = "kdd.write"
    PRINT = "print"
    EXPORT = "export"
    IMPORT = "import"
    BACKUP = "backup"
    RESTORE = "restore"
    REFERENCE_WRITE = "reference.write"
    SETTINGS_WRITE = "settings.write"
    USERS_MANAGE = "users.manage"
    AUDIT_READ = "audit.read"


_CASE_WORK = {
    Permission.READ,
    Permission.PERSON_WRITE,
    Permission.HOUSEHOLD_WRITE,
    Permission.REPORT_WRITE,
    Permission.CASE_WRITE,
    Permission.ASSESSMENT_WRITE,
    Permission.PLAN_WRITE,
    Permission.REFERRAL_WRITE,
    Permission.VISIT_WRITE,
    Permission.PRINT,
    Permission.EXPORT,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "administrator": frozenset(Permission),
    "head": frozenset(
        _CASE_WORK
        | {
            Permission.CASE_ASSIGN,
            Permission.CASE_CLOSE_APPROVE,
            Permission.PLAN_APPROVE,
            Permission.KDD_WRITE,
            Permission.IMPORT,
            Permission.BACKUP,
            Permission.REFERENCE_WRITE,
            Permission.AUDIT_READ,
        }
    ),
    "specialist": frozenset(_CASE_WORK | {Permission.BACKUP}),
    "social_worker": frozenset(
        {
            Permission.READ,
            Permission.PERSON_WRITE,
            Permission.HOUSEHOLD_WRITE,
            Permission.ASSESSMENT_WRITE,
            Permission.VISIT_WRITE,
            Permission.PRINT,
        }
    ),
    "kdd_secretary": frozenset({Permission.READ, Permission.KDD_WRITE, Permission.PRINT}),
    "read_only": frozenset({Permission.READ}),
}

# The roles whose users may be responsible for a case (the worker of a case, the caseload).
CASE_WORK_ROLES = ("head", "specialist", "social_worker")

ROLE_LABELS = {
    "administrator": N_("Administrator"),
    "head": N_("Department head"),
    "specialist": N_("Child-protection specialist"),
    "social_worker": N_("Social worker"),
    "kdd_secretary": N_("KDD secretary"),
    "read_only": N_("Read only"),
}


PERMISSION_LABELS = {
    Permission.READ: N_("view records"),
    Permission.PERSON_WRITE: N_("register and edit children and adults"),
    Permission.HOUSEHOLD_WRITE: N_("register and edit households"),
    Permission.REPORT_WRITE: N_("register reports"),
    Permission.CASE_WRITE: N_("open and edit cases"),
    Permission.CASE_ASSIGN: N_("assign cases to workers"),
    Permission.CASE_CLOSE_APPROVE: N_("approve the closure of a case"),
    Permission.ASSESSMENT_WRITE: N_("record assessments"),
    Permission.PLAN_WRITE: N_("draw up plans"),
    Permission.PLAN_APPROVE: N_("approve plans"),
    Permission.REFERRAL_WRITE: N_("issue referrals"),
    Permission.VISIT_WRITE: N_("record visits"),
    Permission.KDD_WRITE: N_("prepare КДД meetings"),
    Permission.PRINT: N_("print documents"),
    Permission.EXPORT: N_("export data"),
    Permission.IMPORT: N_("import data"),
    Permission.BACKUP: N_("make backups"),
    Permission.RESTORE: N_("restore a backup"),
    Permission.REFERENCE_WRITE: N_("edit reference data"),
    Permission.SETTINGS_WRITE: N_("change office settings"),
    Permission.USERS_MANAGE: N_("manage user accounts"),
    Permission.AUDIT_READ: N_("read the audit log"),
}


def allows(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
