(function () {
  var root = document.getElementById("__UID__");
  var data = JSON.parse(root.querySelector(".book-interactive-data").textContent);
  var img = root.querySelector(".book-interactive-frame");
  var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-param]"));
  function indexOf(input) {
    if (input.type === "checkbox") { return input.checked ? 1 : 0; }
    return parseInt(input.value, 10);
  }
  function show() {
    var key = inputs.map(indexOf).join("|");
    img.src = "data:image/png;base64," + data.frames[data.index[key]];
    img.alt = data.alts[key];
    root.setAttribute("data-key", key);
    inputs.forEach(function (input) {
      if (input.type === "range") {
        var text = JSON.parse(input.getAttribute("data-labels"))[indexOf(input)];
        input.setAttribute("aria-valuetext", text);
        input.nextElementSibling.textContent = text;
      }
    });
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  });
  show();
})();
