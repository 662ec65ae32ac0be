// The info screen's service worker (served as /screen-sw.js, scope /screen): the screen must
// never be blank, even when it is reloaded (a power cut, a nightly restart of the panel) while
// the server is away. Navigations to /screen and the files the page needs go to the network
// first; when that fails, or the answer is a 5xx (a proxy in front of a stopped server), the
// last good copy from the cache is shown instead. screen.js stores each good list it fetches
// in the same cache, so the copy is as new as the screen's last refresh.
// The screen's own refresh fetches are never answered from the cache: screen.js must learn
// that the server is away so it can say so.
"use strict";
var CACHE = "aggregator-screen-v1";
var ASSETS = ["/static/site.css", "/static/screen.js", "/static/favicon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("aggregator-screen-") === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  var page = request.mode === "navigate" && url.pathname === "/screen";
  var asset = ASSETS.indexOf(url.pathname) >= 0;
  if (request.method !== "GET" || url.origin !== self.location.origin || !(page || asset)) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.status < 500) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { return cache.put(request.url, copy); });
        }
        return response;
      }
      return caches.match(request.url, { ignoreVary: true }).then(function (cached) { return cached || response; });
    }, function (error) {
      return caches.match(request.url, { ignoreVary: true }).then(function (cached) {
        if (cached) return cached;
        throw error;
      });
    })
  );
});
