/* motcua staff console: the conversation page updates itself and sends without a reload.
   Progressive enhancement only: without this file the page works with its forms and a reload. */
(function () {
  "use strict";
  var box = document.getElementById("conversation");
  if (!box) { return; }
  var list = document.getElementById("lines");
  var after = parseInt(box.getAttribute("data-after"), 10) || 0;
  var form = document.getElementById("send-form");
  var title = document.title;
  var unseen = 0;  // citizen lines that arrived while the tab was in the background
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { unseen = 0; document.title = title; }
  });

  function add(line) {
    if (line.id <= after) { return; }
    after = line.id;
    var empty = document.getElementById("no-lines");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "line " + line.sender;
    li.setAttribute("data-id", String(line.id));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = line.who;
    var at = document.createElement("span");
    at.className = "at";
    at.textContent = line.at;
    li.appendChild(who);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(at);
    if (line.photo) {
      var link = document.createElement("a");
      link.href = line.photo;
      var img = document.createElement("img");
      img.src = line.photo;
      img.alt = line.photo_alt;
      img.loading = "lazy";
      link.appendChild(img);
      li.appendChild(link);
    }
    if (line.text) {
      var p = document.createElement("p");
      p.textContent = line.text;
      li.appendChild(p);
    }
    list.appendChild(li);
    li.scrollIntoView({block: "nearest"});
    if (document.hidden && line.sender === "citizen") {
      unseen += 1;
      document.title = "(" + unseen + ") " + title;
    }
  }

  function ended(label) {
    document.getElementById("conv-status").textContent = label;
    if (form) {
      form.querySelectorAll("textarea, button").forEach(function (el) { el.disabled = true; });
      var note = document.getElementById("send-error");
      note.textContent = box.getAttribute("data-ended");
      note.hidden = false;
    }
  }

  function poll() {
    fetch(box.getAttribute("data-poll") + "?after=" + after, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.messages.forEach(add);
        document.getElementById("conv-status").textContent = data.status_label;
        if (data.status === "ended") { ended(data.status_label); return; }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = document.getElementById("send-text");
      var button = document.getElementById("send-button");
      var error = document.getElementById("send-error");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {"X-CSRF-Token": box.getAttribute("data-csrf"), Accept: "application/json"},
        body: new URLSearchParams({text: text.value})
      }).then(function (r) { return r.json(); }).then(function (data) {
        button.disabled = false;
        if (data.ok) {
          text.value = "";
          error.hidden = true;
          add(data.message);
        } else {
          error.textContent = data.error;
          error.hidden = false;
        }
      }).catch(function () {
        button.disabled = false;
        error.textContent = box.getAttribute("data-failed");
        error.hidden = false;
      });
    });
  }
})();
