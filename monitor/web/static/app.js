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

  // A click on the graph, the time slider and the browser's back button change the list
  // in place, asking the server only for what the document does not hold: the list's
  // section says which window and filter its cards answer (data-*), so a node or an edge
  // that narrows it hides the other cards (no request), and a moved window asks only for
  // the days it gains (its cards) and for the graph; anything else fetches the list (and
  // the graph) anew, a slice of cards parsed per task so no task parses 1,000 of them.
  var CHUNK = 100;
  var DAY = 86400000;
  var generation = 0;

  function fetchPart(params, part) {
    params = new URLSearchParams(params);
    params.set("part", part);
    return fetch(location.pathname + "?" + params.toString(), { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); });
  }

  function nextTask() { return new Promise(function (resolve) { setTimeout(resolve, 0); }); }

  function parse(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    return tpl.content;
  }

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

  function swapGraph(fragment) {
    var fresh = fragment && fragment.querySelector("#graph-section");
    var old = document.getElementById("graph-section");
    if (fresh && old) { old.replaceWith(fresh); return true; }
    return false;
  }

  function swapList(fragment) {
    var fresh = fragment && fragment.querySelector("#list-section");
    var old = document.getElementById("list-section");
    if (fresh && old) { old.replaceWith(fresh); }
  }

  function markSelection(w) {
    document.querySelectorAll("#graph-svg a.selected").forEach(function (a) { a.classList.remove("selected"); });
    var picked = [];
    if (w.pair) { picked.push('#graph-svg a.edge[data-pair="' + CSS.escape(w.pair) + '"]'); }
    if (w.country) { picked.push('#graph-svg a.node[data-code="' + CSS.escape(w.country) + '"]'); }
    if (picked.length) {
      document.querySelectorAll(picked.join(",")).forEach(function (a) { a.classList.add("selected"); });
    }
  }

  // A URL's filter in the server's terms (monitor/web/filters.py) as far as the script can
  // be sure of them; null when it cannot (the server then answers, and notes what it drops).
  var CODE = /^[A-Z][A-Z0-9]{1,7}$/;
  function wanted(search, list) {
    var p = new URLSearchParams(search);
    function text(name) {
      var v = (p.get(name) || "").split(/\s+/).filter(Boolean).join(" ").slice(0, 200);
      return v || null;
    }
    var days = (p.get("days") || "").trim() || list.dataset.defaultDays;
    var to = (p.get("to") || "").trim();
    var country = (p.get("country") || "").trim().toUpperCase() || null;
    var pair = (p.get("pair") || "").trim().toUpperCase() || null;
    if (pair) {
      var codes = pair.split(/[^A-Z0-9]+/).filter(Boolean).sort();
      if (codes.length !== 2 || codes[0] === codes[1] || !CODE.test(codes[0]) || !CODE.test(codes[1])) { return null; }
      pair = codes.join("-");
    }
    if (!/^[0-9]{1,4}$/.test(days) || (to && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(to)) || (country && !CODE.test(country))) { return null; }
    var status = (p.get("status") || "").trim().toLowerCase() || null;
    return { days: String(Number(days)), to: to, country: country, pair: pair,
      rest: [status, text("official"), text("rule"), text("q")] };
  }

  function sameRest(w, list) {
    var held = JSON.parse(list.dataset.rest);
    return w.rest.every(function (v, i) { return v === held[i]; });
  }

  // Whether the list's cards include every card of w's country and pair.
  function covers(list, w) {
    var country = list.dataset.country, pair = list.dataset.pair;
    if (pair) { return w.pair === pair; }
    if (country) { return w.country === country || Boolean(w.pair && w.pair.split("-").indexOf(country) >= 0); }
    return true;
  }

  function nameOf(code) {
    var node = document.querySelector('#graph-svg a.node[data-code="' + CSS.escape(code) + '"]');
    return node && node.dataset.name ? node.dataset.name : code;
  }

  // Shows the list's cards that w selects and says so in its heading; false when none is.
  // Only the cards given are looked at when the list already shows w's country and pair.
  function show(list, w, added) {
    var showing = (w.country || "") + " " + (w.pair || "");
    // As the server wrote it, the list shows every card it holds.
    var was = list.dataset.showing === undefined ? list.dataset.country + " " + list.dataset.pair : list.dataset.showing;
    var cards = added && was === showing ? added : list.querySelectorAll("#cards > article.card");
    list.dataset.showing = showing;
    Array.prototype.forEach.call(cards, function (card) {
      var parties = (card.dataset.parties || "").split(" ");
      var on = (!w.pair || parties.join("-") === w.pair) && (!w.country || parties.indexOf(w.country) >= 0);
      if (card.hidden === on) { card.hidden = !on; }
    });
    var n = list.querySelectorAll("#cards > article.card:not([hidden])").length;
    if (!n) { return false; }
    document.getElementById("count").textContent = String(n);
    document.getElementById("count-noun").textContent = n === 1 ? "meeting" : "meetings";
    var scope = (w.country ? " of " + nameOf(w.country) : "") +
      (w.pair ? " between " + w.pair.split("-").map(nameOf).join(" and ") : "");
    document.getElementById("list-scope").textContent = scope;
    var active = Boolean(w.country || w.pair || w.rest.some(Boolean));
    document.getElementById("clear-filters").hidden = !active;
    return true;
  }

  // A node or an edge that narrows (or widens back within) the list held: no request.
  function narrow(list, w) {
    if (list.dataset.truncated || w.days !== list.dataset.days || w.to !== list.dataset.to ||
        !sameRest(w, list) || !covers(list, w)) { return false; }
    generation += 1;
    if (!show(list, w)) { return false; }
    markSelection(w);
    return true;
  }

  function addDays(iso, n) { return new Date(Date.parse(iso + "T00:00:00Z") + n * DAY).toISOString().slice(0, 10); }

  function span(a, b) { return Math.round((Date.parse(b) - Date.parse(a)) / DAY) + 1; }

  // A moved window: the cards of the days it gains (fetched for the list's own filter),
  // the days it loses dropped, the graph fetched for the new window; null when the list
  // held cannot be reused (another filter, no overlap, a list cut at its limit, an open end).
  function shift(list, w, search) {
    if (list.dataset.truncated || w.days !== list.dataset.days || !sameRest(w, list) || !covers(list, w)) { return null; }
    // An open window ends on the server's today (and what is scheduled after it): asked anew.
    if (!w.to) { return null; }
    var since = addDays(w.to, 1 - Number(w.days)), until = w.to;
    var was = [list.dataset.since, list.dataset.until];
    if (until < was[0] || since > was[1]) { return null; }
    var gained = [];
    if (until > was[1]) { gained.push(["newer", addDays(was[1], 1), until]); }
    if (since < was[0]) { gained.push(["older", since, addDays(was[0], -1)]); }
    if (gained.some(function (g) { return span(g[1], g[2]) > Number(list.dataset.maxDays); })) { return null; }
    var gen = ++generation;
    var base = new URLSearchParams();
    var held = JSON.parse(list.dataset.rest);
    ["status", "official", "rule", "q"].forEach(function (k, i) { if (held[i]) { base.set(k, held[i]); } });
    if (list.dataset.country) { base.set("country", list.dataset.country); }
    if (list.dataset.pair) { base.set("pair", list.dataset.pair); }
    // The graph first: the server answers in turn, and it is the longer answer.
    var asks = [fetchPart(search, "graph")].concat(gained.map(function (g) {
      var params = new URLSearchParams(base);
      params.set("days", String(span(g[1], g[2])));
      params.set("to", g[2]);
      return fetchPart(params, "list");
    }));
    return Promise.all(asks).then(function (answers) {
      if (gen !== generation) { return; }
      var graph = parse(answers.shift());
      var parts = answers.map(parse);
      if (parts.some(function (f) { var s = f.querySelector("#list-section"); return !s || s.dataset.truncated; })) {
        return update(search, true);
      }
      var box = list.querySelector("#cards"), card, added = [];
      // Cards run newest first (by meeting date): the days lost are at either end.
      while ((card = box.firstElementChild) && card.dataset.date > until) { card.remove(); }
      while ((card = box.lastElementChild) && card.dataset.date < since) { card.remove(); }
      var empty = box.querySelector(":scope > p.empty");
      if (empty) { empty.remove(); }
      gained.forEach(function (g, i) {
        var at = g[0] === "newer" ? box.firstChild : null;
        parts[i].querySelectorAll("#cards > article.card").forEach(function (fresh) {
          fresh.removeAttribute("id");  // positional (ev-N) in its own answer only
          box.insertBefore(fresh, at);
          added.push(fresh);
        });
      });
      if (box.childElementCount >= Number(list.dataset.limit)) { return update(search, true); }
      list.dataset.since = since;
      list.dataset.until = until;
      list.dataset.to = w.to;
      swapGraph(graph);
      markSelection(w);
      if (!show(list, w, added)) { return update(search, true); }
      say("Updated " + new Date().toLocaleTimeString());
    });
  }

  // The whole list (and the graph with it) from the server.
  function update(search, withGraph) {
    var gen = ++generation;
    return fetchPart(search, withGraph ? "main" : "list").then(function (html) {
      var at = withGraph ? html.indexOf('<section id="list-section"') : 0;
      var graph = withGraph && at > 0 ? parse(html.slice(0, at)) : null;
      return buildList(html.slice(Math.max(at, 0)), gen).then(function (list) { return [list, graph]; });
    }).then(function (parts) {
      if (gen !== generation || !parts[0]) { return; }
      var w = wanted(search, document.getElementById("list-section"));
      if (!swapGraph(parts[1]) && w) { markSelection(w); }
      swapList(parts[0]);
      say("Updated " + new Date().toLocaleTimeString());
    });
  }

  function apply(search, withGraph) {
    var list = document.getElementById("list-section");
    var w = list && wanted(search, list);
    var done = w && narrow(list, w) ? Promise.resolve() : (w && shift(list, w, search)) || update(search, withGraph);
    return done.catch(function (e) { say("Update failed (" + e.message + ")"); });
  }

  // The address changes when the page is idle: pushState waits on the browser's own process
  // (12 ms and more on a busy machine), which the list and the graph need not wait for.
  function navigate(search, withGraph) {
    search = search.replace(/^\?/, "");
    syncForm(search);
    var done = apply(search, withGraph);
    var push = function () { history.pushState(null, "", search ? "/?" + search : "/"); };
    if (window.requestIdleCallback) { requestIdleCallback(push, { timeout: 250 }); } else { setTimeout(push, 0); }
    return done;
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
  window.addEventListener("popstate", function () { syncForm(location.search); apply(location.search, true); });

  var form = document.querySelector("form.filters");
  function syncForm(search) {
    if (!form) { return; }
    var params = new URLSearchParams(search);
    ["country", "pair", "status", "official", "rule", "q", "to"].forEach(function (name) {
      var field = form.elements[name];
      if (field) { field.value = params.get(name) || ""; }
    });
  }

  // The time slider moves the window's end; the date field carries it into the URL. A move
  // is applied at once; moves made while one is under way are folded into the next.
  var slider = document.getElementById("slider");
  if (slider && form) {
    var out = document.getElementById("slider-out");
    slider.closest("label").hidden = false;
    var busy = false, queued = false;
    var go = function () {
      busy = true;
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) { params.delete(k); } });
      navigate(params.toString(), true).then(function () {
        busy = false;
        if (queued) { queued = false; go(); }
      });
    };
    slider.addEventListener("input", function () {
      var today = new Date(slider.dataset.today + "T00:00:00Z");
      var end = new Date(today.getTime() + Number(slider.value) * DAY);
      var iso = end.toISOString().slice(0, 10);
      out.textContent = iso;
      slider.setAttribute("aria-valuetext", iso);
      form.elements.to.value = Number(slider.value) === 0 ? "" : iso;
      if (busy) { queued = true; } else { go(); }
    });
  }
})();
