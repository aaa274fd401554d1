// The offline unit: each print is kept in this browser's IndexedDB (keyed by office, not by
// session, so a reload or a new log-in loses nothing) with a fresh client_id and the device's
// time, and uploaded when the network is back. An upload is kept with its Idempotency-Key
// until its answer arrives, so one cut off mid-way is sent again as it was and replayed.
(function () {
  "use strict";
  var root = document.getElementById("field");
  if (!root || !window.indexedDB || !window.fetch) return;
  var text = root.dataset;
  var office = text.office;
  var PENDING = "pending:" + office;
  var REASON = "field-reason:" + office;
  var $ = function (id) { return document.getElementById(id); };
  var words = JSON.parse(text.words);  // labels and refusals in the page's language
  var word = function (key) { return words[key] || key; };

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register(text.worker, { scope: text.scope }).catch(function () {});
  }

  var opened = new Promise(function (resolve, reject) {
    var request = indexedDB.open("blangko-field", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("prints", { keyPath: "client_id" }).createIndex("office", "office");
      request.result.createObjectStore("meta");
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  // One transaction; resolves once it is committed (a print is "kept" only then).
  function change(stores, work) {
    return opened.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, "readwrite");
        work(t);
        t.oncomplete = function () { resolve(); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }

  function read(store, method, arg, index) {
    return opened.then(function (db) {
      return new Promise(function (resolve, reject) {
        var source = db.transaction(store).objectStore(store);
        var request = (index ? source.index(index) : source)[method](arg);
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  function prints() { return read("prints", "getAll", office, "office"); }

  var device = read("meta", "get", "device").then(function (known) {
    if (known) return known;
    var made = crypto.randomUUID().replace(/-/g, "").slice(0, 12);
    return change(["meta"], function (t) { t.objectStore("meta").put(made, "device"); }).then(function () { return made; });
  });

  function say(box, message, kind) {
    box.textContent = message;
    box.className = "counter-status" + (kind ? " flash-" + kind : "");
  }

  function when(iso) { return new Date(iso).toLocaleString(document.documentElement.lang || undefined); }

  function show() {
    return prints().then(function (all) {
      var queued = all.filter(function (p) { return p.state === "queued"; });
      var refused = all.filter(function (p) { return p.state === "refused"; });
      $("queue-count").textContent = String(queued.length);
      var oldest = queued.map(function (p) { return p.printed_at; }).sort()[0];
      $("queue-oldest").textContent = oldest ? when(oldest) : text.none;
      var list = $("refused");
      list.textContent = "";
      refused.forEach(function (p) {
        var item = $("refused-item").content.firstElementChild.cloneNode(true);
        item.dataset.clientId = p.client_id;
        item.querySelector(".what").textContent = when(p.printed_at) + " · " + word(p.outcome) + " · " +
          word(p.reason) + ": " + (words[p.error] || p.message);
        list.appendChild(item);
      });
      $("refused-box").hidden = !refused.length;
      return queued.length;
    });
  }

  function reason() {
    var checked = root.querySelector("input[name=reason]:checked");
    return checked ? checked.value : "new_record";
  }

  function record(outcome) {
    return device.then(function (id) {
      var print = {
        client_id: "f:" + id + ":" + crypto.randomUUID(), office: office, outcome: outcome,
        reason: reason(), printed_at: new Date().toISOString(), state: "queued"
      };
      return change(["prints"], function (t) { t.objectStore("prints").put(print); });
    }).then(function () {
      say($("field-status"), text.saved, "success");
      return show();
    }).then(function () {
      if (navigator.onLine) sync();
    });
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  // The session has ended: 401 (the server's answer to these requests), or anything but JSON
  // (a redirect, not followed: fetching the log-in page from here would set a new session
  // cookie under a log-in form the operator may have open, and that form would then fail).
  function loggedOut(response) {
    return response.status === 401 || response.type === "opaqueredirect" || !isJson(response);
  }

  function nextUpload() {
    return read("meta", "get", PENDING).then(function (pending) {
      if (pending) return pending;
      return Promise.all([prints(), device]).then(function (both) {
        var queued = both[0].filter(function (p) { return p.state === "queued"; }).slice(0, 1000);
        if (!queued.length) return null;
        pending = {
          key: crypto.randomUUID(),
          body: {
            device: both[1], device_time: new Date().toISOString(),
            prints: queued.map(function (p) {
              return { client_id: p.client_id, outcome: p.outcome, reason: p.reason, printed_at: p.printed_at };
            })
          }
        };
        return change(["meta"], function (t) { t.objectStore("meta").put(pending, PENDING); }).then(function () { return pending; });
      });
    });
  }

  function send(pending) {
    var status = $("upload-status");
    say(status, text.uploading);
    return fetch(text.token, {
      credentials: "same-origin", cache: "no-store", redirect: "manual", headers: { Accept: "application/json" }
    }).then(function (response) {
        if (loggedOut(response)) throw new Error("login");
        return response.json();
      }).then(function (token) {
        return fetch(text.upload, {
          method: "POST", credentials: "same-origin", redirect: "manual", body: JSON.stringify(pending.body),
          headers: {
            "Content-Type": "application/json", Accept: "application/json",
            "X-CSRFToken": token.csrf_token, "Idempotency-Key": pending.key
          }
        });
      }).then(function (response) {
        if (loggedOut(response)) throw new Error("login");  // not recorded: the upload is kept as it is
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
      }).then(function (reply) {
        if (!reply.ok) {  // the whole upload refused (nothing recorded): made afresh next time
          return change(["meta"], function (t) { t.objectStore("meta").delete(PENDING); }).then(function () {
            say(status, reply.answer.message || text.failed, "error");
            return false;
          });
        }
        return settle(reply.answer).then(function () { return true; });
      });
  }

  function settle(answer) {
    var byId = {};
    answer.results.forEach(function (r) { if (r.client_id) byId[r.client_id] = r; });
    return prints().then(function (all) {
      return change(["prints", "meta"], function (t) {
        var store = t.objectStore("prints");
        all.forEach(function (p) {
          var result = byId[p.client_id];
          if (!result) return;
          if (result.status === "refused") {
            p.state = "refused";
            p.error = result.error;
            p.message = result.message;
            store.put(p);
          } else {
            store.delete(p.client_id);
          }
        });
        t.objectStore("meta").delete(PENDING);
      });
    }).then(function () {
      var message = text.result.replace("{recorded}", answer.recorded)
        .replace("{already}", answer.already_recorded).replace("{refused}", answer.refused);
      if (answer.clock_corrected_seconds) {
        message += " " + text.corrected.replace("{minutes}", Math.round(answer.clock_corrected_seconds / 60));
      }
      say($("upload-status"), message, answer.refused ? "error" : "success");
    });
  }

  var running = null;
  function sync() {
    if (running) return running;
    running = nextUpload().then(function (pending) {
      if (!pending) return false;
      return send(pending);
    }).then(function (sent) {
      return show().then(function (left) { return sent && left; });
    }).catch(function (error) {
      var message = error.message === "login" ? text.login : (navigator.onLine ? text.failed : text.offline);
      say($("upload-status"), message, "error");
      return false;
    }).then(function (more) {
      running = null;
      if (more) return sync();  // prints recorded while this upload was on its way
    });
    return running;
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.outcome) {
      record(button.dataset.outcome);
      $("field-print").focus();
    } else if (button.id === "field-upload") {
      sync();
    } else if (button.classList.contains("retry") || button.classList.contains("remove")) {
      var id = button.closest("li").dataset.clientId;
      var retry = button.classList.contains("retry");
      read("prints", "get", id).then(function (p) {
        return change(["prints"], function (t) {
          if (retry) {
            p.state = "queued";
            t.objectStore("prints").put(p);
          } else {
            t.objectStore("prints").delete(id);
          }
        });
      }).then(show);
    }
  });

  root.addEventListener("change", function (event) {
    if (event.target.name === "reason") localStorage.setItem(REASON, event.target.value);
  });
  var kept = localStorage.getItem(REASON);
  var choice = kept && root.querySelector("input[name=reason][value=" + kept + "]");
  if (choice) choice.checked = true;

  window.addEventListener("online", sync);
  // Back to this page (another tab, where the operator may have logged in again; or restored
  // from the back/forward cache, where no script runs again): try what waits.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && navigator.onLine) sync();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && navigator.onLine) sync();
  });
  window.addEventListener("offline", function () { say($("upload-status"), text.offline); });
  window.blangkoField = { sync: sync, show: show };  // the browser tests wait on these
  show().then(function () { if (navigator.onLine) sync(); });
})();
