// Your own photo through chapter 3's filters: the page reads a photo, makes it grey and
// small, cross-correlates it with a 3x3 kernel and shows both, with the map's range.
//
// Reads the markup of book/live/photo_filter.py and its data
//   {"filters": [{"name": text, "weights": (3, 3) integers, "divisor": d}],
//    "luma": (3,) BT.601 weights, "max_side": n, "assets": {"portrait": URL of a JPEG}}
// and computes with bookConv (conv.js, inlined before this file):
//   photo -> rgba (H0, W0, 4) -> grey (H0, W0) -> shrink -> grey input (H, W), H, W <= n
//   grey input, kernel (3, 3) = weights / divisor -> feature map (H - 2, W - 2)
// For tests and the curious, the figure's element has readFigure(): {grey: (H, W) and
// map: (H - 2, W - 2) as nested arrays of numbers, kernel: (3, 3), source: text}.
// The photo is read with createImageBitmap in the page: nothing is uploaded.
(function () {
  "use strict";
  // Canvas size that every browser (iOS Safari too) can hold; larger photos are first
  // drawn at this size by the browser, then area-averaged to max_side here.
  var LARGEST_CANVAS_SIDE = 4096;

  function setUp(root) {
    root.dataset.ready = "true";
    var data = JSON.parse(root.querySelector("script.book-live-data").textContent);
    var menu = root.querySelector("select");
    var boxes = Array.prototype.slice.call(root.querySelectorAll("input.book-photo-weight"));
    var divisorBox = root.querySelector("input.book-photo-divisor");
    var fileInput = root.querySelector("input[type=file]");
    var message = root.querySelector(".book-photo-message");
    var status = root.querySelector(".book-photo-status");
    var range = root.querySelector(".book-photo-range");
    var legend = root.querySelector(".book-photo-legend");
    var scaleBar = root.querySelector(".book-photo-scale");
    var greyCanvas = root.querySelector("canvas.book-photo-grey");
    var mapCanvas = root.querySelector("canvas.book-photo-map");
    var photo = null;   // {image: grey levels (H, W), height, width, source}
    var shown = null;   // {map: (H - 2, W - 2), kernel: (3, 3)}
    // Photos decode at their own pace: only the latest one asked for may be shown, so a
    // slow portrait or an earlier file cannot replace the reader's last choice.
    var latestRequest = 0;

    // -> the kernel as 9 numbers, or a one-line reason why the boxes do not make one.
    function readKernel() {
      var values = [];
      for (var k = 0; k < 9; k++) {
        var value = boxes[k].valueAsNumber;
        if (!isFinite(value)) {
          return "Weight " + (Math.floor(k / 3) + 1) + "," + (k % 3 + 1)
                 + " is not a number: type a number such as -1, 0 or 2.5.";
        }
        values.push(value);
      }
      var divisor = divisorBox.valueAsNumber;
      if (!isFinite(divisor) || divisor === 0) {
        return "Divide by a number other than 0 (1 keeps the weights as they are).";
      }
      var kernel = values.map(function (value) { return value / divisor; });
      if (!kernel.every(isFinite)) {
        return "These weights divided by " + divisor + " are too large a number: "
               + "divide by a larger number.";
      }
      return kernel;
    }

    function fillBoxes(filter) {
      filter.weights.forEach(function (row, a) {
        row.forEach(function (weight, b) { boxes[3 * a + b].value = String(weight); });
      });
      divisorBox.value = String(filter.divisor);
    }

    function greyRgb(value) { return "rgb(" + value + "," + value + "," + value + ")"; }

    // As chapter 3's filter table (book.figures.conv): a kernel whose weights add up to 0
    // keeps only changes, so its map is drawn blue below 0, white at 0 and red above,
    // symmetric about 0 (reach: the largest |value|). Any other kernel makes a picture of
    // the photo, drawn in grey clipped to 0..255 like the photo itself.
    function addsUpToZero(kernel) {
      var sum = 0, size = 0;
      kernel.forEach(function (weight) { sum += weight; size += Math.abs(weight); });
      return Math.abs(sum) <= 1e-9 * size;   // 0 but for rounding in typed decimals
    }

    function colourOf(value, reach, diverging) {
      if (diverging) {
        var t = reach > 0 ? value / reach : 0;
        var fade = Math.round(255 * (1 - Math.abs(t)));
        return t < 0 ? [fade, fade, 255] : [255, fade, fade];
      }
      var level = Math.min(255, Math.max(0, Math.round(value)));
      return [level, level, level];
    }

    function paint(canvas, values, height, width, colour) {
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d");
      var pixels = context.createImageData(width, height);
      for (var p = 0; p < width * height; p++) {
        var rgb = colour(values[p]);
        pixels.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * p);
      }
      context.putImageData(pixels, 0, 0);
    }

    function format(value) { return String(Number(value.toPrecision(4))); }

    function render() {
      var kernel = readKernel();
      message.textContent = typeof kernel === "string" ? kernel : "";
      if (typeof kernel === "string" || photo === null) {
        return;   // the last good picture stays, with the message beside the grid
      }
      var map = bookConv.filterImage(photo.image, photo.height, photo.width, kernel);
      var low = Infinity, high = -Infinity;
      for (var p = 0; p < map.length; p++) {
        low = Math.min(low, map[p]);
        high = Math.max(high, map[p]);
      }
      if (!isFinite(low) || !isFinite(high)) {   // Infinity, or NaN from Infinity - Infinity
        message.textContent = "These weights make feature map values too large for the page: "
          + "use smaller weights or a larger number to divide by.";
        return;
      }
      var diverging = addsUpToZero(kernel);
      var reach = Math.max(-low, high);
      paint(greyCanvas, photo.image, photo.height, photo.width, function (v) {
        return [v, v, v];
      });
      paint(mapCanvas, map, photo.height - 2, photo.width - 2, function (v) {
        return colourOf(v, reach, diverging);
      });
      scaleBar.dataset.kind = diverging ? "diverging" : "grey";
      scaleBar.firstElementChild.textContent = diverging ? "\u2212" + format(reach) : "0";
      scaleBar.lastElementChild.textContent = diverging ? format(reach) : "255";
      legend.textContent = diverging
        ? "Colour: blue below 0, white at 0, red above 0 (the weights add up to 0)."
        : "Grey, clipped to 0..255: black at 0 and below, white at 255 and above "
          + "(the weights do not add up to 0).";
      range.textContent = "Feature map values from " + format(low) + " to " + format(high);
      var name = menu.value === "" ? "your own kernel" : "the " + menu.value + " kernel";
      status.textContent = "Showing " + photo.source + " in grey (" + photo.height + " \u00d7 "
        + photo.width + " pixels) and its feature map with " + name + " ("
        + (photo.height - 2) + " \u00d7 " + (photo.width - 2) + "), values from "
        + format(low) + " to " + format(high) + ", drawn "
        + (diverging ? "blue to white to red." : "in grey clipped to 0..255.");
      shown = {map: map, kernel: kernel};
      root.dataset.renders = String(Number(root.dataset.renders || 0) + 1);
    }

    // request: the number latestRequest had when this photo was asked for.
    function usePhoto(blob, source, request) {
      return createImageBitmap(blob).then(function (bitmap) {
        if (request !== latestRequest) { bitmap.close(); return; }
        var scale = Math.min(1, LARGEST_CANVAS_SIDE / Math.max(bitmap.width, bitmap.height));
        var width = Math.round(bitmap.width * scale), height = Math.round(bitmap.height * scale);
        var canvas = document.createElement("canvas");
        canvas.width = width;
        canvas.height = height;
        var context = canvas.getContext("2d", {willReadFrequently: true});
        context.drawImage(bitmap, 0, 0, width, height);
        bitmap.close();
        var rgba = context.getImageData(0, 0, width, height).data;
        var small = bookConv.shrink(bookConv.grey(rgba, width, height, data.luma),
                                    height, width, data.max_side);
        if (small.height < 3 || small.width < 3) {
          message.textContent = "This picture is smaller than 3 \u00d7 3 pixels: choose a larger one.";
          return;
        }
        small.source = source;
        photo = small;
        render();
      }).catch(function () {
        if (request === latestRequest) {
          message.textContent = "This file could not be read as an image: choose a JPEG or PNG.";
        }
      });
    }

    function loadPortrait() {
      if (photo !== null || root.dataset.portrait) { return; }
      root.dataset.portrait = "requested";
      var request = ++latestRequest;
      fetch(data.assets.portrait).then(function (response) {
        if (!response.ok) { throw new Error(response.statusText); }
        return response.blob();
      }).then(function (blob) {
        return usePhoto(blob, "the portrait", request);
      }).catch(function () {
        if (request === latestRequest) {
          message.textContent = "The portrait could not be loaded: choose a photo of your own.";
        }
      });
    }

    menu.addEventListener("change", function () {
      var filter = data.filters.find(function (f) { return f.name === menu.value; });
      if (filter) { fillBoxes(filter); }
      render();
    });
    boxes.concat([divisorBox]).forEach(function (box) {
      box.addEventListener("input", function () {
        var kernel = readKernel();
        var same = data.filters.find(function (f) {
          return typeof kernel !== "string" && f.weights.every(function (row, a) {
            return row.every(function (w, b) {
              return w / f.divisor === kernel[3 * a + b];
            });
          });
        });
        menu.value = same ? same.name : "";
        render();
      });
    });
    fileInput.addEventListener("change", function () {
      if (fileInput.files.length > 0) {
        var file = fileInput.files[0];
        root.dataset.portrait = root.dataset.portrait || "skipped";
        usePhoto(file, "your photo", ++latestRequest);
      }
    });

    root.readFigure = function () {
      function rows(values, height, width) {
        var out = [];
        for (var i = 0; i < height; i++) {
          out.push(Array.from(values.subarray(i * width, (i + 1) * width)));
        }
        return out;
      }
      if (photo === null || shown === null) { return null; }
      return {grey: rows(photo.image, photo.height, photo.width),
              map: rows(shown.map, photo.height - 2, photo.width - 2),
              kernel: rows(Float64Array.from(shown.kernel), 3, 3), source: photo.source};
    };

    fillBoxes(data.filters.find(function (f) { return f.name === menu.value; }));
    if (!("IntersectionObserver" in window)) {
      loadPortrait();
      return;
    }
    // The portrait loads when the figure comes within 200 px of the view (one element
    // observed, so entries[0] is the figure).
    var observer = new IntersectionObserver(function (entries) {
      if (entries[0].isIntersecting) { observer.disconnect(); loadPortrait(); }
    }, {rootMargin: "200px"});
    observer.observe(root);
  }

  document.querySelectorAll(".book-photo-filter:not([data-ready])").forEach(setUp);
})();
