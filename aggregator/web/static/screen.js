// The info screen's clock and refresh. The list is re-fetched from the server every
// data-refresh seconds and swapped in only when the answer is good: when the server is briefly
// away the screen keeps the last good programme and says so, it never goes blank.
// The fetched page is our own server-rendered, escaped HTML; it is parsed with DOMParser
// (which never runs scripts) and its nodes are moved in, no innerHTML.
(function () {
  "use strict";
  var root = document.querySelector(".screen");
  if (!root) return;
  var lang = root.getAttribute("data-lang") === "en" ? "en-GB" : "nb-NO";
  var every = Math.max(2, parseInt(root.getAttribute("data-refresh"), 10) || 60) * 1000;
  var clock = document.getElementById("clock");
  var state = document.getElementById("screen-state");
  var fmt = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo" });
  function tick() { clock.textContent = fmt.format(new Date()).replace(":", lang === "nb-NO" ? "." : ":"); }
  tick();
  setInterval(tick, 1000);
  var updatedText = state.textContent.replace(/\s*\S+$/, "");
  function refresh() {
    fetch(location.href, { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("screen-list");
        if (!fresh) throw new Error("no list");
        var list = document.getElementById("screen-list");
        list.replaceChildren.apply(list, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
        list.setAttribute("data-updated", fresh.getAttribute("data-updated") || "");
        state.classList.remove("offline");
        state.textContent = updatedText + " " + fmt.format(new Date()).replace(":", lang === "nb-NO" ? "." : ":");
      })
      .catch(function () {
        state.classList.add("offline");
        state.textContent = state.getAttribute("data-offline");
      });
  }
  setInterval(refresh, every);
})();
