// Draws the dashboard's charts from the JSON the page carries; the tables
// above each chart hold the same figures for readers without JavaScript.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  var daily = document.getElementById("daily-chart");
  if (daily) {
    new Chart(daily, {
      type: "line",
      data: {
        labels: data.daily.map(function (d) { return d.day; }),
        datasets: [
          { label: "Verifications", data: data.daily.map(function (d) { return d.total; }), borderColor: "#417690" },
          { label: "Approved", data: data.daily.map(function (d) { return d.approved; }), borderColor: "#2e7d32" }
        ]
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  var deliveries = document.getElementById("delivery-chart");
  if (deliveries) {
    var statuses = Array.from(new Set(data.deliveries.map(function (d) { return d.status; })));
    var channels = Array.from(new Set(data.deliveries.map(function (d) { return d.channel; })));
    var palette = ["#2e7d32", "#417690", "#f9a825", "#c62828", "#6a1b9a", "#00838f", "#8d6e63", "#546e7a"];
    new Chart(deliveries, {
      type: "bar",
      data: {
        labels: channels,
        datasets: statuses.map(function (status, i) {
          return {
            label: status,
            backgroundColor: palette[i % palette.length],
            data: channels.map(function (channel) {
              var row = data.deliveries.find(function (d) { return d.channel === channel && d.status === status; });
              return row ? row.n : 0;
            })
          };
        })
      },
      options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
})();
