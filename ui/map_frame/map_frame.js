/* The one-map page's map frame: Streamlit's component protocol (postMessage) around a folium
   map script, without React. It keeps streamlit-folium's contract (window.__GLOBAL_DATA__,
   window.map, window.feature_group, window.layer_control, the value it reports) for the
   arguments ui.map_component sends; see that module for why it is written here. */
(function () {
  "use strict";
  var built = false, pending = null, busy = false;

  function send(type, data) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data || {}), "*");
  }
  var Streamlit = {
    setComponentValue: function (value) { send("streamlit:setComponentValue", {value: value, dataType: "json"}); },
    setFrameHeight: function (height) { send("streamlit:setFrameHeight", {height: height}); }
  };
  window.Streamlit = Streamlit;

  function debounce(fn, ms) {
    var t = null;
    return function (a) { clearTimeout(t); t = setTimeout(function () { fn(a); }, ms); };
  }

  // streamlit-folium's value: the same keys, in the same order
  function value(map) {
    var g = window.__GLOBAL_DATA__;
    var all = {
      last_clicked: g.lat_lng_clicked, last_object_clicked: g.last_object_clicked,
      last_object_clicked_tooltip: g.last_object_clicked_tooltip,
      last_object_clicked_popup: g.last_object_clicked_popup, all_drawings: g.all_drawings,
      last_active_drawing: g.last_active_drawing, bounds: map.getBounds(), zoom: map.getZoom(),
      center: map.getCenter()
    };
    var data = {};
    Object.keys(all).forEach(function (k) { if (g.returned_objects.indexOf(k) >= 0) { data[k] = all[k]; } });
    return data;
  }
  function report(map) {
    var g = window.__GLOBAL_DATA__, data = value(map);
    if (JSON.stringify(g.previous_data) !== JSON.stringify(data)) {
      g.previous_data = data;
      Streamlit.setComponentValue(data);
    }
  }
  var reportSoon = debounce(report, 250);

  function text(html) {
    var span = document.createElement("span");
    span.innerHTML = html;
    return (span.textContent || span.innerText || "").trim();
  }

  function onLayerClick(e) {
    var g = window.__GLOBAL_DATA__;
    g.last_object_clicked = e.latlng || null;
    var src = e.sourceTarget;
    if (src && typeof src.getTooltip === "function" && src._tooltip && src._tooltip._content) {
      var c = src.getTooltip().getContent();
      g.last_object_clicked_tooltip = typeof c === "string" ? text(c) : null;
    }
    if (src && typeof src.getPopup === "function" && src._popup && src._popup._content) {
      var p = src.getPopup().getContent();
      g.last_object_clicked_popup = typeof p === "string" ? text(p) : (p && p.innerText) || null;
    }
    if (e.layer && typeof e.layer.toGeoJSON === "function") { g.last_active_drawing = e.layer.toGeoJSON(); }
    g.all_drawings = window.drawnItems && typeof window.drawnItems.toGeoJSON === "function"
      ? window.drawnItems.toGeoJSON().features : [];
    reportSoon(window.map);
  }

  function bindLayers(map) {
    Object.keys(map._layers).forEach(function (k) {
      var layer = map._layers[k];
      if (!layer || typeof layer.on !== "function") { return; }
      layer.off("click", onLayerClick);
      layer.on("click", onLayerClick);
    });
  }

  window.initComponent = function (map) {
    var g = window.__GLOBAL_DATA__;
    map.on("click", function (e) { g.lat_lng_clicked = e.latlng; reportSoon(map); });
    map.on("moveend", function () { reportSoon(map); });
    ["draw:created", "draw:edited", "draw:deleted"].forEach(function (ev) { map.on(ev, onLayerClick); });
    bindLayers(map);
    // The opening view is the page's own: recorded as reported, not sent. streamlit-folium sends it
    // at once (Python's defaults cannot know the frame's size in pixels), and the whole page reran
    // while the map painted: 0.3 s of first paint at province scale, and a window in which a press
    // elsewhere on the page was lost to that rerun (tests/test_map_opening.py).
    window.__GLOBAL_DATA__.previous_data = value(map);
  };

  function globalEval(code) { (0, eval)(code); }

  function loadLinks(args) {
    var have = {};
    Array.prototype.forEach.call(document.scripts, function (s) { if (s.src) { have[s.src] = true; } });
    Array.prototype.forEach.call(document.querySelectorAll("link[rel=stylesheet]"), function (l) { have[l.href] = true; });
    (args.css_links || []).forEach(function (href) {
      var l = document.createElement("link");
      l.rel = "stylesheet"; l.href = href;
      if (!have[l.href]) { document.head.appendChild(l); }
    });
    // the rest in parallel, run in their order (async = false)
    return Promise.all((args.js_links || []).map(function (src) {
      var s = document.createElement("script");
      s.src = src;
      if (have[s.src]) { return Promise.resolve(); }
      s.async = false;
      return new Promise(function (ok, fail) { s.onload = ok; s.onerror = fail; document.body.appendChild(s); });
    }));
  }

  // The base map's script, kept by the browser (ui.map_base_route): a classic script, so its
  // top-level names (map_div…) are globals as folium's script expects. Asked again a few times:
  // just after a sign-in the session cookie may still be on its way (ui.auth posts it).
  function baseScript(url) {
    return new Promise(function (ok, fail) {
      var tries = 0;
      (function attempt() {
        var s = document.createElement("script");
        s.src = url;
        s.onload = ok;
        s.onerror = function () {
          s.remove();
          if (++tries < 5) { setTimeout(attempt, 150 * tries); } else { fail(new Error(url)); }
        };
        document.body.appendChild(s);
      })();
    });
  }

  var prepared = false;
  function build(args) {
    var div = document.getElementById("map_div");
    if (div.className === "onemap-map-failed") { div.className = ""; div.textContent = ""; }  // tried again
    div.style.height = args.height + "px";
    Streamlit.setFrameHeight(args.height);
    if (!prepared) {
      prepared = true;
      window.__GLOBAL_DATA__ = {
        lat_lng_clicked: null, last_object_clicked: null, last_object_clicked_tooltip: null,
        last_object_clicked_popup: null, all_drawings: null, last_active_drawing: null,
        returned_objects: args.returned_objects || [], previous_data: args["default"], last_zoom: null,
        last_center: null, last_feature_group: null, last_layer_control: null, height: args.height
      };
      if (args.header) { document.head.insertAdjacentHTML("beforeend", args.header); }
      if (args.html) {
        var holder = document.createElement("div");
        holder.innerHTML = args.html;
        document.body.appendChild(holder);
      }
    }
    return baseScript(args.script_url).then(function () {
      window.map = window.map_div;
      window.initComponent(window.map);
    });
  }

  function failed() {
    var div = document.getElementById("map_div");
    div.className = "onemap-map-failed";
    div.textContent = "地图未能加载：登录可能已过期，或服务已重启。请刷新页面；仍不显示请重新登录。";
  }

  function update(args) {
    var g = window.__GLOBAL_DATA__, map = window.map;
    if (args.feature_group !== g.last_feature_group || args.layer_control !== g.last_layer_control
        || args.height !== g.height) {
      (window.feature_group || []).forEach(function (layer) { map.removeLayer(layer); });
      window.feature_group = [];
      if (window.layer_control) { map.removeControl(window.layer_control); }
      g.last_feature_group = args.feature_group;
      g.last_layer_control = args.layer_control;
      g.height = args.height;
      document.getElementById("map_div").style.height = args.height + "px";
      globalEval((args.feature_group || "") + (args.layer_control || ""));
      bindLayers(map);
      map.invalidateSize();
      Streamlit.setFrameHeight(args.height);
    }
    var zoom = map.getZoom(), center = map.getCenter(), moved = false;
    if (args.zoom && args.zoom !== g.last_zoom) { zoom = args.zoom; g.last_zoom = args.zoom; moved = true; }
    if (args.center && JSON.stringify(args.center) !== JSON.stringify(g.last_center)) {
      center = args.center; g.last_center = args.center; moved = true;
    }
    if (moved && args.area) {
      // a saved view's area, whole: zoomed out if this frame is smaller than the one it was saved
      // from (2 % of slack, so that the same frame keeps the same zoom), never zoomed in
      map.invalidateSize({pan: false});
      var size = map.getSize();
      if (size.x > 0 && size.y > 0) {
        zoom = Math.min(zoom, map.getBoundsZoom(L.latLngBounds(args.area).pad(-0.02)));
      }
    }
    if (moved) { map.setView(center, zoom); }
  }

  function render(args) {
    if (busy) { pending = args; return; }
    if (built) { update(args); return; }
    busy = true;
    loadLinks(args).then(function () { return build(args); }).then(function () {
      built = true;
      update(args);
    }, failed).finally(function () {
      busy = false;
      if (pending) { var next = pending; pending = null; render(next); }
    });
  }

  window.addEventListener("message", function (e) {
    if (e.source !== window.parent || !e.data || e.data.type !== "streamlit:render") { return; }
    render(e.data.args || {});
  });
  send("streamlit:componentReady", {apiVersion: 1});
})();
