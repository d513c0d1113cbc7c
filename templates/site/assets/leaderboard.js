/* Leaderboard tables: a click on a column header sorts the rows by that column (numbers by value,
   empty cells last; text alphabetically); a second click reverses. Plain JavaScript, no library. */
(function () {
  "use strict";

  function setup(table) {
    var heads = table.querySelectorAll("thead th[data-sort]");
    var tbody = table.querySelector("tbody");
    Array.prototype.forEach.call(heads, function (th) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var column = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.getAttribute("data-sort") === "num";
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b) {
          var ca = a.cells[column], cb = b.cells[column];
          if (numeric) {
            var va = ca.getAttribute("data-value"), vb = cb.getAttribute("data-value");
            if (va === "" && vb === "") return 0;
            if (va === "") return 1;  // rows without the value stay at the end either way
            if (vb === "") return -1;
            return dir * (parseFloat(va) - parseFloat(vb));
          }
          return dir * ca.textContent.localeCompare(cb.textContent);
        });
        rows.forEach(function (row) { tbody.appendChild(row); });
      });
    });
    table.setAttribute("data-ready", "true");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.effdiff-sortable"), setup);
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);  // Material's instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
