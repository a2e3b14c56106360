/* CKAN's template titles every preview frame "Data viewer", in English and the same for all:
 * a screen reader announces that name. Each frame gets its view's title instead ("Aperçu :
 * Carte"), in the page's language (the portal offers French and English). */
(function () {
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var prefix = english ? "Preview: " : "Aperçu : ";
  document.querySelectorAll(".resource-view iframe").forEach(function (frame) {
    var view = frame.closest(".resource-view");
    var title = view ? view.getAttribute("data-title") : "";
    frame.setAttribute("title", prefix + (title || (english ? "data" : "données")));
  });
})();
