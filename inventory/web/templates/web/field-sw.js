// The offline unit's service worker: keeps the office's page and its assets, and serves them
// from the network when there is one (a fresh page, a fresh session) and from here when not.
// Uploads and tokens are never kept: they pass straight to the network.
"use strict";
var CACHE = {{ cache|tojson }};
var KEEP = {{ keep|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(KEEP);
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || KEEP.indexOf(url.pathname) < 0) return;
  event.respondWith(fetch(request).then(function (response) {
    // A log-in page in place of ours (the session ended) is shown, not kept.
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname);
    }).then(function (kept) {
      return kept || Response.error();
    });
  }));
});
