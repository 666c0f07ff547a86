from celery import shared_task

from partyreview.orglife.services import org_life_check


@shared_task
def check_org_life() -> dict:
    """The nightly check (beat: ORGLIFE_CHECK_HOUR, Beijing time). Safe to run twice: nothing is raised twice."""
    result = org_life_check()
    return {"organizations": result.organizations, "breaches": result.breaches, "created": result.created}
