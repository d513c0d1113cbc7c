/* The All papers table: filters and sortable columns over papers.json. Plain JavaScript, no
   library, nothing loaded from another host. Rows are built once; a filter change puts the first
   page of matching rows into the table, so it stays fast with thousands of papers. */
(function () {
  "use strict";

  var PAGE = 50;  // rows laid out per filter change: the worst change, not only the median, stays well under 50 ms at 3,000 papers

  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function nodeUrl(root, id) {
    return root + "taxonomy/" + id.split(".").join("/") + "/";
  }

  function cell(row, child) {
    var td = document.createElement("td");
    if (child !== undefined) td.appendChild(child);
    row.appendChild(td);
    return td;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function buildRows(root, data) {
    return data.papers.map(function (p) {
      var tr = document.createElement("tr");
      cell(tr, link(root + p.page, p.title));
      cell(tr).textContent = p.venue;
      cell(tr).textContent = String(p.year);
      var topics = cell(tr);
      p.categories.forEach(function (id, i) {
        if (i) topics.appendChild(document.createTextNode(" · "));
        topics.appendChild(link(nodeUrl(root, id), data.nodes[id] || id));
      });
      var code = p.links && p.links.code;
      var codeCell = cell(tr);
      if (code) {
        var a = link(code, "Code");
        a.rel = "noopener";
        codeCell.appendChild(a);
      } else {
        codeCell.textContent = "—";
      }
      var under = {};
      p.categories.forEach(function (id) {
        var parts = id.split(".");
        for (var k = 1; k <= parts.length; k++) under[parts.slice(0, k).join(".")] = true;
      });
      return {
        el: tr, title: fold(p.title), venue: p.venue, year: p.year, code: Boolean(code), under: under,
        modality: p.modality || [], venueKey: fold(p.venue),
        text: fold([p.title, (p.authors || []).join(" "), p.venue, p.label, p.id, (p.tags || []).join(" "),
                    p.arxiv || ""].join(" "))
      };
    });
  }

  function setup(box, data) {
    var root = box.getAttribute("data-root") || "";
    var form = box.querySelector("form");
    var tbody = box.querySelector("tbody");
    var counter = box.querySelector(".effdiff-count");
    var more = box.querySelector(".effdiff-more");
    var rows = buildRows(root, data);
    var total = rows.length;
    var matches = rows;
    var limit = PAGE;
    var sortKey = "year", sortDir = -1;

    // Only the first `limit` matches are in the table: laying out a table costs per row, so a
    // filter change stays fast with thousands of papers. "Show more" adds the next page.
    function render() {
      var frag = document.createDocumentFragment();
      var n = Math.min(matches.length, limit);
      for (var i = 0; i < n; i++) frag.appendChild(matches[i].el);
      tbody.replaceChildren(frag);
      var rest = matches.length - n;
      more.hidden = rest <= 0;
      more.textContent = "Show " + Math.min(PAGE, rest) + " more (" + rest + " not shown)";
      counter.textContent = (matches.length === total ? total + " papers" : matches.length + " of " + total + " papers") +
        (rest > 0 ? ", the first " + n + " shown" : "");
    }

    function sortRows() {
      rows.sort(function (a, b) {
        var x = a[sortKey], y = b[sortKey];
        if (sortKey === "venue") { x = a.venueKey; y = b.venueKey; }
        var c = (x < y ? -1 : x > y ? 1 : 0) * sortDir;
        // ties: by title, A to Z, whatever the direction
        return c || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
      });
      box.querySelectorAll("th[data-sort]").forEach(function (th) {
        th.setAttribute("aria-sort", th.getAttribute("data-sort") !== sortKey ? "none"
          : sortDir > 0 ? "ascending" : "descending");
      });
    }

    function apply() {
      var f = form.elements;
      var node = f.node.value, venue = f.venue.value, modality = f.modality.value, code = f.code.checked;
      var min = parseInt(f.year_min.value, 10), max = parseInt(f.year_max.value, 10);
      var words = fold(f.q.value).split(/\s+/).filter(Boolean);
      matches = rows.filter(function (r) {
        var ok = (!node || r.under[node] === true) && (!venue || r.venue === venue) && (!code || r.code) &&
          (!modality || r.modality.indexOf(modality) >= 0) && (isNaN(min) || r.year >= min) &&
          (isNaN(max) || r.year <= max);
        for (var w = 0; ok && w < words.length; w++) ok = r.text.indexOf(words[w]) >= 0;
        return ok;
      });
      limit = PAGE;
      render();
      return matches.length;
    }

    // start from the query string: all-papers/?node=algorithm.compression&q=quantization
    var params = new URLSearchParams(window.location.search);
    ["node", "venue", "modality", "year_min", "year_max", "q"].forEach(function (name) {
      if (params.has(name)) form.elements[name].value = params.get(name);
    });
    if (params.get("code") === "1") form.elements.code.checked = true;

    form.addEventListener("submit", function (event) { event.preventDefault(); });
    // a field one types in filters on input (as one types); a select or a check box fires input
    // and then change for one choice: it filters on change alone, once
    function typed(el) { return el.tagName === "INPUT" && el.type !== "checkbox"; }
    form.addEventListener("input", function (event) { if (typed(event.target)) apply(); });
    form.addEventListener("change", function (event) { if (!typed(event.target)) apply(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    more.addEventListener("click", function () { limit += PAGE; render(); });
    box.querySelectorAll("th[data-sort] button").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.parentNode.getAttribute("data-sort");
        sortDir = key === sortKey ? -sortDir : (key === "year" || key === "code" ? -1 : 1);
        sortKey = key;
        sortRows();
        apply();
      });
    });
    sortRows();
    apply();
    box.setAttribute("data-ready", "true");
    window.effdiffPapers = { apply: apply, rows: rows };
  }

  function init() {
    var box = document.getElementById("effdiff-papers");
    if (!box || box.getAttribute("data-loading")) return;
    box.setAttribute("data-loading", "true");
    fetch(box.getAttribute("data-src"))
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      })
      .then(function (data) { setup(box, data); })
      .catch(function (err) {
        box.querySelector(".effdiff-count").textContent = "Could not load papers.json (" + err.message + ").";
      });
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else init();
})();
