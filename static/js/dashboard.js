/* 整改看板: draws the charts from the JSON the page carries in #dashboard-data (json_script; the CSP
   forbids inline scripts). Every bar, slice, point and cell links to the list behind it, the same link
   as the number in the table beside the chart. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  var printButton = document.querySelector("[data-action='print']");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];
  var RED = "#b71c1c";
  var FONT = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif";

  function follow(url) {
    if (url) {
      window.location.assign(url);
    }
  }

  function draw(name, option, urlOf, rows) {
    var box = document.querySelector("[data-chart='" + name + "']");
    if (!box) {
      return;
    }
    if (rows) {
      // One band per row of a category axis: long lists get a taller chart instead of cramped bars.
      box.style.height = Math.max(box.clientHeight, rows * 26 + 90) + "px";
    }
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    option.animation = !reduceMotion;
    option.textStyle = { fontFamily: FONT };
    chart.setOption(option);
    if (urlOf) {
      chart.on("click", function (params) { follow(urlOf(params)); });
    }
    charts.push(chart);
  }

  // A tooltip's content as plain text: never an HTML string built from data.
  function textNode(text) {
    var node = document.createElement("div");
    node.textContent = text;
    return node;
  }

  function empty(values) {
    return !values || values.length === 0;
  }

  // Names run long (“机关第一党支部”); horizontal bars keep them readable, lowest rank on top.
  function rankingBars(name, block, color, formatter) {
    if (empty(block.values)) {
      return;
    }
    draw(name, {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1, max: formatter ? 100 : null },
      yAxis: { type: "category", inverse: true, data: block.labels },
      series: [{
        type: "bar", data: block.values, itemStyle: { color: color }, barMaxWidth: 22,
        label: { show: true, position: "right", formatter: formatter || "{c}" }
      }]
    }, function (p) { return block.urls[p.dataIndex]; }, block.labels.length);
  }

  var lights = data.lights;
  if (lights.values.some(function (v) { return v > 0; })) {
    draw("lights", {
      tooltip: { trigger: "item", formatter: "{b}：{c} 项（{d}%）" },
      color: lights.colors,
      series: [{
        type: "pie", radius: ["45%", "75%"], avoidLabelOverlap: true,
        label: { formatter: "{c}" },
        data: lights.labels.map(function (label, i) { return { name: label, value: lights.values[i] }; })
      }]
    }, function (p) { return lights.urls[p.dataIndex]; });
  }

  rankingBars("overdue", data.overdue, "#c62828");
  rankingBars("completion", data.completion, "#2e7d32", "{c}%");

  var cat = data.categories;
  if (!empty(cat.labels)) {
    draw("categories", {
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: cat.labels },
      series: [
        { name: "问题", type: "bar", data: cat.findings, itemStyle: { color: RED }, barMaxWidth: 18 },
        { name: "未销号整改措施", type: "bar", data: cat.open, itemStyle: { color: "#f9a825" }, barMaxWidth: 18 }
      ]
    }, function (p) { return p.seriesIndex === 0 ? cat.urls[p.dataIndex] : cat.open_urls[p.dataIndex]; }, cat.labels.length * 1.5);
  }

  var heat = data.heatmap;
  if (!empty(heat.rows)) {
    draw("heatmap", {
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        // ECharts puts a returned string into the page as HTML; names are what users typed, so the
        // tooltip is a node holding them as text.
        formatter: function (p) {
          return textNode(heat.rows[p.value[1]] + " · " + heat.columns[p.value[0]] + "：" + p.value[2] + " 个问题");
        }
      },
      xAxis: { type: "category", data: heat.columns, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "category", data: heat.rows, inverse: true, splitArea: { show: true } },
      // The scale needs no legend: every cell is labelled with its count, and the table below has them all.
      visualMap: { show: false, min: 0, max: Math.max(heat.max, 1), inRange: { color: ["#fde7e7", RED] } },
      series: [{
        type: "heatmap", label: { show: true },
        data: heat.cells.map(function (c) { return [c[0], c[1], c[2]]; }),
        emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } }
      }]
    }, function (p) { return heat.cells[p.dataIndex][3]; }, heat.rows.length + 4);
  }

  var trend = data.trend;
  draw("trend", {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: trend.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "新发现问题", type: "bar", data: trend.findings, itemStyle: { color: RED }, barMaxWidth: 24 },
      { name: "销号整改措施", type: "line", data: trend.closed, itemStyle: { color: "#2e7d32" }, symbolSize: 8 }
    ]
  }, function (p) { return p.seriesIndex === 0 ? trend.finding_urls[p.dataIndex] : trend.closed_urls[p.dataIndex]; });

  var insp = data.inspections;
  if (!empty(insp.labels)) {
    draw("inspections", {
      grid: { left: 8, right: 40, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: insp.labels },
      series: [
        { name: "整改完成率", type: "bar", data: insp.completion, itemStyle: { color: "#2e7d32" }, barMaxWidth: 16 },
        { name: "时间进度（反馈至报告期限）", type: "bar", data: insp.time, itemStyle: { color: "#9e9e9e" }, barMaxWidth: 16 }
      ]
    }, function (p) { return insp.urls[p.dataIndex]; }, insp.labels.length * 2);
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("resize", resizeAll);
  // Printing changes the page width (A4): redraw at that width, then back.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) {
      print.addEventListener("change", resizeAll);
    }
  }
}());
