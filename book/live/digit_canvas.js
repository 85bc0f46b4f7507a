// The draw-a-digit figure of book.live.digit_canvas: a drawing -> bookLive.mnistStyle
// (digits.js) -> standardised (x - mean) / std -> bookLive.lenet5Forward (lenet.js).
// Reads: the canvas's ink, (280, 280) alpha / 255; the weights file (float16, layout in
// data.layers) and the test digits (n, 28, 28) uint8, both fetched when the figure comes
// near the view. Shows: the (28, 28) input, 10 probabilities, C1 (6, 28, 28) and
// C3 (16, 10, 10) maps, a sentence (rewritten only when a stroke ends, on Clear or a test
// digit, so that a screen reader is not told every frame); keeps the last reading in
// root.bookDigit.
(function (live) {
  var root = document.getElementById("__UID__");
  var data = JSON.parse(root.querySelector(".book-live-data").textContent);
  var canvas = root.querySelector(".bd-canvas");
  var pen = canvas.getContext("2d", {willReadFrequently: true});
  var size = data.canvas, weights = null, samples = null, pending = false;
  var last = null, stroke = null;  // the stroke's last point and its pointer's id
  var status = root.querySelector(".bd-status");
  pen.lineWidth = size / 14;  // about 2 pixels of MNIST's 20-pixel box
  pen.lineCap = pen.lineJoin = "round";

  // IEEE half precision -> number (no Float16Array in every browser yet).
  function halfToNumber(bits) {
    var sign = bits & 0x8000 ? -1 : 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
    if (exponent === 0) { return sign * fraction * Math.pow(2, -24); }
    if (exponent === 31) { return fraction ? NaN : sign * Infinity; }
    return sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
  }

  function readWeights(buffer) {
    var halves = new Uint16Array(buffer), named = {};
    data.layers.forEach(function (layer) {
      var count = layer.shape.reduce(function (a, b) { return a * b; }, 1);
      var values = new Float64Array(count);
      for (var i = 0; i < count; i++) { values[i] = halfToNumber(halves[layer.offset + i]); }
      named[layer.name] = {shape: layer.shape, data: values};
    });
    return named;
  }

  function ink() {
    var rgba = pen.getImageData(0, 0, size, size).data, drawing = new Float64Array(size * size);
    for (var i = 0; i < drawing.length; i++) { drawing[i] = rgba[4 * i + 3] / 255; }
    return drawing;
  }

  // A map (C, H, W) as C small canvases: blue -1, white 0, red +1.
  function drawMaps(holder, map) {
    var C = map.shape[0], H = map.shape[1], W = map.shape[2];
    while (holder.children.length < C) {
      var small = document.createElement("canvas");
      small.width = W; small.height = H;
      small.setAttribute("aria-hidden", "true");
      holder.appendChild(small);
    }
    for (var c = 0; c < C; c++) {
      var context = holder.children[c].getContext("2d"), image = context.createImageData(W, H);
      for (var i = 0; i < H * W; i++) {
        var v = Math.max(-1, Math.min(1, map.data[c * H * W + i]));
        image.data[4 * i] = v < 0 ? 255 * (1 + v) : 255;
        image.data[4 * i + 1] = 255 * (1 - Math.abs(v));
        image.data[4 * i + 2] = v > 0 ? 255 * (1 - v) : 255;
        image.data[4 * i + 3] = 255;
      }
      context.putImageData(image, 0, 0);
    }
  }

  function blankMap(C, H, W) { return {shape: [C, H, W], data: new Float64Array(C * H * W)}; }

  function show(digit, stages, announce) {
    var input = root.querySelector(".bd-input").getContext("2d");
    var image = input.createImageData(28, 28);
    for (var i = 0; i < 784; i++) {
      var grey = 255 * (1 - (digit ? digit[i] : 0));
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = grey;
      image.data[4 * i + 3] = 255;
    }
    input.putImageData(image, 0, 0);
    drawMaps(root.querySelector(".bd-c1"), stages ? stages.C1 : blankMap(6, 28, 28));
    drawMaps(root.querySelector(".bd-c3"), stages ? stages.C3 : blankMap(16, 10, 10));
    var rows = root.querySelectorAll(".bd-bar-row");
    for (var d = 0; d < 10; d++) {
      var p = stages ? stages.probabilities.data[d] : 0;
      rows[d].querySelector(".bd-fill").style.width = (100 * p) + "%";
      rows[d].querySelector(".bd-value").textContent = stages ? p.toFixed(2) : "\u2013";
    }
    if (!announce) { return; }
    if (!stages) {
      status.textContent = "Draw a digit.";
      return;
    }
    var order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].sort(function (a, b) {
      return stages.probabilities.data[b] - stages.probabilities.data[a];
    });
    var probability = function (d) { return stages.probabilities.data[d].toFixed(2); };
    status.textContent = "LeNet-5 reads " + (order[0] === 8 ? "an " : "a ") + order[0] +
      " with probability " +
      probability(order[0]) + "; next: " + order[1] + ", " + probability(order[1]) + ".";
  }

  // read(announce): announce: whether the sentence is rewritten too.
  function read(announce) {
    pending = false;
    if (!weights) { return; }
    var digit = live.mnistStyle(ink(), size, size), stages = null;
    if (digit) {
      var x = new Float64Array(784);
      for (var i = 0; i < 784; i++) { x[i] = (digit[i] - data.mean) / data.std; }
      stages = live.lenet5Forward(weights, {shape: [1, 28, 28], data: x});
    }
    show(digit, stages, announce);
    root.bookDigit = {
      input: digit ? Array.from(digit) : null,
      logits: stages ? Array.from(stages.logits.data) : null,
      probabilities: stages ? Array.from(stages.probabilities.data) : null,
      C1: stages ? Array.from(stages.C1.data) : null,
      C3: stages ? Array.from(stages.C3.data) : null};
    root.setAttribute("data-updates", String(Number(root.getAttribute("data-updates")) + 1));
  }

  // While drawing, read at most once a frame; always once more when the stroke ends.
  function readSoon() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () { read(false); });
    }
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * size / box.width,
            (event.clientY - box.top) * size / box.height];
  }

  // One stroke at a time: a second finger on the canvas neither draws nor breaks the first.
  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    if (last) { return; }
    stroke = event.pointerId;
    canvas.setPointerCapture(stroke);
    last = point(event);
    pen.beginPath();
    pen.arc(last[0], last[1], pen.lineWidth / 2, 0, 2 * Math.PI);
    pen.fill();
    readSoon();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!last || event.pointerId !== stroke) { return; }
    var next = point(event);
    pen.beginPath();
    pen.moveTo(last[0], last[1]);
    pen.lineTo(next[0], next[1]);
    pen.stroke();
    last = next;
    readSoon();
  });
  ["pointerup", "pointercancel"].forEach(function (type) {
    canvas.addEventListener(type, function (event) {
      if (last && event.pointerId === stroke) { last = null; read(true); }
    });
  });

  root.querySelector(".bd-clear").addEventListener("click", function () {
    pen.clearRect(0, 0, size, size);
    read(true);
  });

  // A test digit on the canvas: each of its pixels a size/28 square, its value as ink.
  function putSample(index) {
    var image = pen.createImageData(size, size), scale = size / 28;
    for (var r = 0; r < size; r++) {
      for (var c = 0; c < size; c++) {
        var value = samples[index * 784 + Math.floor(r / scale) * 28 + Math.floor(c / scale)];
        image.data[4 * (r * size + c) + 3] = value;
      }
    }
    pen.putImageData(image, 0, 0);
    read(true);
  }
  var sampleButtons = root.querySelectorAll("[data-sample]");
  Array.prototype.forEach.call(sampleButtons, function (button) {
    button.addEventListener("click", function () {
      putSample(Number(button.getAttribute("data-sample")));
    });
  });

  function load() {
    root.setAttribute("data-status", "loading");
    status.textContent = "Loading the network's weights\u2026";
    var fetchBytes = function (url) {
      return fetch(url).then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.arrayBuffer();
      });
    };
    Promise.all([fetchBytes(data.assets.weights), fetchBytes(data.assets.samples)])
      .then(function (files) {
        weights = readWeights(files[0]);
        samples = new Uint8Array(files[1]);
        Array.prototype.forEach.call(sampleButtons, function (b) { b.disabled = false; });
        root.setAttribute("data-status", "ready");
        read(true);
      }, function (error) {
        root.setAttribute("data-status", "error");
        status.textContent = "The network's weights could not be loaded (" + error.message + ").";
      });
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        load();
      }
    }, {rootMargin: "200px"});
    observer.observe(root);
  } else {
    load();
  }
})(window.bookLive = window.bookLive || {});
