"""Who approves what: managers, their delegates, the fallback approvers."""
from app.directory import Directory, Employee

directory = Directory()


def find_employee(employee_id):
    return Employee.query.filter_by(id=employee_id, active=True).first()


def delegate_of(employee):
    delegation = employee.current_delegation
    if delegation is None:
        return None
    return delegation.delegate


def manager_email(employee):
    if employee.is_contractor:
        return None
    manager = employee.manager
    return manager.email


def approver_emails(employee):
    emails = []
    primary = manager_email(employee)
    if primary:
        emails.append(primary)
    delegate = delegate_of(employee)
    if delegate is not None:
        emails.append(delegate.email)
    return emails or [directory.fallback_approver]
