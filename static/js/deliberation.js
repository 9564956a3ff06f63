/* Live results of proposals. On ordinary pages it watches each open proposal through the
   /deliberation namespace and redraws the counts and the summary when a tally arrives. In a
   live room, live.js hands it the room's ordered events, and positions go through the room's
   own socket. Without JavaScript every form posts and the page reloads: nothing here is needed
   to take part. Tallies carry a version; an older one never replaces a newer one. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "sv";
  var stringsNode = document.getElementById("deliberation-strings");
  var T = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  var each = function (nodes, fn) { Array.prototype.forEach.call(nodes, fn); };

  function blocks(id) { return document.querySelectorAll('[data-proposal-live="' + id + '"]'); }

  function lookup(counts, path) {
    return path.split(".").reduce(function (node, key) { return node == null ? null : node[key]; }, counts);
  }

  function closeBlock(box) {
    box.dataset.status = "closed";
    each(box.querySelectorAll("[data-position-form]"), function (form) { form.hidden = true; });
    each(box.querySelectorAll("[data-closed-note]"), function (note) { note.hidden = false; });
  }

  function apply(tally) {
    if (!tally) { return; }
    var lines = (tally.summary && (tally.summary[lang] || tally.summary.sv)) || [];
    each(blocks(tally.proposal_id), function (box) {
      if (parseInt(box.dataset.version || "0", 10) >= tally.version) { return; }
      box.dataset.version = String(tally.version);
      each(box.querySelectorAll("[data-count]"), function (cell) {
        var value = lookup(tally.counts, cell.dataset.count);
        if (value != null) { cell.textContent = String(value); }
      });
      each(box.querySelectorAll("[data-summary]"), function (list) {
        list.textContent = "";
        lines.forEach(function (line) {
          var item = document.createElement("li");
          item.textContent = line;
          list.appendChild(item);
        });
      });
      var region = box.querySelector("[data-announce]");
      if (region && lines.length) { region.textContent = lines[0]; }
      if (tally.status === "closed") { closeBlock(box); }
    });
  }

  // --- In a live room ------------------------------------------------------------------------

  var section = document.querySelector("[data-card-url]");

  function announce(text) {
    var region = document.getElementById("live-announcer");
    if (region && text) { region.textContent = text; }
  }

  function bind(scope) {
    each(scope.querySelectorAll("[data-position-form]"), function (form) {
      if (form.dataset.bound) { return; }
      form.dataset.bound = "1";
      form.addEventListener("submit", function (ev) {
        var live = window.RadslagLive;
        if (!live || !live.connected()) { return; }  // no socket: the form posts as usual
        ev.preventDefault();
        var picked = form.querySelector("input[name=stance]:checked");
        var status = form.querySelector("[data-position-status]");
        live.call("position", {
          proposal_id: parseInt(form.dataset.positionForm, 10),
          stance: picked ? picked.value : null,
          reason: form.elements.reason.value
        }, function (reply) {
          if (reply.ok) {
            status.textContent = T.saved || "";
            form.querySelector("button[type=submit]").textContent = T.change || "";
            apply(reply.tally);
          } else {
            status.textContent = reply.error.message;
          }
        });
      });
    });
  }

  function addCard(id, tally) {
    if (document.getElementById("proposal-" + id) || !section) { apply(tally); return; }
    var url = section.dataset.cardUrl.replace("/0/", "/" + id + "/");
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || document.getElementById("proposal-" + id)) { apply(tally); return; }
        var holder = document.createElement("template");
        holder.innerHTML = html;  // a fragment of our own server, escaped there
        var card = holder.content.querySelector("article");
        if (!card) { return; }
        document.getElementById("live-proposals").appendChild(card);
        var empty = document.getElementById("live-proposals-empty");
        if (empty) { empty.hidden = true; }
        bind(card);
        apply(tally);
      });
  }

  window.RadslagDeliberation = {
    apply: apply,
    roomState: function (list) {
      list.forEach(function (item) { addCard(item.proposal.id, item.tally); });
    },
    roomEvent: function (e, live) {
      var d = e.data;
      if (e.type === "proposal") {
        addCard(d.proposal.id, d.tally);
        if (live) { announce((T.opened || "") + " " + d.proposal.title); }
      } else {
        apply(d.tally);
      }
    }
  };

  if (document.getElementById("live-room")) { bind(document); return; }

  // --- On ordinary pages ---------------------------------------------------------------------

  var ids = [];
  each(document.querySelectorAll("[data-proposal-live][data-status=open]"), function (box) {
    var id = parseInt(box.dataset.proposalLive, 10);
    if (ids.indexOf(id) < 0) { ids.push(id); }
  });
  if (!ids.length || typeof io === "undefined") { return; }
  var socket = io("/deliberation", { transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    ids.forEach(function (id) {
      socket.emit("watch", { kind: "proposal", id: id }, function (reply) {
        if (reply && reply.ok) { apply(reply.snapshot); }
      });
    });
  });
  socket.on("tally", function (message) { if (message.kind === "proposal") { apply(message); } });
})();
