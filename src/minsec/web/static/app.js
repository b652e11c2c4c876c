/* minsec pages: draw every chart block with Plotly, follow jobs, submit the selectors.
   Loaded from this server only (the Content-Security-Policy forbids inline scripts). */
"use strict";
(function () {
  var CONFIG = {responsive: true, displaylogo: false, topojsonURL: "/static/"};

  function drawCharts() {
    var blocks = document.querySelectorAll('script.chart[type="application/json"]');
    var drawn = [];
    blocks.forEach(function (block) {
      var target = document.getElementById(block.dataset.target);
      var figure = JSON.parse(block.textContent);
      var config = Object.assign({}, CONFIG, figure.config || {});
      drawn.push(Plotly.newPlot(target, figure.data || [], figure.layout || {}, config));
    });
    return Promise.all(drawn);
  }

  function autosubmit() {
    document.querySelectorAll("#importer, select.autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }

  function followJob() {
    var box = document.querySelector("[data-job]");
    if (!box) { return; }
    var bar = document.getElementById("job-progress");
    var label = document.getElementById("job-status");
    function tick() {
      fetch("/jobs/" + box.dataset.job + ".json", {credentials: "same-origin",
                                                   headers: {Accept: "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (state) {
          bar.value = state.progress;
          label.textContent = state.status + " " + Math.round(100 * state.progress) + "%";
          if (state.status === "done" || state.status === "failed") {
            window.location.reload();
          } else {
            setTimeout(tick, 400);
          }
        })
        .catch(function () { setTimeout(tick, 1000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit();
    followJob();
    drawCharts().then(function () {
      document.body.dataset.chartsReady = "1";
    }, function (error) {
      document.body.dataset.chartsReady = "error";
      console.error("chart failed: " + error);
    });
  });
})();
