(function () {
  var root = document.getElementById("__UID__");
  var data = JSON.parse(root.querySelector(".book-interactive-data").textContent);
  var img = root.querySelector(".book-interactive-frame");
  var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-param]"));
  var visible = false;
  function indexOf(input) {
    if (input.type === "checkbox") { return input.checked ? 1 : 0; }
    return parseInt(input.value, 10);
  }
  function show() {
    var key = inputs.map(indexOf).join("|");
    // Frames load only once the figure is in view; until then the controls still work.
    if (visible) { img.src = data.frames[data.index[key]]; }
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
  function reveal() {
    visible = true;
    show();
  }
  // Frames are drawn at data.scale times the density they are shown at (sharp on
  // high-density screens).
  img.addEventListener("load", function () {
    img.width = img.naturalWidth / data.scale;
    img.height = img.naturalHeight / data.scale;
  });
  inputs.forEach(function (input) {
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  });
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        reveal();
      }
    }, {rootMargin: "200px"});
    observer.observe(root);
    show();
  } else {
    reveal();
  }
})();
