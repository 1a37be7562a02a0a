/* "Explore the theory" (book/explore.md): draws the precomputed closed-form risk curves of
 * window.EXPLORER_DATA (written by tools/explorer_data.py into data.js) as an SVG line plot.
 * Plain JavaScript, no library, no network: the page works offline and from file://.
 * The controls are built from the data's grid, so a new grid needs no change here.
 * The state lives in the URL's hash (#spike=30&view=retraining...), so a view can be linked;
 * a hash given on load is applied by setting each control and firing its "input" event, the
 * same path a reader's change takes. The plot is drawn at the width the page gives it (at most MAX_W
 * units, one legend column on a phone), so its text keeps its CSS size on a narrow screen. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  // the book's figures' colours and labels (overparam.book.curves.style_of, checked by
  // tests/test_explorer.py): a rule's colour, shared by its retrained twin; a dash per rule
  var STYLE = {
    "dense": { colour: "#000000", dash: "", width: 2.6, label: "dense (no pruning)" },
    "magnitude": { colour: "#0072B2", dash: "9 4", width: 2.2, label: "magnitude pruning" },
    "hessian": { colour: "#D55E00", dash: "2 3", width: 2.4, label: "Hessian pruning" },
    "oracle": { colour: "#009E73", dash: "12 3 3 3", width: 2.2, label: "oracle pruning" },
    "random": { colour: "#56B4E9", dash: "5 5", width: 2.2, label: "random pruning" },
    "magnitude+retrain": { colour: "#0072B2", dash: "9 4", width: 2.2, label: "magnitude + retrain" },
    "hessian+retrain": { colour: "#D55E00", dash: "2 3", width: 2.4, label: "Hessian + retrain" },
    "random+retrain": { colour: "#56B4E9", dash: "5 5", width: 2.2, label: "random + retrain" }
  };
  var VIEWS = {
    pruning: ["dense", "magnitude", "hessian", "oracle", "random"],
    retraining: ["dense", "magnitude+retrain", "hessian+retrain", "random+retrain"]
  };
  // the plot's frame in SVG units (W: its width, see plotWidth); the legend sits under it, LEGEND_COLUMNS
  // items a row, one where the plot is narrower than WIDE (top: room for two rows of the k = s and k = n labels)
  var W = 640, MAX_W = 640, MIN_W = 300, WIDE = 560, H = 390, M = { left: 60, right: 14, top: 44, bottom: 48 };
  var LABEL_GAP = 4, LABEL_ROW = 19, LABEL_CHAR = 8.5;  // SVG units; LABEL_CHAR: a 14 px character, unmeasured
  var LEGEND_TOP = 66, LEGEND_ROW = 22, LEGEND_COLUMNS = 3;

  function el(tag, attrs, parent, ns) {
    var node = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function svg(tag, attrs, parent) { return el(tag, attrs, parent, true); }
  // one SVG unit is one CSS pixel up to MAX_W: the width of the explorer's box, within [MIN_W, MAX_W]
  function plotWidth(root) { return Math.round(Math.min(MAX_W, Math.max(MIN_W, root.clientWidth || MAX_W))); }

  function fmt(x) {
    if (x === null || x === undefined || !isFinite(x)) { return "–"; }
    var a = Math.abs(x);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) { return x.toExponential(2); }
    return String(Number(x.toPrecision(a >= 100 ? 4 : 3)));
  }

  function logTicks(lo, hi) {
    var out = [], e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
    var sets = [[1], [1, 2, 5], [1, 1.5, 2, 3, 5, 7], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
    for (var i = 0; i < sets.length; i++) {
      out = [];
      for (var e = e0; e <= e1; e++) {
        sets[i].forEach(function (m) { var v = m * Math.pow(10, e); if (v >= lo * 0.999 && v <= hi * 1.001) { out.push(v); } });
      }
      if (out.length >= 4) { break; }
    }
    return out;
  }
  function linearTicks(lo, hi) {
    var raw = (hi - lo) / 6, mag = Math.pow(10, Math.floor(Math.log10(raw))), step = mag;
    [1, 2, 2.5, 5, 10].some(function (m) { step = m * mag; return step >= raw; });
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(Number(v.toPrecision(12))); }
    return out;
  }

  function Explorer(root, data) {
    this.root = root;
    this.data = data;
    this.index = data.controls.map(function (c) { return defaultIndex(c); });
    this.view = "pruning"; this.yScale = "log";
    this.shown = {};
    var self = this;
    data.compressors.forEach(function (name) { self.shown[name] = true; });
    this.build();
    this.applyHash();
    this.draw();
  }

  function defaultIndex(control) {
    // chapter 1's problem where the grid has it: n/p 0.3, s/n 0.3, spike 10, sigma 0.5, panel b
    var preferred = { n_over_p: 0.3, s_over_n: 0.3, spike: 10, sigma: 0.5, panel: "b" }[control.name];
    var i = control.values.indexOf(preferred);
    return i >= 0 ? i : 0;
  }

  Explorer.prototype.build = function () {
    var self = this, data = this.data;
    this.root.textContent = "";
    var form = el("form", { "class": "explorer-controls", "aria-label": "problem and display controls" }, this.root);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    this.inputs = {}; this.outputs = {};
    data.controls.forEach(function (control, c) {
      var id = "explorer-" + control.name;
      var box = el("div", { "class": "explorer-control" }, form);
      var label = el("label", { "for": id }, box);
      el("span", { "class": "explorer-label", text: control.label }, label);
      var numeric = control.values.every(function (v) { return typeof v === "number"; });
      var input;
      if (numeric && control.values.length > 1) {
        input = el("input", { type: "range", id: id, min: 0, max: control.values.length - 1, step: 1,
                              value: self.index[c], "data-control": control.name }, box);
        self.outputs[control.name] = el("output", { "for": id, "class": "explorer-value" }, box);
      } else {
        input = el("select", { id: id, "data-control": control.name }, box);
        control.values.forEach(function (v, i) { el("option", { value: i, text: String(v) }, input); });
        input.value = String(self.index[c]);
      }
      input.addEventListener("input", function () { self.index[c] = Number(input.value); self.changed(); });
      input.addEventListener("change", function () { self.index[c] = Number(input.value); self.changed(); });
      self.inputs[control.name] = input;
    });

    var display = el("div", { "class": "explorer-display" }, form);
    var views = el("fieldset", { "class": "explorer-view" }, display);
    el("legend", { text: "curves" }, views);
    Object.keys(VIEWS).forEach(function (view) {
      var label = el("label", {}, views);
      var radio = el("input", { type: "radio", name: "explorer-view", value: view, "data-control": "view" }, label);
      radio.checked = view === self.view;
      radio.addEventListener("change", function () { if (radio.checked) { self.view = view; self.changed(); } });
      label.appendChild(document.createTextNode(" " + view));
    });
    var scales = el("fieldset", { "class": "explorer-view" }, display);
    el("legend", { text: "risk axis" }, scales);
    ["log", "linear"].forEach(function (scale) {
      var label = el("label", {}, scales);
      var radio = el("input", { type: "radio", name: "explorer-y", value: scale, "data-control": "y" }, label);
      radio.checked = scale === self.yScale;
      radio.addEventListener("change", function () { if (radio.checked) { self.yScale = scale; self.changed(); } });
      label.appendChild(document.createTextNode(" " + scale));
    });
    this.checkboxes = el("fieldset", { "class": "explorer-compressors" }, form);

    this.plot = el("div", { "class": "explorer-plot" }, this.root);
    this.readout = el("p", { "class": "explorer-readout" }, this.root);
    this.best = el("div", { "class": "explorer-best" }, this.root);
  };

  // the checkboxes of the view's compressors, rebuilt only when the view changes (keeps the focus)
  Explorer.prototype.buildCheckboxes = function () {
    var self = this, box = this.checkboxes;
    if (this.checkboxView === this.view) { return; }
    this.checkboxView = this.view;
    box.textContent = "";
    el("legend", { text: "compressors" }, box);
    VIEWS[this.view].forEach(function (name) {
      if (self.data.compressors.indexOf(name) < 0) { return; }
      var label = el("label", { "class": "explorer-check" }, box);
      var check = el("input", { type: "checkbox", value: name, "data-compressor": name }, label);
      check.checked = self.shown[name];
      check.addEventListener("change", function () { self.shown[name] = check.checked; self.changed(); });
      var swatch = svg("svg", { width: 30, height: 10, "aria-hidden": "true" }, label);
      svg("line", { x1: 1, y1: 5, x2: 29, y2: 5, stroke: STYLE[name].colour, "stroke-width": 2.5,
                    "stroke-dasharray": STYLE[name].dash, "class": "explorer-curve", "data-compressor": name }, swatch);
      label.appendChild(document.createTextNode(" " + STYLE[name].label));
    });
  };

  Explorer.prototype.changed = function () { this.draw(); this.writeHash(); };

  Explorer.prototype.key = function () { return this.index.join(","); };

  Explorer.prototype.value = function (name) {
    var c = this.data.controls.map(function (x) { return x.name; }).indexOf(name);
    return c < 0 ? undefined : this.data.controls[c].values[this.index[c]];
  };
  Explorer.prototype.position = function (name) {
    var c = this.data.controls.map(function (x) { return x.name; }).indexOf(name);
    return c < 0 ? 0 : this.index[c];
  };

  Explorer.prototype.writeHash = function () {
    var self = this, parts = this.data.controls.map(function (control, c) {
      return control.name + "=" + encodeURIComponent(String(control.values[self.index[c]]));
    });
    parts.push("view=" + this.view, "y=" + this.yScale);
    try { history.replaceState(null, "", "#" + parts.join("&")); } catch (e) { /* file:// in some browsers */ }
  };

  // set each control named in the hash and fire its event, as a reader's change would
  Explorer.prototype.applyHash = function () {
    var self = this, hash = (window.location.hash || "").replace(/^#/, "");
    if (!hash) { return; }
    hash.split("&").forEach(function (part) {
      var pair = part.split("="), name = decodeURIComponent(pair[0] || ""), value = decodeURIComponent(pair[1] || "");
      if (name === "view" || name === "y") {
        var radio = self.root.querySelector('input[data-control="' + name + '"][value="' + value + '"]');
        if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
        return;
      }
      var c = self.data.controls.map(function (x) { return x.name; }).indexOf(name);
      if (c < 0) { return; }
      var i = self.data.controls[c].values.map(String).indexOf(value);
      if (i < 0) { return; }
      var input = self.inputs[name];
      input.value = String(i);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  };

  Explorer.prototype.draw = function () {
    var self = this, data = this.data;
    W = plotWidth(this.root);
    var columns = W < WIDE ? 1 : LEGEND_COLUMNS;
    this.buildCheckboxes();
    var ni = this.position("n_over_p"), si = this.position("s_over_n");
    var n = data.n[ni], s = data.s[ni][si], p = data.p, sizes = data.sizes[ni];
    var sigma = Number(this.value("sigma"));
    Object.keys(this.outputs).forEach(function (name) {
      var v = self.value(name), extra = name === "n_over_p" ? " (n = " + n + ")" : name === "s_over_n" ? " (s = " + s + ")" : "";
      self.outputs[name].textContent = String(v) + extra;
    });
    var key = this.key(), curves = data.curves[key];
    this.plot.textContent = "";
    this.plot.setAttribute("data-key", key);
    if (!curves) {
      var reason = "";
      Object.keys(data.dropped || {}).forEach(function (why) { if (data.dropped[why].indexOf(key) >= 0) { reason = why; } });
      el("p", { "class": "explorer-missing", text: "No such problem on the grid" + (reason ? ": " + reason : "") + "." }, this.plot);
      this.readout.textContent = "";
      this.best.textContent = "";
      return;
    }
    // the visible curves as lists of [k, risk]; a compressor's array covers the last sizes (k >= s)
    var series = [];
    VIEWS[this.view].forEach(function (name) {
      var c = data.compressors.indexOf(name);
      if (c < 0 || !self.shown[name]) { return; }
      var values = curves[c], offset = sizes.length - values.length, points = [];
      values.forEach(function (r, j) { if (r !== null && r > 0) { points.push([sizes[offset + j], r]); } });
      series.push({ name: name, points: points });
    });
    var all = [];
    series.forEach(function (sr) { sr.points.forEach(function (pt) { all.push(pt[1]); }); });
    var lo = all.length ? Math.min.apply(null, all) : 1, hi = all.length ? Math.max.apply(null, all) : 2;
    var clipped = false, floor = sigma * sigma;
    if (floor > 0 && floor >= lo / 2) { lo = Math.min(lo, floor); }  // show the noise floor when it is near
    if (this.yScale === "linear") {
      var sorted = all.slice().sort(function (a, b) { return a - b; }), median = sorted[Math.floor(sorted.length / 2)] || hi;
      var cap = Math.max(3 * median, lo * 1.5);
      if (hi > cap) { hi = cap; clipped = true; }
      var pad = (hi - lo) * 0.05 || 0.1; lo = Math.max(0, lo - pad); hi += pad;
    } else {
      lo = lo / 1.08; hi = hi * 1.08;
      if (hi / lo < 1.5) { lo /= 1.2; hi *= 1.2; }
    }
    var x0 = M.left, x1 = W - M.right, y0 = H - M.bottom, y1 = M.top;
    function X(k) { return x0 + (x1 - x0) * Math.log(k) / Math.log(p); }
    var ylog = this.yScale === "log";
    function Y(r) {
      var t = ylog ? (Math.log(r) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (r - lo) / (hi - lo);
      return y0 - (y0 - y1) * t;
    }

    var desc = "Predicted test risk against model size k (log scale) for n = " + n + ", s = " + s + ", p = " + p +
      ": " + series.map(function (sr) { return STYLE[sr.name].label; }).join(", ") + ".";
    var plot = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": desc, "class": "explorer-svg",
                            "data-key": key, preserveAspectRatio: "xMidYMid meet" }, this.plot);
    svg("title", { text: desc }, plot);
    var defs = svg("defs", {}, plot), clip = svg("clipPath", { id: "explorer-clip" }, defs);
    svg("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1 }, clip);

    // axes, grid and ticks
    var axes = svg("g", { "class": "explorer-axes" }, plot);
    var xticks = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].filter(function (k) { return k <= p; });
    if (xticks[xticks.length - 1] !== p) { xticks.push(p); }
    xticks.forEach(function (k) {
      svg("line", { x1: X(k), x2: X(k), y1: y0, y2: y1, "class": "explorer-grid" }, axes);
      svg("text", { x: X(k), y: y0 + 18, "text-anchor": "middle", text: String(k) }, axes);
    });
    var yticks = ylog ? logTicks(lo, hi) : linearTicks(lo, hi);
    yticks.forEach(function (r) {
      svg("line", { x1: x0, x2: x1, y1: Y(r), y2: Y(r), "class": "explorer-grid" }, axes);
      svg("text", { x: x0 - 6, y: Y(r) + 4, "text-anchor": "end", text: fmt(r) }, axes);
    });
    svg("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1, "class": "explorer-frame" }, axes);
    svg("text", { x: (x0 + x1) / 2, y: y0 + 40, "text-anchor": "middle", "class": "explorer-axis-label",
                  text: "model size k (features used; log scale)" }, axes);
    svg("text", { x: 16, y: (y0 + y1) / 2, "text-anchor": "middle", "class": "explorer-axis-label",
                  transform: "rotate(-90 16 " + (y0 + y1) / 2 + ")",
                  text: "predicted test risk" + (ylog ? " (log scale)" : "") }, axes);

    // markers: k = s, k = n, the noise floor sigma^2
    var marks = svg("g", { "class": "explorer-marks" }, plot);
    // each label sits beside its line (k = s on the left, k = n on the right), inside the figure: it
    // moves to the other side of its line where it would run past an edge, and up one row where it
    // would overlap the other label
    var placed = [];
    [[s, "k = s", "left"], [n, "k = n", "right"]].forEach(function (m) {
      if (m[0] < 1 || m[0] > p) { return; }
      var x = X(m[0]);
      svg("line", { x1: x, x2: x, y1: y0, y2: y1, "class": "explorer-marker" }, marks);
      svg("line", { x1: x, x2: x, y1: y1, y2: y1 - 6, "class": "explorer-marker-tick" }, marks);
      var label = svg("text", { x: 0, y: y1 - 8, text: m[1] + " = " + m[0] }, marks);
      var width = label.getComputedTextLength() || label.textContent.length * LABEL_CHAR;
      var left = m[2] === "left" ? x - LABEL_GAP - width : x + LABEL_GAP;
      if (left + width > W - 2) { left = x - LABEL_GAP - width; }
      if (left < 2) { left = x + LABEL_GAP; }
      var row = placed.some(function (r) { return left < r[1] + LABEL_GAP && left + width > r[0] - LABEL_GAP; }) ? 1 : 0;
      placed.push([left, left + width]);
      label.setAttribute("x", left);
      label.setAttribute("y", y1 - 8 - row * LABEL_ROW);
      label.setAttribute("class", "explorer-marker-label");
    });
    if (floor > lo && floor < hi) {
      svg("line", { x1: x0, x2: x1, y1: Y(floor), y2: Y(floor), "class": "explorer-floor" }, marks);
      svg("text", { x: x1 - 4, y: Y(floor) - 4, "text-anchor": "end", text: "noise floor σ² = " + fmt(floor) }, marks);
    }

    // the curves
    var lines = svg("g", { "clip-path": "url(#explorer-clip)" }, plot);
    series.forEach(function (sr) {
      var st = STYLE[sr.name];
      var d = sr.points.map(function (pt, j) { return (j ? "L" : "M") + X(pt[0]).toFixed(1) + "," + Y(pt[1]).toFixed(1); }).join("");
      svg("path", { d: d, fill: "none", stroke: st.colour, "stroke-width": st.width, "stroke-dasharray": st.dash,
                    "stroke-linejoin": "round", "class": "explorer-curve", "data-compressor": sr.name }, lines);
    });
    if (clipped) {
      svg("text", { x: x1 - 4, y: y1 + 30, "text-anchor": "end", "class": "explorer-note",
                    text: "clipped above " + fmt(hi) + " (log axis shows all)" }, plot);
    }

    // legend, under the plot: the visible curves, then the marker lines
    var items = series.map(function (sr) {
      var st = STYLE[sr.name];
      return { text: st.label, attrs: { stroke: st.colour, "stroke-width": st.width, "stroke-dasharray": st.dash,
                                        "class": "explorer-curve", "data-compressor": sr.name } };
    });
    items.push({ text: "k = s and k = n", attrs: { "class": "explorer-marker" } });
    if (floor > lo && floor < hi) { items.push({ text: "noise floor σ²", attrs: { "class": "explorer-floor" } }); }
    var legend = svg("g", { "class": "explorer-legend", transform: "translate(" + x0 + "," + (y0 + LEGEND_TOP) + ")" }, plot);
    items.forEach(function (item, i) {
      var x = (i % columns) * (x1 - x0) / columns, y = Math.floor(i / columns) * LEGEND_ROW;
      var attrs = { x1: x, x2: x + 30, y1: y, y2: y };
      Object.keys(item.attrs).forEach(function (name) { attrs[name] = item.attrs[name]; });
      svg("line", attrs, legend);
      svg("text", { x: x + 36, y: y + 5, text: item.text }, legend);
    });
    var height = y0 + LEGEND_TOP + Math.ceil(items.length / columns) * LEGEND_ROW;
    plot.setAttribute("viewBox", "0 0 " + W + " " + height);

    // hover readout: the values at the nearest model size
    var guide = svg("line", { y1: y0, y2: y1, "class": "explorer-guide", visibility: "hidden" }, plot);
    var hit = svg("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1, fill: "transparent" }, plot);
    function show(k) {
      guide.setAttribute("x1", X(k)); guide.setAttribute("x2", X(k)); guide.setAttribute("visibility", "visible");
      self.readout.textContent = "At k = " + k + ": " + series.map(function (sr) {
        var pt = sr.points.filter(function (q) { return q[0] === k; })[0];
        return STYLE[sr.name].label + " " + (pt ? fmt(pt[1]) : "–");
      }).join("; ") + ".";
    }
    hit.addEventListener("mousemove", function (event) {
      var ctm = plot.getScreenCTM();
      if (!ctm) { return; }
      var pt = plot.createSVGPoint(); pt.x = event.clientX; pt.y = event.clientY;
      var vx = pt.matrixTransform(ctm.inverse()).x, best = sizes[0];
      sizes.forEach(function (k) { if (Math.abs(X(k) - vx) < Math.abs(X(best) - vx)) { best = k; } });
      show(best);
    });
    hit.addEventListener("mouseleave", function () { guide.setAttribute("visibility", "hidden"); });
    this.readout.textContent = "Point at the plot to read the values at a model size.";

    // the best model size of each visible curve, as `overparam predict` prints it
    this.best.textContent = "";
    var table = el("table", { "class": "explorer-table" }, this.best);
    el("caption", { text: "Best model size of each curve (on the grid of sizes)" }, table);
    var head = el("tr", {}, el("thead", {}, table));
    ["compressor", "best k", "lowest risk", "risk at k = p"].forEach(function (h) { el("th", { text: h, scope: "col" }, head); });
    var body = el("tbody", {}, table);
    series.forEach(function (sr) {
      if (!sr.points.length) { return; }
      var best = sr.points.reduce(function (a, b) { return b[1] < a[1] ? b : a; });
      var last = sr.points[sr.points.length - 1];
      var row = el("tr", { "data-compressor": sr.name }, body);
      el("td", { text: STYLE[sr.name].label }, row);
      el("td", { text: String(best[0]) }, row);
      el("td", { text: fmt(best[1]) }, row);
      el("td", { text: last[0] === p ? fmt(last[1]) : "–" }, row);
    });
  };

  function start() {
    var root = document.getElementById("overparam-explorer");
    if (!root) { return; }
    if (!window.EXPLORER_DATA) {
      root.textContent = "The explorer's data (_static/explorer/data.js) did not load.";
      return;
    }
    root.explorer = new Explorer(root, window.EXPLORER_DATA);
    window.addEventListener("resize", function () { if (plotWidth(root) !== W) { root.explorer.draw(); } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
