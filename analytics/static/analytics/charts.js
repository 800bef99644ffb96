/* Draws the analytics charts from the JSON the page embeds (#analytics-charts): one canvas per
   chart, found by data-chart-key. The same numbers are in the table under each chart and in its
   CSV/XLSX export. No CDN: Chart.js comes from npm via static files. */
(function () {
  "use strict";
  var source = document.getElementById("analytics-charts");
  if (!source || typeof Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent);

  function dataset(chart, s) {
    var line = (s.type || chart.type) === "line";
    var d = {
      label: s.label,
      data: s.values,
      borderColor: s.color,
      backgroundColor: line ? s.color : s.color + "cc",
      yAxisID: s.axis === "y2" ? "y2" : "y",
      borderWidth: line ? 2 : 1
    };
    if (s.type) { d.type = s.type; }
    if (s.stack) { d.stack = s.stack; }
    if (s.dashed) { d.borderDash = [6, 4]; d.pointRadius = 0; d.borderWidth = 1.5; }
    if (line && !s.dashed) { d.tension = 0; d.pointRadius = 3; }
    if (s.point_colors) {
      d.pointBackgroundColor = s.point_colors;
      d.pointBorderColor = s.point_colors;
      d.pointStyle = s.point_styles || "circle";
      d.pointRadius = s.point_styles ? s.point_styles.map(function (p) { return p === "circle" ? 3 : 7; }) : 3;
      d.showLine = true;
      d.borderColor = "#0d6efd88";
    }
    if (chart.key === "spc" && s.key !== "weight") { d.fill = false; d.pointRadius = 0; }
    return d;
  }

  charts.forEach(function (chart) {
    var canvas = document.querySelector('canvas[data-chart-key="' + chart.key + '"]');
    if (!canvas) { return; }
    var scales = {
      x: { stacked: chart.stacked, ticks: { autoSkip: true, maxRotation: 60 } },
      y: {
        stacked: chart.stacked,
        beginAtZero: chart.key !== "spc",
        title: { display: !!chart.y_label, text: chart.y_label }
      }
    };
    if (chart.percent) { scales.y.max = 100; }
    if (chart.series.some(function (s) { return s.axis === "y2"; })) {
      scales.y2 = { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                    title: { display: !!chart.y2_label, text: chart.y2_label } };
    }
    new Chart(canvas, {
      type: chart.type,
      data: { labels: chart.labels, datasets: chart.series.map(function (s) { return dataset(chart, s); }) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
