(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    var key = cell.getAttribute("data-sort");
    if (key !== null && key !== "" && !isNaN(Number(key))) { return Number(key); }
    return (key !== null ? key : cell.textContent).trim();
  }
  function sortTable(table, index, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
      if (c.hasAttribute("aria-sort")) { c.setAttribute("aria-sort", "none"); }
    });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var r = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "zh");
      return asc ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    var status = document.getElementById("sort-status");
    if (status) { status.textContent = "已按" + th.textContent.trim() + (asc ? "升序" : "降序") + "排列"; }
  }
  function filterTable(table) {
    var text = document.getElementById("filter-text");
    var level = document.getElementById("filter-level");
    var q = text ? text.value.trim().toLowerCase() : "";
    var lv = level ? level.value : "";
    var picks = Array.prototype.filter.call(document.querySelectorAll("select[data-attr]"),
                                            function (s) { return s.value !== ""; });
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&
               (!lv || row.getAttribute("data-level") === lv) &&
               picks.every(function (s) { return row.getAttribute(s.getAttribute("data-attr")) === s.value; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var count = document.getElementById("shown-count");
    if (count) { count.textContent = String(shown); }
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = th.querySelector("button.sort");
      if (button) { button.addEventListener("click", function () { sortTable(table, index, th); }); }
    });
    ["filter-text", "filter-level", "filter-certainty", "filter-cause"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.addEventListener("input", function () { filterTable(table); }); }
    });
  });
})();
