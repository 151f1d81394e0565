"use strict";
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings-table tbody tr"));
  var count = document.getElementById("f-count");
  var resp = document.getElementById("f-resp");
  var cat = document.getElementById("f-cat");
  var query = document.getElementById("f-q");
  var suppressed = document.getElementById("f-suppressed");
  var form = document.getElementById("filters");

  function apply() {
    var sev = {};
    document.querySelectorAll("input[name=sev]").forEach(function (box) { sev[box.value] = box.checked; });
    var q = query.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = sev[row.dataset.severity] &&
        (!resp.value || row.dataset.responsibility === resp.value) &&
        (!cat.value || row.dataset.category === cat.value) &&
        (suppressed.checked || row.dataset.suppressed !== "yes") &&
        (!q || row.textContent.toLowerCase().indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = String(shown);
    document.querySelectorAll("button.pick").forEach(function (button) {
      var select = button.dataset.filter === "responsibility" ? resp : cat;
      button.classList.toggle("active", select.value === button.dataset.value);
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    document.getElementById("f-reset").addEventListener("click", function () {
      form.reset();
      apply();
    });
    document.querySelectorAll("button.pick").forEach(function (button) {
      button.addEventListener("click", function () {
        var select = button.dataset.filter === "responsibility" ? resp : cat;
        select.value = select.value === button.dataset.value ? "" : button.dataset.value;
        apply();
        document.getElementById("findings").scrollIntoView();
      });
    });
    apply();
  }

  var graph = document.getElementById("graph");
  var selected = null;
  function focus(id) {
    if (!graph) { return; }
    selected = selected === id ? null : id;
    graph.classList.toggle("focus", selected !== null);
    graph.querySelectorAll("[data-paths]").forEach(function (el) {
      var on = selected !== null && el.getAttribute("data-paths").split(" ").indexOf(selected) !== -1;
      el.classList.toggle("on", on);
    });
    document.querySelectorAll("li.path").forEach(function (li) {
      li.classList.toggle("selected", li.dataset.pathId === selected);
    });
  }
  document.querySelectorAll("li.path").forEach(function (li) {
    li.addEventListener("click", function () { focus(li.dataset.pathId); });
    li.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); focus(li.dataset.pathId); }
    });
  });
}());
