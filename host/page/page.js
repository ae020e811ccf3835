// The page's only script (the Content-Security-Policy allows no other):
// the search box filters the methods as one types, and Copy buttons copy
// an example call. Without it the page still works: Enter in the search
// box asks the server (?q=), and examples can be selected by hand.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("search");
  var count = document.getElementById("count");
  var methods = Array.prototype.slice.call(document.querySelectorAll("article.method"));
  // What the search sees: name, plugin, bare names, help (not the examples,
  // which all hold the server's address).
  var texts = methods.map(function (m) {
    var parts = m.querySelectorAll(".name, .plugin, .bare, .help");
    return Array.prototype.map.call(parts, function (p) { return p.textContent; }).join("\n").toLowerCase();
  });
  var total = count ? count.textContent.replace(/^\d+ of /, "") : "";

  function filter() {
    var q = box.value.trim().toLowerCase();
    var shown = 0;
    methods.forEach(function (m, i) {
      var hit = q === "" || texts[i].indexOf(q) >= 0;
      m.hidden = !hit;
      if (hit) shown++;
    });
    if (count) count.textContent = shown + " of " + total;
  }
  if (box) {
    box.addEventListener("input", filter);
    filter();
  }

  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var code = button.parentNode.querySelector("pre");
      var text = code.textContent;
      function done() {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(code); });
      } else {
        select(code); // plain http away from localhost has no clipboard API
      }
    });
  });

  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
});
