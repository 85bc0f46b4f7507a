// Chapter 3's filtering, in the page: a photo made grey, made small, and cross-correlated.
//
// Mirrors book/samples.py and book/conv.py:
//   grey(rgba, width, height, luma)       -> (H, W) grey levels   ~ samples.photo_gray
//     rgba: (H, W, 4) bytes, row by row, as a canvas's getImageData gives them;
//     luma: the three weights of samples.BT601_LUMA, passed in from the page's data;
//     each pixel round(luma[0] R + luma[1] G + luma[2] B), halves to even as np.round.
//   shrink(image, height, width, maxSide) -> {image: (h, w), height: h, width: w}
//     area averaging so that the longer side is at most maxSide, then rounded again: a
//     phone photo (4000 x 3000) would make a feature map of 12 million values for a figure
//     shown 300 px wide, so the page would work (and hold in memory) 200 times more than
//     it can show. Output pixel (i, j) is the mean of the input rectangle it covers
//     (height / h by width / w input pixels; partly covered pixels count with the part
//     covered): book.digits.area_average_matrix along each axis.
//   filterImage(image, height, width, kernel) -> (H - 2, W - 2)   ~ conv.filter_image
//     image: (H, W), kernel: (3, 3), both row by row; valid cross-correlation:
//     out[i][j] = sum over a, b of image[i + a][j + b] * kernel[a][b] (no flip).
// Arrays are flat and row by row: pixel (i, j) of an (H, W) image is image[i * W + j].
var bookConv = (function () {
  "use strict";

  // np.round: a value exactly halfway goes to the even neighbour (2.5 -> 2, 3.5 -> 4).
  function roundHalfEven(value) {
    var rounded = Math.round(value);
    return (rounded - value === 0.5 && rounded % 2 !== 0) ? rounded - 1 : rounded;
  }

  function grey(rgba, width, height, luma) {
    var out = new Uint8Array(width * height);
    for (var p = 0; p < width * height; p++) {
      out[p] = roundHalfEven(luma[0] * rgba[4 * p] + luma[1] * rgba[4 * p + 1]
                             + luma[2] * rgba[4 * p + 2]);
    }
    return out;
  }

  // One axis of area averaging: each of the `lines` lines of `sizeIn` values, `step` apart
  // (1 along a row, the row length down a column), becomes `sizeOut` means.
  function averageAxis(image, lines, sizeIn, sizeOut, lineStride, step) {
    var pixel = sizeIn / sizeOut;
    var out = new Float64Array(lines * sizeOut);
    for (var line = 0; line < lines; line++) {
      for (var i = 0; i < sizeOut; i++) {
        var start = i * pixel, end = start + pixel, sum = 0;
        for (var k = Math.floor(start); k < Math.min(Math.ceil(end), sizeIn); k++) {
          var overlap = Math.min(end, k + 1) - Math.max(start, k);
          sum += overlap * image[line * lineStride + k * step];
        }
        out[line * sizeOut + i] = sum / pixel;
      }
    }
    return out;
  }

  function shrink(image, height, width, maxSide) {
    var scale = Math.min(1, maxSide / Math.max(height, width));
    var h = Math.max(1, Math.round(height * scale));
    var w = Math.max(1, Math.round(width * scale));
    if (h === height && w === width) {
      return {image: image, height: height, width: width};
    }
    var rows = averageAxis(image, height, width, w, width, 1);        // (H, w)
    var both = averageAxis(rows, w, height, h, 1, w);                 // (w, h): transposed
    var out = new Uint8Array(h * w);
    for (var i = 0; i < h; i++) {
      for (var j = 0; j < w; j++) {
        out[i * w + j] = roundHalfEven(both[j * h + i]);
      }
    }
    return {image: out, height: h, width: w};
  }

  function filterImage(image, height, width, kernel) {
    var out = new Float64Array((height - 2) * (width - 2));
    for (var i = 0; i < height - 2; i++) {
      for (var j = 0; j < width - 2; j++) {
        var sum = 0;
        for (var a = 0; a < 3; a++) {
          for (var b = 0; b < 3; b++) {
            sum += image[(i + a) * width + (j + b)] * kernel[a * 3 + b];
          }
        }
        out[i * (width - 2) + j] = sum;
      }
    }
    return out;
  }

  return {grey: grey, shrink: shrink, filterImage: filterImage};
})();
