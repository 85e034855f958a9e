(function () {
  "use strict";
  var table = document.getElementById("portfolio");
  if (!table) { return; }
  var groups = function () { return Array.prototype.slice.call(table.tBodies); };
  var toggles = [];
  groups().forEach(function (group) {
    var inputs = group.rows[1];
    if (!inputs) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "toggle";
    button.title = table.getAttribute("data-inputs");
    button.setAttribute("aria-label", button.title);
    button.setAttribute("aria-controls", inputs.id);
    var show = function (open) {
      inputs.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "▾" : "▸";
    };
    show(false);
    button.addEventListener("click", function () { show(inputs.hidden); });
    group.rows[0].cells[0].appendChild(button);
    toggles.push(show);
  });
  var all = document.getElementById("inputs-all");
  if (all) {
    all.hidden = false;
    all.addEventListener("click", function () {
      var open = all.getAttribute("aria-expanded") !== "true";
      toggles.forEach(function (show) { show(open); });
      all.setAttribute("aria-expanded", String(open));
      all.textContent = all.getAttribute(open ? "data-hide" : "data-show");
    });
  }
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, column) {
    var kind = th.getAttribute("data-sort-kind");
    if (!kind) { return; }
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var key = function (group) { return group.rows[0].cells[column].getAttribute("data-sort"); };
      var sorted = groups().sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = kind === "number" ? Number(x) - Number(y)
          : x.localeCompare(y, document.documentElement.lang, { numeric: true });
        return ascending ? order : -order;
      });
      sorted.forEach(function (group) { table.insertBefore(group, table.tFoot); });
    });
  });
})();
