/* Factory dashboard: the page's alert stream (htmx ws extension, /ws/alerts/html/) passes the
   server's "dashboard changed" pulse on as the text "dashboard-changed"; turn it into a
   `dashboard-changed` event on <body>, which the board listens for (hx-trigger, debounced).
   Without the websocket the board still polls every 30 s. <body data-stream> says whether the
   stream is open (for people and tests). */
(function () {
  var body = document.body;
  body.addEventListener("htmx:wsOpen", function () { body.dataset.stream = "open"; });
  body.addEventListener("htmx:wsClose", function () { body.dataset.stream = "closed"; });
  body.addEventListener("htmx:wsAfterMessage", function (event) {
    var message = event.detail && event.detail.message;
    if (typeof message === "string" && message.trim() === "dashboard-changed") {
      htmx.trigger(body, "dashboard-changed");
    }
  });
})();
