/* The book's script, on every page (_config.yml: html_js_files). A link to a collapsed section
   (<details>), such as a chapter's section of the reproduction report, opens it, and so does a link to
   anything inside one; printing opens the report's sections (not the folded code), so that the printed
   page holds every claim. An inline formula wider than its line (on a phone) scrolls inside its own box
   rather than being cut off (book.css: span.math.math-scroll). */
(function () {
  "use strict";

  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    var opened = false;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; opened = true; }
    }
    if (opened) { target.scrollIntoView(); }
  }

  function openAll() {
    document.querySelectorAll("details.claims-chapter, details.claim-more").forEach(function (node) { node.open = true; });
  }

  function scrollWideMath() {
    document.querySelectorAll(".bd-article span.math > mjx-container:not([display='true'])").forEach(function (math) {
      var line = math.parentElement.parentElement.closest("p, li, td, th, dd, dt, div");
      var wide = line && math.getBoundingClientRect().width > line.clientWidth;
      math.parentElement.classList.toggle("math-scroll", Boolean(wide));
    });
  }

  function afterMathJax() {
    if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
      window.MathJax.startup.promise.then(scrollWideMath);
    }
  }

  window.addEventListener("load", afterMathJax);
  window.addEventListener("resize", scrollWideMath);
  window.addEventListener("hashchange", reveal);
  window.addEventListener("beforeprint", openAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();
