/* Point detail: the trend chart of the 1-minute rollups with the alarm thresholds as dashed lines. */
window.addEventListener("load", function () {
  var el = document.getElementById("trend"), chart = echarts.init(el), sel = document.getElementById("hours");
  function load() {
    fetch(el.dataset.url + "?hours=" + sel.value, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("trend-empty").hidden = d.series.length > 0;
      var t = d.thresholds, lines = [];
      [["hh", "高高报", "#c0392b"], ["h", "高报", "#e67e22"], ["l", "低报", "#e67e22"], ["ll", "低低报", "#c0392b"]].forEach(function (x) {
        if (t[x[0]] !== null) lines.push({yAxis: t[x[0]], name: x[1], lineStyle: {color: x[2], type: "dashed"}, label: {formatter: x[1] + " {c}"}});
      });
      chart.setOption({
        tooltip: {trigger: "axis"}, grid: {left: 50, right: 20, top: 20, bottom: 40},
        xAxis: {type: "time"},
        yAxis: {type: "value", name: d.unit, scale: true,
          max: function (v) { return Math.max(v.max, t.h === null ? v.max : t.h * 1.05); },
          min: function (v) { return Math.min(v.min, t.l === null ? v.min : t.l * 0.95); }},
        series: [
          {name: "平均", type: "line", showSymbol: false, data: d.series.map(function (r) { return [r[0], r[3]]; }), markLine: {symbol: "none", data: lines}},
          {name: "最大", type: "line", showSymbol: false, lineStyle: {opacity: 0.3}, data: d.series.map(function (r) { return [r[0], r[2]]; })},
          {name: "最小", type: "line", showSymbol: false, lineStyle: {opacity: 0.3}, data: d.series.map(function (r) { return [r[0], r[1]]; })}
        ]
      }, true);
    });
  }
  sel.addEventListener("change", load); load(); window.addEventListener("resize", function () { chart.resize(); });
});
