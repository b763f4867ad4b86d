/* motcua staff console: the live recipient count while composing, and the progress page refreshing itself.
   Progressive enhancement only: the form and the page work without it (the page then reloads itself). */
(function () {
  "use strict";
  function getJSON(path) {
    return fetch(path, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  var compose = document.getElementById("compose");
  if (compose) {
    var live = document.getElementById("live-count");
    var show = function () {
      var picked = compose.querySelector("input[name=audience]:checked");
      if (!picked) { live.textContent = ""; return; }
      getJSON(compose.getAttribute("data-count") + "?audience=" + encodeURIComponent(picked.value))
        .then(function (data) { if (data) { live.textContent = data.label; } })
        .catch(function () { live.textContent = ""; });
    };
    compose.querySelectorAll("input[name=audience]").forEach(function (el) { el.addEventListener("change", show); });
    show();
  }

  var box = document.getElementById("progress");
  if (box && box.getAttribute("data-finished") !== "yes") {
    var poll = function () {
      getJSON(box.getAttribute("data-poll")).then(function (data) {
        if (!data) { setTimeout(poll, 5000); return; }
        ["sent", "failed", "blocked", "skipped", "cancelled", "pending"].forEach(function (state) {
          document.getElementById("count-" + state).textContent = String(data[state]);
        });
        document.getElementById("bar").className = "w" + String(Math.floor(data.percent / 5) * 5);
        document.getElementById("done-of").textContent =
          document.getElementById("done-of").textContent.replace(/\d+\/\d+ \(\d+%\)/, data.done + "/" + data.total + " (" + data.percent + "%)");
        document.getElementById("status").textContent = data.status_label;
        if (data.finished) {
          var note = document.getElementById("auto-refresh");
          if (note) { note.remove(); }
          var cancel = document.getElementById("cancel-form");
          if (cancel && (data.status === "done" || data.status === "cancelled")) { cancel.remove(); }
          if (data.status === "done" || data.status === "cancelled") { return; }
        }
        setTimeout(poll, 2000);
      }).catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 2000);
  }
})();
