/* Maps of the portal: the intercommunalités on the home page, a dataset's coverage.
 *
 * Leaflet comes from ckanext-spatial's bundle (no copy, no CDN). The maps are pictures for
 * sighted visitors: the page gives the same content as text beside them (the list of
 * intercommunalités, the names of the territories covered), so the map is hidden from
 * assistive technologies and holds nothing focusable (no keyboard handler, no zoom buttons).
 * A base map is drawn only when the platform configures a tile server.
 */
(function () {
  function baseMap(el, tiles, attribution) {
    var map = L.map(el, {
      attributionControl: Boolean(tiles),
      zoomControl: false,
      keyboard: false,
      scrollWheelZoom: false,
    });
    if (tiles) {
      L.tileLayer(tiles, { attribution: attribution, maxZoom: 18 }).addTo(map);
    }
    return map;
  }

  function tileUrl(options) {
    // CKAN turns an empty data attribute into `true`: only a string is a tile URL.
    return typeof options.tiles === "string" ? options.tiles : "";
  }

  this.ckan.module("tgn-epci-map", function () {
    return {
      options: { features: null, tiles: "", attribution: "" },
      initialize: function () {
        if (!this.options.features || typeof L === "undefined") {
          return;
        }
        var map = baseMap(this.el[0], tileUrl(this.options), this.options.attribution);
        var layer = L.geoJSON(this.options.features, {
          style: { color: "#0b4f6c", weight: 2, fillColor: "#3a8fb7", fillOpacity: 0.3 },
          onEachFeature: function (feature, outline) {
            var p = feature.properties;
            outline.bindTooltip(p.title + " : " + p.count, { sticky: true });
            outline.on("click", function () {
              window.location.href = p.url;
            });
            outline.on("mouseover", function () {
              outline.setStyle({ fillOpacity: 0.6 });
            });
            outline.on("mouseout", function () {
              outline.setStyle({ fillOpacity: 0.3 });
            });
          },
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      },
    };
  });

  this.ckan.module("tgn-coverage-map", function () {
    return {
      options: { geometry: null, tiles: "", attribution: "" },
      initialize: function () {
        if (!this.options.geometry || typeof L === "undefined") {
          return;
        }
        var map = baseMap(this.el[0], tileUrl(this.options), this.options.attribution);
        map.dragging.disable();
        var layer = L.geoJSON(this.options.geometry, {
          interactive: false,
          style: { color: "#0b4f6c", weight: 2, fillColor: "#3a8fb7", fillOpacity: 0.3 },
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      },
    };
  });
}).call(this);
