// bilat desk page: live updates, graph clicks, the time slider and an event's reports on
// demand, without reloads.
// Everything here is optional: without script the list, the filters and the graph's links
// work as plain HTML. Content comes from the server already escaped; it is parsed with
// DOMParser and moved in as nodes (scripts in it never run, and CSP forbids inline ones).
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main) { return; }
  var status = document.getElementById("live-status");
  var pending = null, inflight = false, again = false;

  function say(text) { if (status) { status.textContent = text; } }

  function partUrl(search) {
    var params = new URLSearchParams(search);
    params.set("part", "main");
    return location.pathname + "?" + params.toString();
  }

  function swapFrom(doc, selector) {
    var fresh = doc.querySelector(selector), old = document.querySelector(selector);
    if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); return true; }
    return false;
  }

  function refresh(search) {
    if (inflight) { again = true; return; }
    inflight = true;
    var onMeetings = location.pathname === "/";
    var url = onMeetings ? partUrl(search === undefined ? location.search : search) : location.pathname + location.search;
    fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (onMeetings) {
          var live = document.getElementById("live");
          var open = openKeys();
          var box = document.createElement("div");
          box.id = "live";
          Array.prototype.forEach.call(doc.body.childNodes, function (n) { box.appendChild(document.importNode(n, true)); });
          live.replaceWith(box);
          reopen(open);
        } else {
          swapFrom(doc, "#live");
        }
        say("Updated " + new Date().toLocaleTimeString());
      })
      .catch(function (e) { say("Update failed (" + e.message + "); will retry"); })
      .finally(function () { inflight = false; if (again) { again = false; refresh(); } });
  }

  // An event's reports: the list shows each event's headline report; opening its details
  // fetches the others (the fragment at data-reports, which keeps the list's filter).
  // Without script the details hold a link to the event's page instead.
  function loadReports(details) {
    var url = details.dataset.reports;
    if (!url || details.dataset.loaded) { return; }
    details.dataset.loaded = "1";
    details.classList.add("loading");
    fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var more = details.querySelector(".more");
        Array.prototype.forEach.call(doc.body.childNodes, function (n) {
          details.insertBefore(document.importNode(n, true), more);
        });
        if (more) { more.remove(); }
      })
      .catch(function (e) { delete details.dataset.loaded; say("Reports failed to load (" + e.message + ")"); })
      .finally(function () { details.classList.remove("loading"); });
  }

  document.addEventListener("toggle", function (ev) {
    var details = ev.target;
    if (details.matches && details.matches("details[data-reports]") && details.open) { loadReports(details); }
  }, true);

  function openKeys() {
    return Array.prototype.map.call(document.querySelectorAll("#live details[data-reports][open]"), function (d) {
      var card = d.closest("article.card");
      return card ? card.dataset.key : null;
    });
  }

  function reopen(keys) {
    keys.forEach(function (key) {
      if (!key) { return; }
      var card = document.querySelector('article.card[data-key="' + CSS.escape(key) + '"]');
      var details = card && card.querySelector("details[data-reports]");
      if (details) { details.open = true; }
    });
  }

  function schedule() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; refresh(); }, 250);
  }

  // Live: the server says which events changed (at most once a second).
  if (main.dataset.live && window.EventSource) {
    var since = main.dataset.rendered || "";
    var source = new EventSource("/live?since=" + encodeURIComponent(since));
    source.addEventListener("changed", function (ev) {
      var data = {};
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      var key = main.dataset.key;
      if (key && data.keys && data.keys.indexOf(key) < 0) { return; }
      say(data.count + " meeting" + (data.count === 1 ? "" : "s") + " changed");
      schedule();
    });
    source.addEventListener("open", function () { say("Live"); });
    source.addEventListener("error", function () { say("Live updates paused; reconnecting"); });
  }

  if (location.pathname !== "/") { return; }

  // A click on the graph changes the list alone: the graph (its links keep the other
  // filters, not the pair or the country) stays, and only its selection moves. The slider
  // changes both; the list's cards are parsed a slice at a time so no single task parses
  // 1,000 of them.
  var CHUNK = 100;
  var generation = 0;

  function fetchPart(search, part) {
    var params = new URLSearchParams(search);
    params.set("part", part);
    return fetch(location.pathname + "?" + params.toString(), { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); });
  }

  function nextTask() { return new Promise(function (resolve) { setTimeout(resolve, 0); }); }

  // Card markup is the server's, every value escaped, so "<article class=\"card " only
  // starts a card; each slice of cards is parsed in its own task.
  function buildList(html, gen) {
    var at = html.indexOf('<div id="cards">');
    var end = html.lastIndexOf("</div>");
    if (at < 0 || end < at) { return Promise.resolve(parse(html)); }
    var inner = html.slice(at + '<div id="cards">'.length, end);
    var shell = parse(html.slice(0, at) + '<div id="cards"></div>' + html.slice(end + 6));
    var box = shell.querySelector("#cards");
    var cards = inner.split(/(?=<article class="card )/);
    var i = 0;
    function step() {
      if (gen !== generation) { return null; }
      var tpl = document.createElement("template");
      tpl.innerHTML = cards.slice(i, i + CHUNK).join("");
      box.appendChild(tpl.content);
      i += CHUNK;
      return i < cards.length ? nextTask().then(step) : shell;
    }
    return Promise.resolve(step());
  }

  function parse(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    return tpl.content;
  }

  function swapList(fragment) {
    var fresh = fragment && fragment.querySelector("#list-section");
    var old = document.getElementById("list-section");
    if (fresh && old) { old.replaceWith(fresh); }
  }

  function markSelection() {
    var params = new URLSearchParams(location.search);
    var pair = params.get("pair") || "", country = params.get("country") || "";
    document.querySelectorAll("#graph-svg a.selected").forEach(function (a) { a.classList.remove("selected"); });
    document.querySelectorAll("#graph-svg a.edge, #graph-svg a.node").forEach(function (a) {
      if ((pair && a.dataset.pair === pair) || (country && a.dataset.code === country)) { a.classList.add("selected"); }
    });
  }

  // One request either way: the slider's answer holds the graph and the list (the server
  // reads the window once); the graph's part is small and parsed at once.
  function update(withGraph) {
    var gen = ++generation;
    fetchPart(location.search, withGraph ? "main" : "list").then(function (html) {
      var at = withGraph ? html.indexOf('<section id="list-section"') : 0;
      var graph = withGraph && at > 0 ? parse(html.slice(0, at)) : null;
      return buildList(html.slice(Math.max(at, 0)), gen).then(function (list) { return [list, graph]; });
    }).then(function (parts) {
      if (gen !== generation || !parts[0]) { return; }
      var fresh = parts[1] && parts[1].querySelector("#graph-section");
      var old = document.getElementById("graph-section");
      if (fresh && old) { old.replaceWith(fresh); } else { markSelection(); }
      swapList(parts[0]);
      say("Updated " + new Date().toLocaleTimeString());
    }).catch(function (e) { say("Update failed (" + e.message + ")"); });
  }

  function navigate(search, withGraph) {
    history.pushState(null, "", search ? "/?" + search.replace(/^\?/, "") : "/");
    syncForm();
    update(withGraph);
  }

  // A click on a node or an edge of the graph filters the list in place.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("#graph-svg a");
    if (!link || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) { return; }
    var href = link.getAttribute("href");
    if (!href) { return; }
    ev.preventDefault();
    navigate(href.split("?")[1] || "", false);
  });
  window.addEventListener("popstate", function () { syncForm(); update(true); });

  var form = document.querySelector("form.filters");
  function syncForm() {
    if (!form) { return; }
    var params = new URLSearchParams(location.search);
    ["country", "pair", "status", "official", "rule", "q", "to"].forEach(function (name) {
      var field = form.elements[name];
      if (field) { field.value = params.get(name) || ""; }
    });
  }

  // The time slider moves the window's end; the date field carries it into the URL.
  var slider = document.getElementById("slider");
  if (slider && form) {
    var out = document.getElementById("slider-out");
    slider.closest("label").hidden = false;
    var timer = null;
    slider.addEventListener("input", function () {
      var today = new Date(slider.dataset.today + "T00:00:00Z");
      var end = new Date(today.getTime() + Number(slider.value) * 86400000);
      var iso = end.toISOString().slice(0, 10);
      out.textContent = iso;
      slider.setAttribute("aria-valuetext", iso);
      form.elements.to.value = Number(slider.value) === 0 ? "" : iso;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var params = new URLSearchParams(new FormData(form));
        Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) { params.delete(k); } });
        navigate(params.toString(), true);
      }, 200);
    });
  }
})();
