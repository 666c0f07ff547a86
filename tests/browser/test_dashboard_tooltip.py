"""Names are text wherever the browser draws them: an organisation named like a piece of HTML shows up in
the heat map's tooltip as those characters, and no element is created from it."""

import pytest
from django.core.management import call_command

from partyreview.organizations.models import Organization

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PLANTED = '<img src="/static/x.png" id="planted"><b id="bold">办公室党支部</b>'


def test_the_heat_map_tooltip_shows_a_name_as_text(live_server, page, login):
    call_command("seed_demo", force=True)
    Organization.objects.filter(name="办公室党支部").update(name=PLANTED)
    login(page, live_server, "leader")
    page.wait_for_selector("[data-chart='heatmap'] canvas")

    # Show the tooltip of every cell in turn, as hovering would.
    shown = page.evaluate(
        """() => {
          const box = document.querySelector("[data-chart='heatmap']");
          const chart = echarts.getInstanceByDom(box);
          const cells = chart.getOption().series[0].data.length;
          const texts = [];
          for (let i = 0; i < cells; i++) {
            chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: i});
            const tip = box.querySelector("div[style*='z-index']") || box.lastElementChild;
            texts.push(tip ? tip.textContent : "");
          }
          return texts;
        }"""
    )
    assert any(PLANTED in text for text in shown), shown[:3]
    assert page.locator("#planted").count() == 0 and page.locator("#bold").count() == 0
