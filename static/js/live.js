/* The live room client: connects to the /live namespace, reconnects by itself with a
   back-off, catches up with after_seq without duplicates (docs/live-protocol.md), and keeps
   chat, questions, queue, polls and presence current. Announcements go to a polite live
   region; every control is a button or a form. */
(function () {
  "use strict";

  var root = document.getElementById("live-room");
  if (!root || typeof io === "undefined") { return; }
  var sessionId = parseInt(root.dataset.sessionId, 10);
  var T = JSON.parse(document.getElementById("live-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };

  var lastSeq = null;          // highest seq applied; null until the first join
  var joining = false;         // events arriving during a join wait in `held`
  var joined = false;          // this connection has joined: chat and questions may be sent
  var joinId = 0;              // the latest join; answers to earlier ones are ignored
  var joinRetry = null;
  var joinDelay = 1000;        // a join that failed for a passing reason is tried again later
  var PERMANENT = ["forbidden", "removed", "not_found", "unauthorized", "invalid"];
  var held = [];
  var ahead = {};              // events past a gap, by seq
  var gapTimer = null;
  var mine = {};               // seqs of our own messages
  var me = { id: null, staff: false, muted: false, voted_questions: [], voted_polls: [] };
  var questions = {};
  var polls = {};
  var status = null;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k] == null ? "" : values[k]; });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "hidden") { node.hidden = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function sector(value) { return T.sectors[value] || value; }
  function who(actor, seq) {
    if (seq && mine[seq]) { return T.you; }
    if (!actor) { return T.participant; }
    if (seq && actor.id && actor.id === me.id) { return T.you; }
    if (actor.name) { return actor.name + (actor.sector ? " (" + sector(actor.sector) + ")" : ""); }
    if (actor.sector) { return T.participant + " " + fmt(T.from_sector, { sector: sector(actor.sector) }); }
    return T.participant;
  }
  function announce(text) {
    var region = $("live-announcer");
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function showError(reply) {
    var box = $("live-error");
    if (reply && reply.ok === false) {
      box.textContent = reply.error.message;
      box.hidden = false;
    } else {
      box.hidden = true;
    }
  }
  function setConnection(state, text) {
    var node = $("live-connection");
    node.dataset.state = state;
    node.textContent = text;
  }

  // Reconnection with an exponential back-off: about 1 s, then doubling up to 5 s, each
  // spread by half either way, so a room of browsers does not return all at once.
  var socket = io("/live", { transports: ["websocket", "polling"], reconnectionDelay: 1000,
                             reconnectionDelayMax: 5000, randomizationFactor: 0.5 });

  function call(event, payload, done) {
    socket.timeout(10000).emit(event, payload, function (err, reply) {
      if (err) { reply = { ok: false, error: { code: "timeout", message: T.reconnecting } }; }
      showError(reply);
      if (done) { done(reply); }
    });
  }
  // deliberation.js sends positions on the session's proposals through this socket
  window.RadslagLive = { call: call, connected: function () { return socket.connected; } };

  // --- Joining and catching up -------------------------------------------------------------

  function join() {
    var id = ++joinId;
    window.clearTimeout(joinRetry);
    joining = true;
    var payload = { session_id: sessionId, after_seq: lastSeq === null ? 0 : lastSeq };
    call("join", payload, function (reply) {
      if (id !== joinId) { return; }
      joining = false;
      if (!reply.ok) { joinFailed(reply); return; }
      joinDelay = 1000;
      var firstTime = lastSeq === null;
      var events = reply.events;
      var lastEvent = events.length ? events[events.length - 1].seq : 0;
      events.forEach(function (e) { if (e.type === "chat") { addChat(e, false); } });
      drawState(reply.state);
      drawPresence(reply.presence);
      if (lastEvent && lastEvent < reply.state.last_seq) {   // the catch-up has a limit: ask on
        lastSeq = lastEvent;
        join();
        return;
      }
      lastSeq = Math.max(lastSeq || 0, lastEvent, reply.state.last_seq);
      joined = true;
      if (window.RadslagDeliberation) { window.RadslagDeliberation.roomState(reply.proposals || []); }
      held.splice(0).forEach(receive);
      drainAhead();
      if (!firstTime) { announce(T.caught_up); }
    });
  }

  function joinFailed(reply) {
    if (PERMANENT.indexOf(reply.error.code) >= 0) { setConnection("closed", reply.error.message); return; }
    joinRetry = window.setTimeout(function () { if (socket.connected) { join(); } }, joinDelay);
    joinDelay = Math.min(joinDelay * 2, 30000);
  }

  socket.on("connect", function () { setConnection("connected", T.connected); join(); });
  socket.on("disconnect", function (reason) {
    joined = false;
    if (reason === "io server disconnect") { setConnection("closed", T.removed); return; }
    setConnection("reconnecting", T.reconnecting);
  });
  socket.on("connect_error", function (err) {
    if (err && err.data && err.data.code) {   // refused (signed out, say): it will not retry
      setConnection("closed", err.data.message);
      return;
    }
    setConnection("reconnecting", T.reconnecting);
  });
  socket.on("event", function (e) { if (joining) { held.push(e); } else { receive(e); } });
  socket.on("presence", drawPresence);
  socket.on("me", function (msg) {
    if ("muted" in msg) { me.muted = msg.muted; drawMe(); if (msg.muted) { announce(T.muted); } }
  });
  socket.on("pending_question", function (msg) { questions[msg.question.id] = msg.question; drawQuestions(); });

  function receive(e) {
    if (e.session_id !== sessionId || lastSeq === null || e.seq <= lastSeq) { return; }
    if (e.seq > lastSeq + 1) {        // a gap: wait briefly, then ask for what is missing
      ahead[e.seq] = e;
      if (!gapTimer) { gapTimer = window.setTimeout(function () { gapTimer = null; join(); }, 1500); }
      return;
    }
    apply(e, true);
    lastSeq = e.seq;
    drainAhead();
  }

  function drainAhead() {               // what was put aside, as far as it now follows on
    while (ahead[lastSeq + 1]) {
      var next = ahead[lastSeq + 1];
      delete ahead[lastSeq + 1];
      apply(next, true);
      lastSeq = next.seq;
    }
    Object.keys(ahead).forEach(function (seq) { if (+seq <= lastSeq) { delete ahead[seq]; } });
    if (gapTimer && Object.keys(ahead).length === 0) { window.clearTimeout(gapTimer); gapTimer = null; }
  }

  function apply(e, live) {
    var d = e.data;
    switch (e.type) {
      case "chat": addChat(e, live); break;
      case "question":
        questions[d.question.id] = d.question; drawQuestions();
        if (live) { announce(T.new_question + ": " + d.question.body); }
        break;
      case "upvote": if (questions[d.question_id]) { questions[d.question_id].votes = d.votes; drawQuestions(); } break;
      case "question_state":
        var q = questions[d.question_id];
        if (q) {
          q.status = d.status; q.reason = d.reason;
          if (d.status === "hidden") { q.body = ""; }
          if (d.merged_into && questions[d.merged_into]) { questions[d.merged_into].votes = d.votes; }
          drawQuestions();
        }
        break;
      case "question_pin": if (questions[d.question_id]) { questions[d.question_id].pinned = d.pinned; drawQuestions(); } break;
      case "hand": case "floor":
        drawQueue(d.queue);
        if (e.type === "floor" && d.queue.speaking) {
          announce(d.queue.speaking.who.id === me.id ? T.floor_to_you : fmt(T.speaking, { who: who(d.queue.speaking.who) }));
        }
        break;
      case "poll": case "vote":
        var isNew = !polls[d.poll.id];
        polls[d.poll.id] = d.poll; drawPolls();
        if (isNew && live) { announce(fmt(T.poll_opened, { q: d.poll.question })); }
        break;
      case "participant": break;  // a member hears of their own mute by "me"
      case "slow_mode": announce(fmt(T.slow_mode, { n: d.seconds })); break;
      case "proposal": case "position": case "proposal_closed":
        if (window.RadslagDeliberation) { window.RadslagDeliberation.roomEvent(e, live); }
        break;
      case "session":
        status = d.status; drawMe();
        announce(d.status === "live" ? T.session_started : T.session_ended);
        if (d.status === "ended") { window.setTimeout(function () { window.location.reload(); }, 1500); }
        break;
    }
  }

  // --- Drawing ----------------------------------------------------------------------------

  function drawState(state) {
    me = state.me; status = state.status;
    questions = {}; state.questions.forEach(function (q) { questions[q.id] = q; });
    polls = {}; state.polls.forEach(function (p) { polls[p.id] = p; });
    drawQuestions(); drawPolls(); drawQueue(state.queue); drawMe();
  }

  function drawMe() {
    $("live-moderation").hidden = !me.staff;
    var notLive = status !== "live";
    ["live-chat-form", "live-ask-form"].forEach(function (id) {
      Array.prototype.forEach.call($(id).elements, function (c) { c.disabled = notLive || me.muted; });
    });
    $("live-hand").disabled = notLive;
  }

  function addChat(e, live) {
    var list = $("live-chat");
    if (list.querySelector('[data-seq="' + e.seq + '"]')) { return; }
    var time = el("time", { datetime: e.at, text: new Date(e.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) });
    var item = el("li", { "data-seq": e.seq }, [
      el("span", { "class": "live-chat__who", text: who(e.actor, e.seq) }), document.createTextNode(" "),
      time, el("p", { "class": "live-chat__body", text: e.data.body })]);
    if (me.staff && e.actor && e.actor.role === "member" && !mine[e.seq]) {
      item.appendChild(modButton(T.mute, "mute", { seq: e.seq }));
      item.appendChild(modButton(T.remove, "remove", { seq: e.seq }, true));
    }
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
    if (live && !mine[e.seq] && !(e.actor && e.actor.id === me.id)) { announce(fmt(T.new_message, { who: who(e.actor) }) + ": " + e.data.body); }
  }

  function modButton(label, action, extra, needsReason) {
    var button = el("button", { type: "button", "class": "link-button", text: label });
    button.addEventListener("click", function () {
      var payload = Object.assign({ session_id: sessionId, action: action }, extra);
      if (needsReason) {
        var reason = window.prompt(T.reason);
        if (!reason) { return; }
        payload.reason = reason;
      }
      if (action === "merge") {
        var into = parseInt(window.prompt(T.merge_into) || "", 10);
        if (!into) { return; }
        payload.into_id = into;
      }
      call("moderate", payload);
    });
    return button;
  }

  function drawQuestions() {
    var list = $("live-questions");
    list.textContent = "";
    var shown = Object.keys(questions).map(function (k) { return questions[k]; })
      .filter(function (q) { return me.staff || ["open", "answered", "pending"].indexOf(q.status) >= 0; })
      .sort(function (a, b) { return (b.pinned - a.pinned) || (b.votes - a.votes) || (a.id - b.id); });
    shown.forEach(function (q) {
      var states = [q.pinned ? T.pinned : null, q.status !== "open" ? T[q.status] : null].filter(Boolean);
      var item = el("li", { "class": "live-question live-question--" + q.status, id: "question-" + q.id }, [
        el("p", { text: q.body || T.hidden }),
        el("p", { "class": "meta", text: "#" + q.id + " · " + who(q.author) + " · " + q.votes + " " + T.votes +
          (states.length ? " · " + states.join(", ") : "") + (q.reason ? " (" + q.reason + ")" : "") })]);
      if (q.status === "open" && q.author.id !== me.id) {
        var voted = me.voted_questions.indexOf(q.id) >= 0;
        var up = el("button", { type: "button", "class": "button button--small button--secondary",
          "aria-pressed": voted ? "true" : "false", text: voted ? T.voted : T.upvote });
        up.disabled = voted;
        up.addEventListener("click", function () {
          call("upvote", { question_id: q.id }, function (r) { if (r.ok) { me.voted_questions.push(q.id); drawQuestions(); } });
        });
        item.appendChild(up);
      }
      if (me.staff) {
        var tools = el("p", { "class": "actions" });
        if (q.status === "pending") { tools.appendChild(modButton(T.approve, "approve", { question_id: q.id })); }
        if (q.status === "open") { tools.appendChild(modButton(T.answer, "answer", { question_id: q.id })); }
        tools.appendChild(modButton(q.pinned ? T.unpin : T.pin, "pin", { question_id: q.id, pinned: !q.pinned }));
        tools.appendChild(modButton(T.defer, "defer", { question_id: q.id }, true));
        tools.appendChild(modButton(T.merge, "merge", { question_id: q.id }, true));
        tools.appendChild(modButton(T.hide, "hide", { question_id: q.id }, true));
        item.appendChild(tools);
      }
      list.appendChild(item);
    });
  }

  var handRaised = false;
  function drawQueue(queue) {
    $("live-speaking").textContent = queue.speaking ? fmt(T.speaking, { who: who(queue.speaking.who) }) : T.nobody;
    var list = $("live-queue");
    list.textContent = "";
    handRaised = !!(queue.speaking && queue.speaking.who.id === me.id);
    queue.waiting.forEach(function (turn) {
      if (turn.who.id === me.id) { handRaised = true; }
      var item = el("li", { text: who(turn.who) + " · " + sector(turn.sector) + " " });
      if (me.staff) {
        item.appendChild(modButton(T.grant, "grant_floor", { turn_id: turn.id }));
        item.appendChild(modButton(T.lower_hand, "lower_hand", { turn_id: turn.id }));
      }
      list.appendChild(item);
    });
    var hand = $("live-hand");
    hand.textContent = handRaised ? T.lower : T.raise;
    hand.setAttribute("aria-pressed", handRaised ? "true" : "false");
    var rows = $("live-turn-stats");
    rows.textContent = "";
    Object.keys(queue.by_sector).forEach(function (s) {
      var v = queue.by_sector[s];
      rows.appendChild(el("tr", {}, [el("th", { scope: "row", text: sector(s) }), el("td", { text: String(v.turns) }),
        el("td", { text: (v.seconds / 60).toFixed(1) })]));
    });
  }

  function drawPolls() {
    var box = $("live-polls");
    box.textContent = "";
    var repeat = $("live-poll-repeat");
    while (repeat.options.length > 1) { repeat.remove(1); }
    Object.keys(polls).map(function (k) { return polls[k]; }).sort(function (a, b) { return b.id - a.id; }).forEach(function (p) {
      repeat.appendChild(el("option", { value: p.id, text: p.question }));
      var section = el("fieldset", { "class": "live-poll" }, [el("legend", { text: p.question })]);
      var canVote = p.status === "open" && me.voted_polls.indexOf(p.id) < 0 && status === "live";
      if (canVote) {
        var form = el("form", { "class": "live-form" });
        p.choices.forEach(function (c, i) {
          var id = "poll-" + p.id + "-" + i;
          form.appendChild(el("div", { "class": "field--check" }, [
            el("input", { type: p.multiple ? "checkbox" : "radio", name: "choice", value: i, id: id }),
            el("label", { "for": id, text: c })]));
        });
        form.appendChild(el("button", { type: "submit", "class": "button button--small", text: T.vote }));
        form.addEventListener("submit", function (ev) {
          ev.preventDefault();
          var picked = Array.prototype.filter.call(form.elements.choice ? form.querySelectorAll("input") : [], function (i) { return i.checked; })
            .map(function (i) { return parseInt(i.value, 10); });
          call("vote", { poll_id: p.id, choice: p.multiple ? picked : picked[0] }, function (r) {
            if (r.ok) { me.voted_polls.push(p.id); drawPolls(); }
          });
        });
        section.appendChild(form);
      }
      section.appendChild(p.results ? resultsTable(p) : el("p", { "class": "meta", text: T.results_later + " (" + (p.ballots || 0) + " " + T.ballots + ")" }));
      if (me.staff && p.status === "open") { section.appendChild(modButton(T.close_poll, "close_poll", { poll_id: p.id })); }
      box.appendChild(section);
    });
  }

  function resultsTable(p) {
    var head = el("tr", {}, [el("th", { scope: "col", text: "" })].concat(p.choices.map(function (c) { return el("th", { scope: "col", text: c }); })));
    var body = el("tbody");
    function row(label, counts, before) {
      body.appendChild(el("tr", {}, [el("th", { scope: "row", text: label })].concat(counts.map(function (n, i) {
        return el("td", { text: before ? before[i] + " → " + n : String(n) });
      }))));
    }
    var r = p.results;
    row(T.all, r.counts, r.before ? r.before.counts : null);
    Object.keys(r.by_sector).forEach(function (s) {
      row(sector(s), r.by_sector[s], r.before && r.before.by_sector[s] ? r.before.by_sector[s] : null);
    });
    return el("table", { "class": "table live-results" }, [el("caption", { text: p.question + " · " + r.ballots + " " + T.ballots }), el("thead", {}, [head]), body]);
  }

  function drawPresence(p) {
    if (p.session_id !== sessionId) { return; }
    $("live-presence-count").textContent = fmt(T.people_here, { n: p.count });
    var sectors = $("live-presence-sectors");
    sectors.textContent = "";
    Object.keys(p.by_sector).forEach(function (s) {
      if (p.by_sector[s]) { sectors.appendChild(el("li", { text: sector(s) + ": " + p.by_sector[s] })); }
    });
    var people = $("live-presence");
    people.textContent = "";
    p.participants.forEach(function (a) { people.appendChild(el("li", { text: who(a) })); });
  }

  // --- Controls ---------------------------------------------------------------------------

  function bindText(formId, fieldId, event) {
    $(formId).addEventListener("submit", function (ev) {
      ev.preventDefault();
      var field = $(fieldId);
      if (!field.value.trim()) { return; }
      if (!joined) { showError({ ok: false, error: { message: T.reconnecting } }); return; }  // kept in the field
      call(event, { session_id: sessionId, body: field.value }, function (r) {
        if (r.ok) {
          if (r.seq) {
            mine[r.seq] = true;
            var drawn = document.querySelector('#live-chat [data-seq="' + r.seq + '"] .live-chat__who');
            if (drawn) { drawn.textContent = T.you; }
          }
          field.value = ""; field.focus();
        }
        if (r.ok && r.status === "pending") { announce(T.pending); }
      });
    });
  }
  bindText("live-chat-form", "live-chat-body", "chat");
  bindText("live-ask-form", "live-ask-body", "ask");
  $("live-chat-body").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("live-chat-form").requestSubmit(); }
  });
  $("live-hand").addEventListener("click", function () {
    call("hand", { session_id: sessionId, raised: !handRaised });
  });
  Array.prototype.forEach.call(root.querySelectorAll("[data-moderate]"), function (button) {
    button.addEventListener("click", function () {
      call("moderate", { session_id: sessionId, action: button.dataset.moderate });
    });
  });
  $("live-slow-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    call("moderate", { session_id: sessionId, action: "slow_mode", seconds: parseInt($("live-slow-seconds").value, 10) || 0 });
  });
  $("live-poll-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var repeat = $("live-poll-repeat").value;
    var payload = { session_id: sessionId, action: "open_poll",
      results: $("live-poll-hidden").checked ? "after_close" : "live" };
    if (repeat) { payload.repeat_of = parseInt(repeat, 10); }
    else {
      payload.question = $("live-poll-question").value;
      payload.choices = $("live-poll-choices").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      payload.multiple = $("live-poll-multiple").checked;
    }
    call("moderate", payload, function (r) { if (r.ok) { ev.target.reset(); } });
  });
})();
