/* The bell in the header and the notifications page, kept up to date without a reload. The
   page connects to the /notifications namespace (as the signed-in member of its cookie); the
   server sends `notice` for each new notice and `unread` when the count changes. New notices
   are announced politely to screen readers. Without JavaScript the bell shows the count of
   the moment the page was made, and every button posts a form. */
(function () {
  "use strict";

  var me = document.currentScript;
  var bell = document.querySelector("[data-bell]");
  if (!bell || !me) { return; }

  function setCount(unread) {
    var count = bell.querySelector("[data-bell-count]");
    var number = bell.querySelector("[data-bell-number]");
    if (!count || !number || typeof unread !== "number") { return; }
    number.textContent = String(unread);
    count.hidden = unread === 0;
    bell.classList.toggle("bell--unread", unread > 0);
  }

  function announce(text) {
    var region = document.getElementById("notice-announcer");
    if (!region || !text) { return; }
    region.textContent = "";
    // a moment later, so that the same words twice are announced twice
    window.setTimeout(function () {
      region.textContent = (region.dataset.noticePrefix || "") + " " + text;
    }, 50);
  }

  function addToList(notice) {
    var list = document.querySelector("[data-notice-list]");
    if (!list) { return; }
    var empty = list.querySelector(".notice-list__empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.className = "notice-item notice-item--unread";
    item.dataset.noticeId = String(notice.id);
    var link = document.createElement(notice.link ? "a" : "span");
    if (notice.link) { link.href = notice.open; }
    link.textContent = notice.text;
    item.appendChild(link);
    list.insertBefore(item, list.firstChild);
  }

  function connect() {
    var socket = window.io("/notifications", { transports: ["websocket", "polling"] });
    socket.on("notice", function (notice) {
      setCount(notice.unread);
      addToList(notice);
      announce(notice.text);
    });
    socket.on("unread", function (message) { setCount(message.unread); });
    bell.dataset.live = "connecting";
    socket.on("connect", function () { bell.dataset.live = "on"; });
  }

  if (typeof window.io === "function") {
    connect();
  } else {
    var script = document.createElement("script");
    script.src = me.dataset.socketioSrc;
    script.onload = connect;
    document.head.appendChild(script);
  }
})();
