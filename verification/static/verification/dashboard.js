// Draws the dashboard's charts from the JSON the page carries; the tables
// above each chart hold the same figures for readers without JavaScript.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels || { channel: {}, status: {} };
  var named = function (kind, value) { return labels[kind][value] || value; };

  var daily = document.getElementById("daily-chart");
  if (daily) {
    new Chart(daily, {
      type: "line",
      data: {
        labels: data.daily.map(function (d) { return d.day; }),
        datasets: [
          { label: daily.getAttribute("data-label-total") || "Verifications", data: data.daily.map(function (d) { return d.total; }), borderColor: "#417690" },
          { label: daily.getAttribute("data-label-approved") || "Approved", data: data.daily.map(function (d) { return d.approved; }), borderColor: "#2e7d32" }
        ]
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  var deliveries = document.getElementById("delivery-chart");
  if (deliveries) {
    var present = Array.from(new Set(data.deliveries.map(function (d) { return d.status; })));
    var channels = Array.from(new Set(data.deliveries.map(function (d) { return d.channel; })));
    // A colour that says what the status means: greens reached the phone, reds did not,
    // ambers rang but nobody took it, greys and blues are still on their way.
    var colours = {
      delivered: "#2e7d32", completed: "#66bb6a",
      failed: "#c62828", undelivered: "#ef5350",
      no_answer: "#f9a825", busy: "#ef6c00",
      queued: "#b0bec5", sending: "#90a4ae", sent: "#607d8b", ringing: "#4fc3f7", answered: "#0277bd"
    };
    var statuses = function (shown) {  // the legend in that order: how it went, then how far along
      var known = Object.keys(colours).filter(function (status) { return shown.indexOf(status) !== -1; });
      return known.concat(shown.filter(function (status) { return !(status in colours); }));
    };
    new Chart(deliveries, {
      type: "bar",
      data: {
        labels: channels.map(function (channel) { return named("channel", channel); }),
        datasets: statuses(present).map(function (status) {
          return {
            label: named("status", status),
            backgroundColor: colours[status] || "#9e9e9e",
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
