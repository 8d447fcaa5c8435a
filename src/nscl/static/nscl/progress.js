// Polls a background job's status and moves its progress bar; reloads the page when it ends.
(function () {
  var box = document.getElementById("job-status");
  if (!box || box.dataset.active !== "1") return;
  function tick() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      var fill = document.getElementById("progress-fill");
      fill.style.width = Math.round(100 * s.progress) + "%";
      if (s.status === "done") { fill.classList.remove("s-on_track"); fill.classList.add("s-met"); }
      document.getElementById("status-label").textContent = s.label;
      // the status reads once: no note beside a finished job's label
      var active = s.status === "queued" || s.status === "running";
      document.getElementById("status-note").textContent = active && s.note !== s.label ? s.note : "";
      if (active) { setTimeout(tick, 1500); } else { window.location.reload(); }
    }).catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
