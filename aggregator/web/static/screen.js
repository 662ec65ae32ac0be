// The info screen's clock and refresh. The list is re-fetched from the server every
// data-refresh seconds (and once at start) and swapped in only when the answer is good: when
// the server is briefly away the screen keeps the last good programme and says since when, it
// never goes blank. Each good page is also kept in the Cache API, where the service worker
// (/screen-sw.js) finds it when the screen is reloaded while the server is away.
// The fetched page is our own server-rendered, escaped HTML; it is parsed with DOMParser
// (which never runs scripts) and its nodes are moved in, no innerHTML.
(function () {
  "use strict";
  var root = document.querySelector(".screen");
  if (!root) return;
  var CACHE = "aggregator-screen-v1";  // the service worker's cache (static/screen-sw.js)
  var nb = root.getAttribute("data-lang") !== "en";
  var every = Math.max(2, parseInt(root.getAttribute("data-refresh"), 10) || 60) * 1000;
  var clock = document.getElementById("clock");
  var state = document.getElementById("screen-state");
  var list = document.getElementById("screen-list");
  var hm = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/Oslo" });
  var day = new Intl.DateTimeFormat(nb ? "nb-NO" : "en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "Europe/Oslo" });
  var ymd = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Oslo" });
  // 18.00 in bokmål, 18:00 on English pages (as web/i18n.py clock()).
  function hhmm(d) { return hm.format(d).replace(":", nb ? "." : ":"); }
  function tick() { clock.textContent = hhmm(new Date()); }
  tick();
  setInterval(tick, 1000);
  var updatedText = state.textContent.replace(/\s*\S+$/, "");
  // "Viser sist hentede program (oppdatert 18.05)"; the day too when it was not today.
  function since() {
    var when = new Date(list.getAttribute("data-updated") || "");
    if (isNaN(when)) return "";
    var text = hhmm(when);
    if (ymd.format(when) !== ymd.format(new Date())) text = day.format(when) + " " + text;
    return " (" + updatedText.toLowerCase() + " " + text + ")";
  }
  function keep(response) {
    if (!window.caches) return;
    caches.open(CACHE).then(function (cache) { return cache.put(location.href, response); }).catch(function () {});
  }
  function refresh() {
    fetch(location.href, { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        keep(r.clone());
        return r.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("screen-list");
        if (!fresh) throw new Error("no list");
        list.replaceChildren.apply(list, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
        list.setAttribute("data-updated", fresh.getAttribute("data-updated") || "");
        state.classList.remove("offline");
        state.textContent = updatedText + " " + hhmm(new Date());
      })
      .catch(function () {
        state.classList.add("offline");
        state.textContent = state.getAttribute("data-offline") + since();
      });
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/screen-sw.js", { scope: "/screen" }).catch(function () {});
  }
  refresh();
  setInterval(refresh, every);
})();
