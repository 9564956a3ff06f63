/* Live statement rounds. Watches each [data-round-live] element through the /deliberation
   namespace (kind "round"): counts are redrawn, new statements are added to the latest list
   and announced, and a results page says when newer results exist. Without JavaScript the
   pages work as they are; messages carry the round's version and older ones are ignored. */
(function () {
  "use strict";

  var boxes = document.querySelectorAll("[data-round-live]");
  if (!boxes.length || typeof io === "undefined") { return; }
  var each = function (nodes, fn) { Array.prototype.forEach.call(nodes, fn); };

  function announce(box, text) {
    var region = box.querySelector("[data-announce]");
    if (region && text) { region.textContent = text; }
  }

  function apply(box, message) {
    if (!message || parseInt(box.dataset.version || "0", 10) >= message.version) { return; }
    box.dataset.version = String(message.version);
    each(box.querySelectorAll("[data-round-field]"), function (cell) {
      var value = message[cell.dataset.roundField];
      if (value != null) { cell.textContent = String(value); }
    });
    var list = box.querySelector("[data-round-latest]");
    if (list && message.new_statement) {
      var empty = list.querySelector("[data-empty]");
      if (empty) { empty.remove(); }
      var item = document.createElement("li");
      item.textContent = message.new_statement.text;
      list.insertBefore(item, list.firstChild);
      announce(box, (box.dataset.newStatement || "") + " " + message.new_statement.text);
    }
    var stale = box.querySelector("[data-results-stale]");
    if (stale) {
      stale.hidden = false;
      announce(box, stale.textContent);
    }
    if (message.status === "closed") { announce(box, box.dataset.closedText || ""); }
  }

  var socket = io("/deliberation", { transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    each(boxes, function (box) {
      var id = parseInt(box.dataset.roundLive, 10);
      socket.emit("watch", { kind: "round", id: id }, function () {});
    });
  });
  socket.on("tally", function (message) {
    if (message.kind !== "round") { return; }
    each(boxes, function (box) {
      if (parseInt(box.dataset.roundLive, 10) === message.id) { apply(box, message); }
    });
  });
})();
