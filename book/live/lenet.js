// LeNet-5's forward pass in the page: book.models.lenet5() (tanh, average pooling), the
// stages book.models.feature_maps returns, computed as plainly as book/conv.py does.
// A map is {shape: [C, H, W], data: Float64Array, row-major}; weights are
// {"C1.weight": {shape: [6, 1, 5, 5], data}, "C1.bias": {shape: [6], data}, ...} as
// model.state_dict() names them.
// lenet5Forward(weights, x): x: (1, 28, 28) standardised pixels ->
//   {C1: (6, 28, 28), S2: (6, 14, 14), C3: (16, 10, 10), S4: (16, 5, 5), C5: (120, 1, 1),
//    F6: (84,), logits: (10,), probabilities: (10,)}; C1, C3, C5 and F6 after their tanh.
(function (live) {
  // conv2d: x (C, H, W), weight (F, C, k, k), bias (F,), padding p -> (F, H', W'),
  // H' = H + 2p - k + 1; out[f, i, j] = bias[f] + sum over c, a, b of
  // weight[f, c, a, b] * x[c, i + a - p, j + b - p] (zero outside x).
  function conv2d(x, weight, bias, padding) {
    var C = x.shape[0], H = x.shape[1], W = x.shape[2];
    var F = weight.shape[0], k = weight.shape[2];
    var outH = H + 2 * padding - k + 1, outW = W + 2 * padding - k + 1;
    var out = new Float64Array(F * outH * outW);
    for (var f = 0; f < F; f++) {
      for (var i = 0; i < outH; i++) {
        for (var j = 0; j < outW; j++) {
          var sum = bias.data[f];
          for (var c = 0; c < C; c++) {
            for (var a = 0; a < k; a++) {
              var row = i + a - padding;
              if (row < 0 || row >= H) { continue; }
              for (var b = 0; b < k; b++) {
                var column = j + b - padding;
                if (column < 0 || column >= W) { continue; }
                sum += weight.data[((f * C + c) * k + a) * k + b] *
                       x.data[(c * H + row) * W + column];
              }
            }
          }
          out[(f * outH + i) * outW + j] = sum;
        }
      }
    }
    return {shape: [F, outH, outW], data: out};
  }

  function tanh(x) {
    return {shape: x.shape, data: x.data.map(Math.tanh)};
  }

  // avgpool2: x (C, H, W) -> (C, H/2, W/2), the mean of each 2x2 window, stride 2.
  function avgpool2(x) {
    var C = x.shape[0], H = x.shape[1], W = x.shape[2], outH = H >> 1, outW = W >> 1;
    var out = new Float64Array(C * outH * outW);
    for (var c = 0; c < C; c++) {
      for (var i = 0; i < outH; i++) {
        for (var j = 0; j < outW; j++) {
          var at = (c * H + 2 * i) * W + 2 * j;
          out[(c * outH + i) * outW + j] =
            (x.data[at] + x.data[at + 1] + x.data[at + W] + x.data[at + W + 1]) / 4;
        }
      }
    }
    return {shape: [C, outH, outW], data: out};
  }

  // linear: x (n,) (any shape, flattened), weight (m, n), bias (m,) -> (m,).
  function linear(x, weight, bias) {
    var m = weight.shape[0], n = weight.shape[1], out = new Float64Array(m);
    for (var i = 0; i < m; i++) {
      var sum = bias.data[i];
      for (var j = 0; j < n; j++) { sum += weight.data[i * n + j] * x.data[j]; }
      out[i] = sum;
    }
    return {shape: [m], data: out};
  }

  // softmax: scores (n,) -> probabilities (n,), shifted by the largest score so that
  // exp cannot overflow.
  function softmax(scores) {
    var largest = Math.max.apply(null, scores.data);
    var exps = scores.data.map(function (s) { return Math.exp(s - largest); });
    var total = exps.reduce(function (a, b) { return a + b; }, 0);
    return {shape: scores.shape, data: exps.map(function (e) { return e / total; })};
  }

  function lenet5Forward(weights, x) {
    var w = weights, stages = {};
    stages.C1 = tanh(conv2d(x, w["C1.weight"], w["C1.bias"], 2));
    stages.S2 = avgpool2(stages.C1);
    stages.C3 = tanh(conv2d(stages.S2, w["C3.weight"], w["C3.bias"], 0));
    stages.S4 = avgpool2(stages.C3);
    stages.C5 = tanh(conv2d(stages.S4, w["C5.weight"], w["C5.bias"], 0));
    stages.F6 = tanh(linear(stages.C5, w["F6.weight"], w["F6.bias"]));
    stages.logits = linear(stages.F6, w["output.weight"], w["output.bias"]);
    stages.probabilities = softmax(stages.logits);
    return stages;
  }

  live.lenet5Forward = lenet5Forward;
})(window.bookLive = window.bookLive || {});
