// A drawing made into an MNIST digit: book.digits.mnist_style, step for step.
// mnistStyle(drawing, height, width): drawing: (H, W) ink in [0, 1], row-major array
//   -> digit: (28, 28) Float64Array in [0, 1], or null when there is no ink.
// The bounding box of ink > 0 is scaled by area averaging so that its longer side is 20
// pixels, then put in a 28x28 field at the whole-pixel offset that brings its centre of
// mass nearest pixel (14, 14): top = floor(14 - cy + 0.5 + 1e-9), clamped into the field.
(function (live) {
  var FIELD = 28, BOX = 20, TIE = 1e-9;  // TIE: as book.digits, so that ties round alike

  // book.digits.area_average_matrix: (sizeOut, sizeIn) weights, row by row.
  function areaAverageMatrix(sizeIn, pixel) {
    var sizeOut = Math.ceil(sizeIn / pixel - TIE), rows = [];
    for (var i = 0; i < sizeOut; i++) {
      var row = new Float64Array(sizeIn), start = i * pixel;
      for (var j = 0; j < sizeIn; j++) {
        var overlap = Math.min(start + pixel, j + 1) - Math.max(start, j);
        row[j] = Math.max(overlap, 0) / pixel;
      }
      rows.push(row);
    }
    return rows;
  }

  function mnistStyle(drawing, height, width) {
    var top = height, bottom = -1, left = width, right = -1;
    for (var r = 0; r < height; r++) {
      for (var c = 0; c < width; c++) {
        if (drawing[r * width + c] > 0) {
          top = Math.min(top, r); bottom = Math.max(bottom, r);
          left = Math.min(left, c); right = Math.max(right, c);
        }
      }
    }
    if (bottom < 0) { return null; }
    var boxHeight = bottom - top + 1, boxWidth = right - left + 1;
    var pixel = Math.max(boxHeight, boxWidth) / BOX;
    var down = areaAverageMatrix(boxHeight, pixel), across = areaAverageMatrix(boxWidth, pixel);
    var h = down.length, w = across.length;
    // scaled = down @ box @ across^T summed as numpy's @ does, left to right:
    // first half = down @ box, (h, boxWidth), then half @ across^T, (h, w)
    var half = [];
    for (r = 0; r < h; r++) {
      var line = new Float64Array(boxWidth);
      for (c = 0; c < boxWidth; c++) {
        var sum = 0;
        for (var k = 0; k < boxHeight; k++) {
          sum += down[r][k] * drawing[(top + k) * width + left + c];
        }
        line[c] = sum;
      }
      half.push(line);
    }
    var scaled = new Float64Array(h * w), ink = 0, rowMass = 0, columnMass = 0;
    for (r = 0; r < h; r++) {
      for (c = 0; c < w; c++) {
        var value = 0;
        for (k = 0; k < boxWidth; k++) { value += half[r][k] * across[c][k]; }
        value = Math.min(value, 1);  // rounding may lift a mean of ones a hair above 1
        scaled[r * w + c] = value;
        ink += value; rowMass += r * value; columnMass += c * value;
      }
    }
    var centre = FIELD / 2;
    var nearestTop = Math.floor(centre - rowMass / ink + 0.5 + TIE);
    var nearestLeft = Math.floor(centre - columnMass / ink + 0.5 + TIE);
    var offsetTop = Math.min(Math.max(nearestTop, 0), FIELD - h);
    var offsetLeft = Math.min(Math.max(nearestLeft, 0), FIELD - w);
    var digit = new Float64Array(FIELD * FIELD);
    for (r = 0; r < h; r++) {
      for (c = 0; c < w; c++) {
        digit[(offsetTop + r) * FIELD + offsetLeft + c] = scaled[r * w + c];
      }
    }
    return digit;
  }

  live.mnistStyle = mnistStyle;
})(window.bookLive = window.bookLive || {});
