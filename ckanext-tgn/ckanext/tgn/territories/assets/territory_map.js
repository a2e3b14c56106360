/* Outline of a territory on its organisation page.
 *
 * Leaflet comes from ckanext-spatial's bundle (no copy, no CDN). A base map is added only
 * when the platform configures a tile server (ckanext.tgn.territories.map_tiles_url), so
 * the outline shows with no external request at all.
 */
this.ckan.module("tgn-territory-map", function () {
  return {
    options: { geometry: null, tiles: "", attribution: "" },

    initialize: function () {
      if (!this.options.geometry || typeof L === "undefined") {
        return;
      }
      // CKAN turns an empty data attribute into `true`: only a string is a tile URL.
      var tiles = typeof this.options.tiles === "string" ? this.options.tiles : "";
      var map = L.map(this.el[0], {
        attributionControl: Boolean(tiles),
        scrollWheelZoom: false,
      });
      if (tiles) {
        L.tileLayer(tiles, {
          attribution: this.options.attribution,
          maxZoom: 18,
        }).addTo(map);
      }
      var outline = L.geoJSON(this.options.geometry, {
        style: { color: "#1f5f8b", weight: 2, fillColor: "#6fa8dc", fillOpacity: 0.25 },
      }).addTo(map);
      map.fitBounds(outline.getBounds(), { padding: [8, 8] });
    },
  };
});
