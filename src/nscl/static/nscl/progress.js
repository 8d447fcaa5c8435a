// Polls a background job's status and moves its progress bar; reloads the page when it ends.
(function () {
  var box = document.getElementById("job-status");
  if (!box || box.dataset.active !== "1") return;
  function tick() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      document.getElementById("progress-fill").style.width = Math.round(100 * s.progress) + "%";
      document.getElementById("status-label").textContent = s.label;
      document.getElementById("status-note").textContent = s.note;
      if (s.status === "queued" || s.status === "running") { setTimeout(tick, 1500); } else { window.location.reload(); }
    }).catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
