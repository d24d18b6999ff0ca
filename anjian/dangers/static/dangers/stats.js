/* 隐患统计: the monthly trend chart, from the json_script block "trend-data". */
window.addEventListener("load", function () {
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  if (!window.echarts) return;
  var chart = echarts.init(document.getElementById("trend"));
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {data: ["发现", "销号", "重大", "任务完成率"]},
    grid: {left: 40, right: 40, bottom: 30, top: 40},
    xAxis: {type: "category", data: data.map(function (d) { return d.month; })},
    yAxis: [{type: "value", name: "项"}, {type: "value", name: "%", max: 100}],
    series: [
      {name: "发现", type: "bar", data: data.map(function (d) { return d.found; })},
      {name: "销号", type: "bar", data: data.map(function (d) { return d.closed; })},
      {name: "重大", type: "line", data: data.map(function (d) { return d.major; })},
      {name: "任务完成率", type: "line", yAxisIndex: 1, data: data.map(function (d) { return d.completion; })}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
