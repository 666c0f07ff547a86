import socket

from django.utils import timezone

from partyreview.common.models import Heartbeat


def heartbeat_record(*, name: str = "worker") -> Heartbeat:
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()}
    )
    return beat
