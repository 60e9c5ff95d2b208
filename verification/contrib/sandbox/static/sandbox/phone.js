// The sandbox phone, kept up to date: polls the inbox JSON and redraws what changed.
(function () {
  "use strict";

  var list = document.getElementById("phone-list");
  if (!list || !window.fetch) return;
  var status = document.getElementById("phone-status");
  var inboxUrl = list.getAttribute("data-inbox-url");
  var audioUrl = list.getAttribute("data-audio-url");
  var espeak = list.getAttribute("data-espeak") === "1";
  // The page's words, in its language ("{to}" and "{from}" filled in here).
  var statuses = JSON.parse(list.getAttribute("data-statuses") || "{}");
  var words = function (name, values) {
    var text = list.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  };
  var seen = {};
  list.querySelectorAll("[data-id]").forEach(function (node) { seen[node.getAttribute("data-id")] = true; });
  var POLL_MS = 2000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function entryNode(entry) {
    var item = el("li", "phone-entry");
    item.setAttribute("data-id", entry.id);
    item.setAttribute("data-key", key(entry));
    var header = el("header");
    header.appendChild(el("span", "channel", words(entry.channel === "call" ? "call" : "sms")));
    header.appendChild(el("span", "meta", words("route", { to: entry.to, from: entry.from })));
    var time = el("time", "meta", new Date(entry.created_at).toLocaleTimeString());
    time.setAttribute("datetime", entry.created_at);
    header.appendChild(time);
    var badge = el("span", "status-badge", statuses[entry.status] || entry.status);
    badge.setAttribute("data-status", entry.status);
    header.appendChild(badge);
    item.appendChild(header);
    if (entry.text) item.appendChild(el("p", "text", entry.text));
    var done = entry.status !== "queued" && entry.status !== "in_progress";
    if (espeak && entry.channel === "call" && entry.text && done) {
      var audio = el("audio");
      audio.controls = true;
      audio.preload = "none";
      audio.src = audioUrl.replace("00000000-0000-0000-0000-000000000000", entry.id);
      audio.setAttribute("aria-label", words("play", { to: entry.to }));
      item.appendChild(audio);
    }
    return item;
  }

  function key(entry) {
    return entry.id + ":" + entry.status + ":" + (entry.text || "").length;
  }

  function draw(entries) {
    // Unchanged entries keep their node, so a playing call is not interrupted.
    var old = {};
    list.querySelectorAll("[data-id]").forEach(function (node) { old[node.getAttribute("data-key")] = node; });
    var fresh = [];
    var nodes = entries.map(function (entry) {
      if (!seen[entry.id]) { seen[entry.id] = true; fresh.push(entry); }
      return old[key(entry)] || entryNode(entry);
    });
    if (!nodes.length) return;
    var changed = nodes.length !== list.children.length || nodes.some(function (node, i) { return list.children[i] !== node; });
    if (changed) list.replaceChildren.apply(list, nodes);
    if (fresh.length && status) {
      status.textContent = fresh.map(function (e) { return words(e.channel === "call" ? "new-call" : "new-sms", { to: e.to }); }).join(" ");
    }
  }

  function poll() {
    fetch(inboxUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (entries) { if (entries) draw(entries); })
      .catch(function () { /* the server is restarting: try again next time */ })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  setTimeout(poll, POLL_MS);
})();
