/* Overview charts (ECharts, vendored): every datum that has a URL opens the list it counts. */
(function () {
  "use strict";
  var root = document.querySelector(".cockpit");
  var source = document.getElementById("cockpit-data");
  if (!root || !source || !window.echarts) return;
  var dark = root.dataset.theme === "dark";
  // The home page's cards have a fixed height (like the wall screen): long bar lists show their first rows.
  var compact = dark || !!root.closest(".home-overview");
  var renderer = root.dataset.renderer || "canvas";
  var palette = ["#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#e53935", "#00897b", "#3949ab", "#f4511e", "#6d4c41", "#c0ca33", "#546e7a", "#d81b60"];
  var charts = {};

  function axisText() { return { color: dark ? "#cfd8dc" : "#425466", fontSize: 12 }; }

  function withUnit(unit) {
    return function (v) { return v == null ? "—" : v + (unit ? " " + unit : ""); };
  }

  function option(c) {
    var printing = renderer === "svg";
    var base = {
      color: palette,
      backgroundColor: "transparent",
      textStyle: { fontFamily: "inherit" },
      tooltip: { trigger: c.kind === "pie" ? "item" : "axis", axisPointer: { type: "shadow" }, confine: true, valueFormatter: withUnit(c.unit) },
      animation: !printing,
    };
    var multi = c.series.length > 1;
    if (multi) base.legend = { top: 0, type: printing ? "plain" : "scroll", textStyle: axisText() };
    if (c.kind === "pie") {
      var s = c.series[0];
      base.legend = { type: printing ? "plain" : "scroll", orient: "horizontal", bottom: 0, textStyle: axisText() };
      base.series = [{
        type: "pie", radius: ["38%", "66%"], center: ["50%", "44%"], avoidLabelOverlap: true,
        label: { formatter: "{b}\n{c} " + (c.unit || ""), color: dark ? "#eceff1" : "#333" },
        data: c.categories.map(function (name, i) { return { name: name, value: s.data[i].value }; }),
      }];
      return base;
    }
    var horizontal = c.kind === "hbar";
    // The wall screen and the home page have a fixed height per chart: show the first rows (sorted worst
    // first by the server; the list behind the card has them all).
    var limit = compact && horizontal ? (dark ? 10 : 8) : 0;
    if (limit && c.categories.length > limit) {
      c = Object.assign({}, c, {
        categories: c.categories.slice(0, limit),
        series: c.series.map(function (s) { return Object.assign({}, s, { data: s.data.slice(0, limit) }); }),
      });
      base.title = { text: "前 " + limit + " 项", right: 4, bottom: 0, textStyle: { fontSize: 11, fontWeight: "normal", color: "#78909c" } };
    }
    var cat = { type: "category", data: c.categories, axisLabel: Object.assign(axisText(), { interval: 0, width: horizontal ? 130 : 70, overflow: "truncate" }) };
    // The unit is in the card's heading ("单位：家"), the tooltip and the pie labels.
    var val = { type: "value", minInterval: 1, axisLabel: axisText(), splitLine: { lineStyle: { color: dark ? "#37474f" : "#eef1f4" } } };
    if (horizontal) { cat.inverse = true; base.xAxis = val; base.yAxis = cat; }
    else { base.xAxis = cat; base.yAxis = val; if (c.categories.length > 6) cat.axisLabel.rotate = 30; }
    base.grid = { left: 8, right: horizontal ? 28 : 16, top: multi ? 34 : 14, bottom: limit ? 18 : 8, containLabel: true };
    base.series = c.series.map(function (s) {
      return {
        name: s.name, type: "bar", stack: s.stack || undefined, barMaxWidth: 26,
        itemStyle: s.colour ? { color: s.colour } : undefined,
        label: { show: !multi, position: horizontal ? "right" : "top", color: dark ? "#eceff1" : "#425466", formatter: "{c}" },
        data: s.data.map(function (d) { return d.colour ? { value: d.value, itemStyle: { color: d.colour } } : d.value; }),
      };
    });
    return base;
  }

  function render(data) {
    data.charts.forEach(function (c) {
      var el = root.querySelector('[data-chart="' + c.key + '"]');
      if (!el) return;
      var chart = charts[c.key];
      // A horizontal bar chart grows with its rows (units, industries) so that every name stays readable.
      if (c.kind === "hbar" && !compact && !chart) {
        el.style.height = Math.max(200, 70 + c.categories.length * (renderer === "svg" ? 17 : 22)) + "px";
      }
      if (!chart) {
        chart = echarts.init(el, dark ? "dark" : null, { renderer: renderer });
        charts[c.key] = chart;
        chart.on("click", function (p) {
          var cur = chart._anjianSpec;
          var s = cur.series[p.seriesIndex] || cur.series[0];
          var d = s && s.data[p.dataIndex];
          if (d && d.url) window.location.href = d.url;
        });
      }
      chart._anjianSpec = c;
      chart.setOption(option(c), true);
    });
    data.stats.forEach(function (s, i) {
      var el = root.querySelector('[data-stat="' + i + '"] .num-value');
      if (el) el.textContent = s.value;
    });
    var asof = document.getElementById("cockpit-asof");
    if (asof) asof.textContent = data.as_of;
    root.dataset.rendered = String(Number(root.dataset.rendered || 0) + 1);
  }

  render(JSON.parse(source.textContent));
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });

  var refresh = Number(document.body.dataset.refresh || 0);
  var url = document.body.dataset.source;
  if (refresh > 0 && url) {
    setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) render(data); })
        .catch(function () {});
    }, refresh * 1000);
  }
})();
