// copytrace pages: passages linked and scrolled together, a zoomable site network, sortable tables.
// Plain script, no network access, no inline handlers (the pages forbid inline scripts).
(function () {
  "use strict";

  // --- pair pages: click a passage to find it on the other side; scroll both sides together ---
  var texts = { a: document.getElementById("text-a"), b: document.getElementById("text-b") };
  if (texts.a && texts.b) {
    var other = { a: "b", b: "a" };
    var together = document.getElementById("together");
    var lock = 0;

    var firstPiece = function (side, n) { return texts[side].querySelector('[data-p="' + n + '"]'); };
    var offsetIn = function (el, box) { return el.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop; };

    var highlight = function (n) {
      document.querySelectorAll(".p.active").forEach(function (el) { el.classList.remove("active"); });
      document.querySelectorAll('.p[data-p="' + n + '"]').forEach(function (el) { el.classList.add("active"); });
    };

    // Show passage n on both sides, at the same height as it stands on `side` (or near the top).
    var align = function (side, n, keepHeight) {
      var here = firstPiece(side, n), there = firstPiece(other[side], n);
      if (!here || !there) { return; }
      var box = texts[side], box2 = texts[other[side]];
      var height = keepHeight ? offsetIn(here, box) - box.scrollTop : 40;
      lock = 2;
      if (!keepHeight) { box.scrollTop = offsetIn(here, box) - height; }
      box2.scrollTop = offsetIn(there, box2) - height;
    };

    ["a", "b"].forEach(function (side) {
      texts[side].addEventListener("click", function (event) {
        var piece = event.target.closest("[data-p]");
        if (!piece) { return; }
        highlight(piece.dataset.p);
        align(side, piece.dataset.p, true);
      });
      texts[side].addEventListener("scroll", function () {
        if (lock > 0) { lock -= 1; return; }
        if (together && !together.checked) { return; }
        // The passage piece nearest the top of this side leads; the other side follows it.
        var box = texts[side], top = box.scrollTop, best = null, bestGap = Infinity;
        box.querySelectorAll("[data-p][id]").forEach(function (el) {
          var gap = Math.abs(offsetIn(el, box) - top - 40);
          if (gap < bestGap) { best = el; bestGap = gap; }
        });
        if (!best) { return; }
        var there = firstPiece(other[side], best.dataset.p);
        if (!there) { return; }
        var box2 = texts[other[side]];
        var target = offsetIn(there, box2) - (offsetIn(best, box) - top);
        if (Math.abs(box2.scrollTop - target) > 2) { lock = 1; box2.scrollTop = target; }
      }, { passive: true });
    });

    document.querySelectorAll("[data-goto]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (!firstPiece("a", link.dataset.goto)) { return; }  // on another page: follow the link
        event.preventDefault();
        highlight(link.dataset.goto);
        align("a", link.dataset.goto, false);
      });
    });
    if (location.hash) {
      var m = /^#([ab])-p(\d+)$/.exec(location.hash);
      if (m) { highlight(m[2]); align(m[1], m[2], false); }
    }
  }

  // --- the site network: wheel zoom, drag to pan, hover lights a site's links ---
  var svg = document.getElementById("network");
  if (svg) {
    var box = svg.viewBox.baseVal, start = null;
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var r = svg.getBoundingClientRect();
      var fx = (event.clientX - r.left) / r.width, fy = (event.clientY - r.top) / r.height;
      var k = event.deltaY > 0 ? 1.15 : 1 / 1.15;
      var w = box.width * k, h = box.height * k;
      box.x += (box.width - w) * fx; box.y += (box.height - h) * fy; box.width = w; box.height = h;
    }, { passive: false });
    svg.addEventListener("mousedown", function (event) { start = { x: event.clientX, y: event.clientY, bx: box.x, by: box.y }; });
    window.addEventListener("mouseup", function () { start = null; });
    window.addEventListener("mousemove", function (event) {
      if (!start) { return; }
      var r = svg.getBoundingClientRect();
      box.x = start.bx - (event.clientX - start.x) * box.width / r.width;
      box.y = start.by - (event.clientY - start.y) * box.height / r.height;
    });
    svg.querySelectorAll("a[data-i]").forEach(function (node) {
      var i = node.dataset.i;
      node.addEventListener("mouseenter", function () {
        svg.classList.add("dim");
        node.classList.add("lit");
        svg.querySelectorAll('path[data-s="' + i + '"], path[data-t="' + i + '"]').forEach(function (line) {
          line.classList.add("lit");
          var j = line.dataset.s === i ? line.dataset.t : line.dataset.s;
          var peer = svg.querySelector('a[data-i="' + j + '"]');
          if (peer) { peer.classList.add("lit"); }
        });
      });
      node.addEventListener("mouseleave", function () {
        svg.classList.remove("dim");
        svg.querySelectorAll(".lit").forEach(function (el) { el.classList.remove("lit"); });
      });
    });
  }

  // --- sortable tables: click a header ---
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, column) {
      var descending = true;
      th.addEventListener("click", function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var value = function (row) {
          var text = row.cells[column].textContent.trim(), n = parseFloat(text.replace(/,/g, ""));
          return isNaN(n) ? text : n;
        };
        rows.sort(function (x, y) {
          var a = value(x), b = value(y);
          var order = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
          return descending ? -order : order;
        });
        descending = !descending;
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
